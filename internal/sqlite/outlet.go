package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"concierge/internal/concierge"
)

// CreateOutlet stores o with its opening hours (kept in the order given) and sets o.ID. It
// returns concierge.ErrConflict when the property already has an outlet with the same code,
// compared case-insensitively.
func (db *DB) CreateOutlet(ctx context.Context, o *concierge.Outlet) error {
	var id int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = insert(ctx, tx, `INSERT INTO outlets (property_id, code, name, description,
			service_center_id, allow_guest_messages, allow_non_verified_guests, sort_order)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			o.PropertyID, o.Code, o.Name, o.Description, o.ServiceCenterID,
			o.AllowGuestMessages, o.AllowNonVerifiedGuests, o.SortOrder)
		if err != nil {
			return err
		}
		for i, h := range o.Hours {
			if _, err := tx.ExecContext(ctx, `INSERT INTO outlet_hours (outlet_id, position, day,
				open_min, close_min) VALUES (?, ?, ?, ?, ?)`, id, i, int(h.Day), h.Open, h.Close); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return storeErr(err, fmt.Sprintf("create outlet %q", o.Code))
	}
	o.ID = id
	return nil
}

// OutletsByProperty returns the property's outlets with their opening hours, ordered by sort
// order then code (byte-wise); an empty list when it has none (or does not exist).
func (db *DB) OutletsByProperty(ctx context.Context, propertyID int64) ([]concierge.Outlet, error) {
	var outlets []concierge.Outlet
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		if outlets, err = db.queryOutlets(ctx, tx, propertyID); err != nil {
			return err
		}
		return db.queryOutletHours(ctx, tx, propertyID, outlets)
	})
	if err != nil {
		return nil, storeErr(err, fmt.Sprintf("outlets of property %d", propertyID))
	}
	return outlets, nil
}

// queryOutlets reads the property's outlets, without hours, in sort order then code, in tx (a
// read transaction).
func (db *DB) queryOutlets(ctx context.Context, tx *sql.Tx, propertyID int64) ([]concierge.Outlet, error) {
	rows, err := db.readStmts.query(ctx, tx, `SELECT id, property_id, code, name, description,
		service_center_id, allow_guest_messages, allow_non_verified_guests, sort_order
		FROM outlets WHERE property_id = ? ORDER BY sort_order, code COLLATE BINARY, id`, propertyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []concierge.Outlet
	for rows.Next() {
		var o concierge.Outlet
		if err := rows.Scan(&o.ID, &o.PropertyID, &o.Code, &o.Name, &o.Description,
			&o.ServiceCenterID, &o.AllowGuestMessages, &o.AllowNonVerifiedGuests, &o.SortOrder); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// queryOutletHours fills the Hours of outlets, which are the property's, in tx (a read
// transaction).
func (db *DB) queryOutletHours(ctx context.Context, tx *sql.Tx, propertyID int64, outlets []concierge.Outlet) error {
	if len(outlets) == 0 {
		return nil
	}
	index := make(map[int64]int, len(outlets))
	for i, o := range outlets {
		index[o.ID] = i
	}
	rows, err := db.readStmts.query(ctx, tx, `SELECT h.outlet_id, h.day, h.open_min, h.close_min
		FROM outlet_hours h JOIN outlets o ON o.id = h.outlet_id
		WHERE o.property_id = ? ORDER BY h.outlet_id, h.position`, propertyID)
	if err != nil {
		return err
	}
	return scanOutletHours(rows, outlets, index)
}

// scanOutletHours reads rows of (outlet_id, day, open_min, close_min), in position order, into
// the Hours of the outlets, found by id through index, and closes rows.
func scanOutletHours(rows *sql.Rows, outlets []concierge.Outlet, index map[int64]int) error {
	defer rows.Close()
	for rows.Next() {
		var outletID int64
		var day int
		var h concierge.OpeningHours
		if err := rows.Scan(&outletID, &day, &h.Open, &h.Close); err != nil {
			return err
		}
		h.Day = time.Weekday(day)
		if i, ok := index[outletID]; ok {
			outlets[i].Hours = append(outlets[i].Hours, h)
		}
	}
	return rows.Err()
}
