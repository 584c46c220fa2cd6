package postgres

import (
	"context"
	"fmt"
	"time"

	"concierge/internal/concierge"

	"github.com/jackc/pgx/v5"
)

const outletColumns = `id, property_id, code, name, description, service_center_id,
	allow_guest_messages, allow_non_verified_guests, sort_order`

// scanOutlet reads a row of outletColumns (without hours).
func scanOutlet(r rowScanner) (concierge.Outlet, error) {
	var o concierge.Outlet
	err := r.Scan(&o.ID, &o.PropertyID, &o.Code, &o.Name, &o.Description, &o.ServiceCenterID,
		&o.AllowGuestMessages, &o.AllowNonVerifiedGuests, &o.SortOrder)
	return o, err
}

// CreateOutlet stores o with its opening hours (kept in the order given) and sets o.ID. It
// returns concierge.ErrConflict when the property already has an outlet with the same code,
// compared case-insensitively.
func (db *DB) CreateOutlet(ctx context.Context, o *concierge.Outlet) error {
	var id int64
	err := db.write(ctx, func(tx *wtx) error {
		var err error
		id, err = insertID(ctx, tx, `INSERT INTO outlets (property_id, code, name, description,
			service_center_id, allow_guest_messages, allow_non_verified_guests, sort_order)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			o.PropertyID, o.Code, o.Name, o.Description, o.ServiceCenterID,
			o.AllowGuestMessages, o.AllowNonVerifiedGuests, o.SortOrder)
		if err != nil {
			return err
		}
		return insertOutletHours(ctx, tx, id, o.Hours)
	})
	if err != nil {
		return storeErr(err, fmt.Sprintf("create outlet %q", o.Code))
	}
	o.ID = id
	return nil
}

// insertOutletHours stores the opening hours of outlet id, in one statement, positions 0, 1, …
// in the order given.
func insertOutletHours(ctx context.Context, tx *wtx, id int64, hours []concierge.OpeningHours) error {
	if len(hours) == 0 {
		return nil
	}
	days, opens, closes := make([]int32, len(hours)), make([]int32, len(hours)), make([]int32, len(hours))
	for i, h := range hours {
		days[i], opens[i], closes[i] = int32(h.Day), int32(h.Open), int32(h.Close)
	}
	_, err := tx.Exec(ctx, `INSERT INTO outlet_hours (outlet_id, position, day, open_min, close_min)
		SELECT $1, h.ord - 1, h.day, h.open, h.close
		FROM unnest($2::integer[], $3::integer[], $4::integer[]) WITH ORDINALITY AS h (day, open, close, ord)`,
		id, days, opens, closes)
	return err
}

// OutletsByProperty returns the property's outlets with their opening hours, ordered by sort
// order then code (byte-wise); an empty list when it has none (or does not exist).
func (db *DB) OutletsByProperty(ctx context.Context, propertyID int64) ([]concierge.Outlet, error) {
	out, err := db.outlets(ctx, `SELECT `+outletColumns+` FROM outlets WHERE property_id = $1
		ORDER BY sort_order, code COLLATE "C", id`, propertyID)
	return out, storeErr(err, fmt.Sprintf("outlets of property %d", propertyID))
}

// OutletByCode returns the property's outlet whose code equals code case-insensitively, with
// its hours, or concierge.ErrNotFound when there is none.
func (db *DB) OutletByCode(ctx context.Context, propertyID int64, code string) (concierge.Outlet, error) {
	out, err := db.outlets(ctx, `SELECT `+outletColumns+` FROM outlets
		WHERE property_id = $1 AND lower(code) = lower($2)`, propertyID, code)
	if err == nil && len(out) == 0 {
		err = concierge.ErrNotFound
	}
	if err != nil {
		return concierge.Outlet{}, storeErr(err, fmt.Sprintf("outlet %q", code))
	}
	return out[0], nil
}

// ListOutlets returns the property's outlets whose id is greater than afterID, ascending by
// id, at most limit (≤ 0: all), with their hours. It errors only when the database fails.
func (db *DB) ListOutlets(ctx context.Context, propertyID, afterID int64, limit int) ([]concierge.Outlet, error) {
	out, err := db.outlets(ctx, `SELECT `+outletColumns+` FROM outlets
		WHERE property_id = $1 AND id > $2 ORDER BY id LIMIT $3`, propertyID, afterID, limitArg(limit))
	return out, storeErr(err, "list outlets")
}

// outlets runs a query of outletColumns and fills in the hours of the outlets it lists, in one
// snapshot.
func (db *DB) outlets(ctx context.Context, sql string, args ...any) ([]concierge.Outlet, error) {
	var out []concierge.Outlet
	err := db.read(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			o, err := scanOutlet(rows)
			if err != nil {
				return err
			}
			out = append(out, o)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return fillOutletHours(ctx, tx, out)
	})
	return out, err
}

// fillOutletHours reads the opening hours of outlets, in the order they were listed.
func fillOutletHours(ctx context.Context, q querier, outlets []concierge.Outlet) error {
	if len(outlets) == 0 {
		return nil
	}
	index := make(map[int64]int, len(outlets))
	ids := make([]int64, len(outlets))
	for i, o := range outlets {
		index[o.ID] = i
		ids[i] = o.ID
	}
	rows, err := q.Query(ctx, `SELECT outlet_id, day, open_min, close_min FROM outlet_hours
		WHERE outlet_id = ANY($1) ORDER BY outlet_id, position`, ids)
	if err != nil {
		return err
	}
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

// UpdateOutlet stores every field of o but its ID, PropertyID and Code, and replaces its
// opening hours with o.Hours (in that order), in one transaction. It returns
// concierge.ErrNotFound when no outlet has o.ID.
func (db *DB) UpdateOutlet(ctx context.Context, o concierge.Outlet) error {
	err := db.write(ctx, func(tx *wtx) error {
		tag, err := tx.Exec(ctx, `UPDATE outlets SET name = $1, description = $2,
			service_center_id = $3, allow_guest_messages = $4, allow_non_verified_guests = $5,
			sort_order = $6 WHERE id = $7`, o.Name, o.Description, o.ServiceCenterID,
			o.AllowGuestMessages, o.AllowNonVerifiedGuests, o.SortOrder, o.ID)
		if err != nil {
			return err
		}
		if err := notFoundUnlessOne(tag); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM outlet_hours WHERE outlet_id = $1`, o.ID); err != nil {
			return err
		}
		return insertOutletHours(ctx, tx, o.ID, o.Hours)
	})
	return storeErr(err, fmt.Sprintf("update outlet %d", o.ID))
}
