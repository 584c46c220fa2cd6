package postgres

import (
	"context"
	"fmt"

	"concierge/internal/concierge"
)

// staffUserColumns selects a staff user (aliased u) with their grants as arrays.
const staffUserColumns = `u.id, u.username, u.display_name, u.password_hash, u.role, u.created_at,
	u.disabled_at,
	array(SELECT service_center_id FROM staff_user_service_centers WHERE staff_user_id = u.id
		ORDER BY service_center_id),
	array(SELECT property_id FROM staff_user_properties WHERE staff_user_id = u.id ORDER BY property_id)`

// scanStaffUser reads a row of staffUserColumns.
func scanStaffUser(r rowScanner) (concierge.StaffUser, error) {
	var u concierge.StaffUser
	var role string
	if err := r.Scan(&u.ID, &u.Username, &u.DisplayName, &u.PasswordHash, &role, &u.CreatedAt,
		&u.DisabledAt, &u.ServiceCenterIDs, &u.PropertyIDs); err != nil {
		return concierge.StaffUser{}, err
	}
	u.Role, u.CreatedAt, u.DisabledAt = concierge.Role(role), utc(u.CreatedAt), utcPtr(u.DisabledAt)
	if len(u.ServiceCenterIDs) == 0 {
		u.ServiceCenterIDs = nil
	}
	if len(u.PropertyIDs) == 0 {
		u.PropertyIDs = nil
	}
	return u, nil
}

// prefixedRow is a row whose first columns are scanned into pre and the rest into what Scan
// is given, so that a row joining two objects can be read by each object's scan function.
type prefixedRow struct {
	r   rowScanner
	pre []any
}

// Scan scans the row into p.pre, then dest; it returns the row's error.
func (p prefixedRow) Scan(dest ...any) error {
	return p.r.Scan(append(p.pre[:len(p.pre):len(p.pre)], dest...)...)
}

// insertStaffGrants grants staff user id the service centers and properties (each once).
func insertStaffGrants(ctx context.Context, tx *wtx, id int64, centers, props []int64) error {
	if len(centers) > 0 {
		if _, err := tx.Exec(ctx, `INSERT INTO staff_user_service_centers (staff_user_id, service_center_id)
			SELECT $1, sc FROM unnest($2::bigint[]) AS sc ON CONFLICT DO NOTHING`, id, centers); err != nil {
			return err
		}
	}
	if len(props) > 0 {
		if _, err := tx.Exec(ctx, `INSERT INTO staff_user_properties (staff_user_id, property_id)
			SELECT $1, p FROM unnest($2::bigint[]) AS p ON CONFLICT DO NOTHING`, id, props); err != nil {
			return err
		}
	}
	return nil
}

// StaffUserByUsername returns the staff user whose username equals username
// case-insensitively, with their service center and property ids ascending, or
// concierge.ErrNotFound when there is none.
func (db *DB) StaffUserByUsername(ctx context.Context, username string) (concierge.StaffUser, error) {
	u, err := scanStaffUser(db.pool.QueryRow(ctx, `SELECT `+staffUserColumns+`
		FROM staff_users u WHERE lower(username) = lower($1)`, username))
	return u, storeErr(err, fmt.Sprintf("staff user %q", username))
}

// StaffUserByID returns the staff user with this id, with their service center and property
// ids ascending, or concierge.ErrNotFound when there is none.
func (db *DB) StaffUserByID(ctx context.Context, id int64) (concierge.StaffUser, error) {
	u, err := scanStaffUser(db.pool.QueryRow(ctx, `SELECT `+staffUserColumns+`
		FROM staff_users u WHERE id = $1`, id))
	return u, storeErr(err, fmt.Sprintf("staff user %d", id))
}

// ListStaffUsers returns the staff users whose id is greater than afterID, ascending by id, at
// most limit (≤ 0: all), each with their service center and property ids ascending. It errors
// only when the database fails.
func (db *DB) ListStaffUsers(ctx context.Context, afterID int64, limit int) ([]concierge.StaffUser, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+staffUserColumns+` FROM staff_users u
		WHERE id > $1 ORDER BY id LIMIT $2`, afterID, limitArg(limit))
	if err != nil {
		return nil, storeErr(err, "list staff users")
	}
	defer rows.Close()
	var out []concierge.StaffUser
	for rows.Next() {
		u, err := scanStaffUser(rows)
		if err != nil {
			return nil, storeErr(err, "list staff users")
		}
		out = append(out, u)
	}
	return out, storeErr(rows.Err(), "list staff users")
}
