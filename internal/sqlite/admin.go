package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"concierge/internal/concierge"
)

// The concierge.AdminStore methods: listing and updating configuration for the admin API.

// noLimit turns a limit ≤ 0 into SQLite's "no limit".
func noLimit(limit int) int {
	if limit <= 0 {
		return -1
	}
	return limit
}

// idList renders ids as a JSON array, for `IN (SELECT value FROM json_each(?))`.
func idList(ids []int64) string {
	if len(ids) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(ids) // cannot fail for []int64
	return string(b)
}

// ListProperties returns the properties whose id is greater than afterID, ascending by id, at
// most limit (≤ 0: all). It errors only when the database fails.
func (db *DB) ListProperties(ctx context.Context, afterID int64, limit int) ([]concierge.Property, error) {
	rows, err := db.readers.QueryContext(ctx, `SELECT `+propertyColumns+` FROM properties
		WHERE id > ? ORDER BY id LIMIT ?`, afterID, noLimit(limit))
	if err != nil {
		return nil, storeErr(err, "list properties")
	}
	defer rows.Close()
	var out []concierge.Property
	for rows.Next() {
		p, err := scanProperty(rows)
		if err != nil {
			return nil, storeErr(err, "list properties")
		}
		out = append(out, p)
	}
	return out, storeErr(rows.Err(), "list properties")
}

// UpdateProperty stores every field of p but its ID, Code and CreatedAt. It returns
// concierge.ErrNotFound when no property has p.ID.
func (db *DB) UpdateProperty(ctx context.Context, p concierge.Property) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE properties SET name = ?, brand_code = ?, group_code = ?,
			time_zone = ?, default_language = ?, hide_staff_names = ? WHERE id = ?`,
			p.Name, p.BrandCode, p.GroupCode, p.TimeZone, p.DefaultLanguage, p.HideStaffNames, p.ID)
		if err != nil {
			return err
		}
		return notFoundUnlessOne(res)
	})
	return storeErr(err, fmt.Sprintf("update property %d", p.ID))
}

const serviceCenterColumns = `id, property_id, code, name, staff_language`

// scanServiceCenter reads a row of serviceCenterColumns.
func scanServiceCenter(r rowScanner) (concierge.ServiceCenter, error) {
	var sc concierge.ServiceCenter
	err := r.Scan(&sc.ID, &sc.PropertyID, &sc.Code, &sc.Name, &sc.StaffLanguage)
	return sc, err
}

// ServiceCenterByCode returns the property's service center whose code equals code
// case-insensitively, or concierge.ErrNotFound when there is none.
func (db *DB) ServiceCenterByCode(ctx context.Context, propertyID int64, code string) (concierge.ServiceCenter, error) {
	sc, err := scanServiceCenter(db.readers.QueryRowContext(ctx, `SELECT `+serviceCenterColumns+`
		FROM service_centers WHERE property_id = ? AND code = ?`, propertyID, code))
	if err != nil {
		return concierge.ServiceCenter{}, storeErr(err, fmt.Sprintf("service center %q", code))
	}
	return sc, nil
}

// ListServiceCenters returns the property's service centers whose id is greater than afterID,
// ascending by id, at most limit (≤ 0: all). It errors only when the database fails.
func (db *DB) ListServiceCenters(ctx context.Context, propertyID, afterID int64, limit int) ([]concierge.ServiceCenter, error) {
	rows, err := db.readers.QueryContext(ctx, `SELECT `+serviceCenterColumns+` FROM service_centers
		WHERE property_id = ? AND id > ? ORDER BY id LIMIT ?`, propertyID, afterID, noLimit(limit))
	if err != nil {
		return nil, storeErr(err, "list service centers")
	}
	defer rows.Close()
	var out []concierge.ServiceCenter
	for rows.Next() {
		sc, err := scanServiceCenter(rows)
		if err != nil {
			return nil, storeErr(err, "list service centers")
		}
		out = append(out, sc)
	}
	return out, storeErr(rows.Err(), "list service centers")
}

// UpdateServiceCenter stores the name and staff language of sc. It returns
// concierge.ErrNotFound when no service center has sc.ID.
func (db *DB) UpdateServiceCenter(ctx context.Context, sc concierge.ServiceCenter) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE service_centers SET name = ?, staff_language = ?
			WHERE id = ?`, sc.Name, sc.StaffLanguage, sc.ID)
		if err != nil {
			return err
		}
		return notFoundUnlessOne(res)
	})
	return storeErr(err, fmt.Sprintf("update service center %d", sc.ID))
}

