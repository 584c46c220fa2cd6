package sqlite

import (
	"context"
	"database/sql"
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

// CreateStay stores s and sets s.ID. It returns an error only when the database fails (or the
// property does not exist).
func (db *DB) CreateStay(ctx context.Context, s *concierge.Stay) error {
	var id int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = insert(ctx, tx, `INSERT INTO stays (property_id, room_number, first_name,
			last_name, language, arrival, departure, booking_reference)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
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
	s, err := scanStay(db.readStmts.queryRow(ctx, nil,
		`SELECT `+stayColumns+` FROM stays WHERE id = ?`, id))
	return s, storeErr(err, fmt.Sprintf("stay %d", id))
}

// StaysInRoom returns the property's stays current on day (arrival ≤ day ≤ departure) whose
// room number equals room once both have their surrounding spaces trimmed; latest arrival
// first (then highest id). An empty list when there is none.
func (db *DB) StaysInRoom(ctx context.Context, propertyID int64, room string, day concierge.Date) ([]concierge.Stay, error) {
	rows, err := db.readers.QueryContext(ctx, `SELECT `+stayColumns+` FROM stays
		WHERE property_id = ? AND trim(room_number) = ? AND arrival <= ? AND departure >= ?
		ORDER BY arrival DESC, id DESC`,
		propertyID, strings.Trim(room, " "), string(day), string(day))
	if err != nil {
		return nil, storeErr(err, "stays in room")
	}
	defer rows.Close()
	var out []concierge.Stay
	for rows.Next() {
		s, err := scanStay(rows)
		if err != nil {
			return nil, storeErr(err, "stays in room")
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, storeErr(err, "stays in room")
	}
	return out, nil
}
