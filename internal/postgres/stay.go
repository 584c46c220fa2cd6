package postgres

import (
	"context"
	"fmt"
	"strings"

	"concierge/internal/concierge"
)

const stayColumns = `id, property_id, room_number, first_name, last_name, language, arrival,
	departure, booking_reference`

// scanStay reads a row of stayColumns.
func scanStay(r rowScanner) (concierge.Stay, error) {
	var s concierge.Stay
	var arrival, departure string
	err := r.Scan(&s.ID, &s.PropertyID, &s.RoomNumber, &s.FirstName, &s.LastName, &s.Language,
		&arrival, &departure, &s.BookingReference)
	if err != nil {
		return concierge.Stay{}, err
	}
	s.Arrival, s.Departure = concierge.Date(arrival), concierge.Date(departure)
	return s, nil
}

// queryStays runs a query of stayColumns and returns its rows.
func queryStays(ctx context.Context, q querier, sql string, args ...any) ([]concierge.Stay, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []concierge.Stay
	for rows.Next() {
		s, err := scanStay(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// CreateStay stores s and sets s.ID. It returns an error only when the database fails (or the
// property does not exist); ErrConflict when the property has a stay with the same non-empty
// booking reference.
func (db *DB) CreateStay(ctx context.Context, s *concierge.Stay) error {
	var id int64
	err := db.write(ctx, func(tx *wtx) error {
		var err error
		id, err = insertID(ctx, tx, `INSERT INTO stays (property_id, room_number, first_name,
			last_name, language, arrival, departure, booking_reference)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			s.PropertyID, s.RoomNumber, s.FirstName, s.LastName, s.Language,
			string(s.Arrival), string(s.Departure), s.BookingReference)
		return err
	})
	if err != nil {
		return storeErr(err, "create stay")
	}
	s.ID = id
	return nil
}

// StayByID returns the stay with this id, or concierge.ErrNotFound when there is none.
func (db *DB) StayByID(ctx context.Context, id int64) (concierge.Stay, error) {
	s, err := scanStay(db.pool.QueryRow(ctx, `SELECT `+stayColumns+` FROM stays WHERE id = $1`, id))
	return s, storeErr(err, fmt.Sprintf("stay %d", id))
}

// StaysInRoom returns the property's stays current on day (arrival ≤ day ≤ departure) whose
// room number equals room once both have their surrounding spaces trimmed; latest arrival
// first (then highest id). An empty list when there is none.
func (db *DB) StaysInRoom(ctx context.Context, propertyID int64, room string, day concierge.Date) ([]concierge.Stay, error) {
	out, err := queryStays(ctx, db.pool, `SELECT `+stayColumns+` FROM stays
		WHERE property_id = $1 AND btrim(room_number, ' ') = $2 AND arrival <= $3 AND departure >= $3
		ORDER BY arrival DESC, id DESC`,
		propertyID, strings.Trim(room, " "), string(day))
	return out, storeErr(err, "stays in room")
}