const outletColumns = `id, property_id, code, name, description, service_center_id,
	allow_guest_messages, allow_non_verified_guests, sort_order`

// scanOutlet reads a row of outletColumns.
func scanOutlet(r rowScanner) (concierge.Outlet, error) {
	var o concierge.Outlet
	err := r.Scan(&o.ID, &o.PropertyID, &o.Code, &o.Name, &o.Description, &o.ServiceCenterID,
		&o.AllowGuestMessages, &o.AllowNonVerifiedGuests, &o.SortOrder)
	return o, err
}

// fillOutletHours reads the opening hours of outlets, in the order they were listed.
func fillOutletHours(ctx context.Context, tx *sql.Tx, outlets []concierge.Outlet) error {
	if len(outlets) == 0 {
		return nil
	}
	index := make(map[int64]int, len(outlets))
	ids := make([]int64, len(outlets))
	for i, o := range outlets {
		index[o.ID] = i
		ids[i] = o.ID
	}
	rows, err := tx.QueryContext(ctx, `SELECT outlet_id, day, open_min, close_min FROM outlet_hours
		WHERE outlet_id IN (SELECT value FROM json_each(?)) ORDER BY outlet_id, position`, idList(ids))
	if err != nil {
		return err
	}
	return scanOutletHours(rows, outlets, index)
}

// OutletByCode returns the property's outlet whose code equals code case-insensitively, with
// its hours, or concierge.ErrNotFound when there is none.
func (db *DB) OutletByCode(ctx context.Context, propertyID int64, code string) (concierge.Outlet, error) {
	var o concierge.Outlet
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		if o, err = scanOutlet(tx.QueryRowContext(ctx, `SELECT `+outletColumns+` FROM outlets
			WHERE property_id = ? AND code = ?`, propertyID, code)); err != nil {
			return err
		}
		list := []concierge.Outlet{o}
		err = fillOutletHours(ctx, tx, list)
		o = list[0]
		return err
	})
	if err != nil {
		return concierge.Outlet{}, storeErr(err, fmt.Sprintf("outlet %q", code))
	}
	return o, nil
}

// ListOutlets returns the property's outlets whose id is greater than afterID, ascending by
// id, at most limit (≤ 0: all), with their hours. It errors only when the database fails.
func (db *DB) ListOutlets(ctx context.Context, propertyID, afterID int64, limit int) ([]concierge.Outlet, error) {
	var out []concierge.Outlet
	err := db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+outletColumns+` FROM outlets
			WHERE property_id = ? AND id > ? ORDER BY id LIMIT ?`, propertyID, afterID, noLimit(limit))
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
	if err != nil {
		return nil, storeErr(err, "list outlets")
	}
	return out, nil
}

// UpdateOutlet stores every field of o but its ID, PropertyID and Code, and replaces its
// opening hours with o.Hours (in that order), in one transaction. It returns
// concierge.ErrNotFound when no outlet has o.ID.
func (db *DB) UpdateOutlet(ctx context.Context, o concierge.Outlet) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outlets SET name = ?, description = ?,
			service_center_id = ?, allow_guest_messages = ?, allow_non_verified_guests = ?,
			sort_order = ? WHERE id = ?`, o.Name, o.Description, o.ServiceCenterID,
			o.AllowGuestMessages, o.AllowNonVerifiedGuests, o.SortOrder, o.ID)
		if err != nil {
			return err
		}
		if err := notFoundUnlessOne(res); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM outlet_hours WHERE outlet_id = ?`, o.ID); err != nil {
			return err
		}
		for i, h := range o.Hours {
			if _, err := tx.ExecContext(ctx, `INSERT INTO outlet_hours (outlet_id, position, day,
				open_min, close_min) VALUES (?, ?, ?, ?, ?)`, o.ID, i, int(h.Day), h.Open, h.Close); err != nil {
				return err
			}
		}
		return nil
	})
	return storeErr(err, fmt.Sprintf("update outlet %d", o.ID))
}

const staffUserColumns = `id, username, display_name, password_hash, role, created_at, disabled_at`

