package postgres

import (
	"context"
	"fmt"
	"time"

	"concierge/internal/concierge"
)

// EnsureGuest returns the non-verified guest with this identifier (compared exactly) at the
// property, first creating it with CreatedAt now when there is none. It returns an error only
// when the database fails (or the property does not exist).
func (db *DB) EnsureGuest(ctx context.Context, propertyID int64, identifier string, now time.Time) (concierge.Guest, error) {
	var g concierge.Guest
	err := db.write(ctx, func(tx *wtx) error {
		// A concurrent insert of the same guest makes this one wait for its commit and then do
		// nothing; the SELECT, a new statement, sees the committed row.
		if _, err := tx.Exec(ctx, `INSERT INTO guests (property_id, identifier, created_at)
			VALUES ($1, $2, $3) ON CONFLICT (property_id, identifier) DO NOTHING`,
			propertyID, identifier, now); err != nil {
			return err
		}
		var err error
		g, err = scanGuest(tx.QueryRow(ctx, `SELECT id, property_id, identifier, created_at
			FROM guests WHERE property_id = $1 AND identifier = $2`, propertyID, identifier))
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
	g, err := scanGuest(db.pool.QueryRow(ctx, `SELECT id, property_id, identifier,
		created_at FROM guests WHERE id = $1`, id))
	return g, storeErr(err, fmt.Sprintf("guest %d", id))
}

// scanGuest reads a row of id, property_id, identifier, created_at.
func scanGuest(r rowScanner) (concierge.Guest, error) {
	var g concierge.Guest
	if err := r.Scan(&g.ID, &g.PropertyID, &g.Identifier, &g.CreatedAt); err != nil {
		return concierge.Guest{}, err
	}
	g.CreatedAt = utc(g.CreatedAt)
	return g, nil
}
