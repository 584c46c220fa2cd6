package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"concierge/internal/concierge"
)

// EnsureGuest returns the non-verified guest with this identifier (compared exactly) at the
// property, first creating it with CreatedAt now when there is none. It returns an error only
// when the database fails (or the property does not exist).
func (db *DB) EnsureGuest(ctx context.Context, propertyID int64, identifier string, now time.Time) (concierge.Guest, error) {
	var g concierge.Guest
	err := db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO guests (property_id, identifier, created_at)
			VALUES (?, ?, ?) ON CONFLICT (property_id, identifier) DO NOTHING`,
			propertyID, identifier, timeArg(now)); err != nil {
			return err
		}
		var err error
		g, err = scanGuest(tx.QueryRowContext(ctx, `SELECT id, property_id, identifier, created_at
			FROM guests WHERE property_id = ? AND identifier = ?`, propertyID, identifier))
		return err
	})
	if err != nil {
		return concierge.Guest{}, storeErr(err, "ensure guest")
	}
	return g, nil
}

// GuestByID returns the non-verified guest with this id, or concierge.ErrNotFound when there
// is none.
func (db *DB) GuestByID(ctx context.Context, id int64) (concierge.Guest, error) {
	g, err := scanGuest(db.readers.QueryRowContext(ctx, `SELECT id, property_id, identifier,
		created_at FROM guests WHERE id = ?`, id))
	return g, storeErr(err, fmt.Sprintf("guest %d", id))
}

// scanGuest reads a row of id, property_id, identifier, created_at.
func scanGuest(r rowScanner) (concierge.Guest, error) {
	var g concierge.Guest
	var created int64
	if err := r.Scan(&g.ID, &g.PropertyID, &g.Identifier, &created); err != nil {
		return concierge.Guest{}, err
	}
	g.CreatedAt = timeOf(created)
	return g, nil
}