// scanStaffUser reads a row of staffUserColumns (without grants).
func scanStaffUser(r rowScanner) (concierge.StaffUser, error) {
	var u concierge.StaffUser
	var role string
	var created int64
	var disabled sql.NullInt64
	if err := r.Scan(&u.ID, &u.Username, &u.DisplayName, &u.PasswordHash, &role, &created, &disabled); err != nil {
		return concierge.StaffUser{}, err
	}
	u.Role, u.CreatedAt, u.DisabledAt = concierge.Role(role), timeOf(created), nullTimeOf(disabled)
	return u, nil
}

// insertStaffGrants grants staff user id the service centers and properties (each once).
func insertStaffGrants(ctx context.Context, tx *sql.Tx, id int64, centers, props []int64) error {
	for _, sc := range centers {
		if _, err := tx.ExecContext(ctx, `INSERT INTO staff_user_service_centers (staff_user_id,
			service_center_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, sc); err != nil {
			return err
		}
	}
	for _, p := range props {
		if _, err := tx.ExecContext(ctx, `INSERT INTO staff_user_properties (staff_user_id,
			property_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, p); err != nil {
			return err
		}
	}
	return nil
}

// ListStaffUsers returns the staff users whose id is greater than afterID, ascending by id, at
// most limit (≤ 0: all), each with their service center and property ids ascending. It errors
// only when the database fails.
func (db *DB) ListStaffUsers(ctx context.Context, afterID int64, limit int) ([]concierge.StaffUser, error) {
	var out []concierge.StaffUser
	err := db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+staffUserColumns+` FROM staff_users
			WHERE id > ? ORDER BY id LIMIT ?`, afterID, noLimit(limit))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			u, err := scanStaffUser(rows)
			if err != nil {
				return err
			}
			out = append(out, u)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			u := &out[i]
			if u.ServiceCenterIDs, err = queryInt64s(ctx, tx, `SELECT service_center_id
				FROM staff_user_service_centers WHERE staff_user_id = ? ORDER BY service_center_id`, u.ID); err != nil {
				return err
			}
			if u.PropertyIDs, err = queryInt64s(ctx, tx, `SELECT property_id FROM staff_user_properties
				WHERE staff_user_id = ? ORDER BY property_id`, u.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, storeErr(err, "list staff users")
	}
	return out, nil
}

const interfaceTokenColumns = `id, name, hash, revoked_at, created_at`

// scanInterfaceToken reads a row of interfaceTokenColumns (without grants).
func scanInterfaceToken(r rowScanner) (concierge.InterfaceToken, error) {
	var t concierge.InterfaceToken
	var revoked sql.NullInt64
	var created int64
	if err := r.Scan(&t.ID, &t.Name, &t.Hash, &revoked, &created); err != nil {
		return concierge.InterfaceToken{}, err
	}
	t.RevokedAt, t.CreatedAt = nullTimeOf(revoked), timeOf(created)
	return t, nil
}

// InterfaceTokenByID returns the token with this id, revoked or not, with its property ids
// ascending, or concierge.ErrNotFound when there is none.
func (db *DB) InterfaceTokenByID(ctx context.Context, id int64) (concierge.InterfaceToken, error) {
	var t concierge.InterfaceToken
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		if t, err = scanInterfaceToken(tx.QueryRowContext(ctx, `SELECT `+interfaceTokenColumns+`
			FROM interface_tokens WHERE id = ?`, id)); err != nil {
			return err
		}
		t.PropertyIDs, err = queryInt64s(ctx, tx, `SELECT property_id FROM interface_token_properties
			WHERE token_id = ? ORDER BY property_id`, t.ID)
		return err
	})
	if err != nil {
		return concierge.InterfaceToken{}, storeErr(err, fmt.Sprintf("interface token %d", id))
	}
	return t, nil
}

// ListInterfaceTokens returns the tokens, revoked or not, whose id is greater than afterID,
// ascending by id, at most limit (≤ 0: all), each with its property ids ascending. It errors
// only when the database fails.
func (db *DB) ListInterfaceTokens(ctx context.Context, afterID int64, limit int) ([]concierge.InterfaceToken, error) {
	var out []concierge.InterfaceToken
	err := db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+interfaceTokenColumns+` FROM interface_tokens
			WHERE id > ? ORDER BY id LIMIT ?`, afterID, noLimit(limit))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			t, err := scanInterfaceToken(rows)
			if err != nil {
				return err
			}
			out = append(out, t)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			if out[i].PropertyIDs, err = queryInt64s(ctx, tx, `SELECT property_id
				FROM interface_token_properties WHERE token_id = ? ORDER BY property_id`, out[i].ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, storeErr(err, "list interface tokens")
	}
	return out, nil
}
