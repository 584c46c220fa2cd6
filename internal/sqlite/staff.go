package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"concierge/internal/concierge"
)

// StaffUserByUsername returns the staff user whose username equals username
// case-insensitively, with their service center and property ids ascending, or
// concierge.ErrNotFound when there is none.
func (db *DB) StaffUserByUsername(ctx context.Context, username string) (concierge.StaffUser, error) {
	u, err := db.staffUser(ctx, `username = ?`, username)
	return u, storeErr(err, fmt.Sprintf("staff user %q", username))
}

// StaffUserByID returns the staff user with this id, with their service center and property
// ids ascending, or concierge.ErrNotFound when there is none.
func (db *DB) StaffUserByID(ctx context.Context, id int64) (concierge.StaffUser, error) {
	u, err := db.staffUser(ctx, `id = ?`, id)
	return u, storeErr(err, fmt.Sprintf("staff user %d", id))
}

// staffUserGrantColumns selects a staff user (the table staff_users, unaliased) with their
// service center and property ids, each list ascending and comma-separated (NULL when empty),
// so that one statement (one snapshot) reads both the user and their grants;
// scanStaffUserGrants reads them.
const staffUserGrantColumns = `staff_users.id, staff_users.username, staff_users.display_name,
	staff_users.password_hash, staff_users.role, staff_users.created_at, staff_users.disabled_at,
	(SELECT group_concat(service_center_id, ',' ORDER BY service_center_id)
		FROM staff_user_service_centers WHERE staff_user_id = staff_users.id),
	(SELECT group_concat(property_id, ',' ORDER BY property_id)
		FROM staff_user_properties WHERE staff_user_id = staff_users.id)`

// staffUserQuery selects staffUserGrantColumns of the staff users matching the condition
// appended to it.
const staffUserQuery = `SELECT ` + staffUserGrantColumns + ` FROM staff_users WHERE `

// staffUser reads the one staff user matching where (a condition on staff_users with one
// argument) and their grants, with one prepared statement; sql.ErrNoRows when there is none.
func (db *DB) staffUser(ctx context.Context, where string, arg any) (concierge.StaffUser, error) {
	return scanStaffUserGrants(db.readStmts.queryRow(ctx, nil, staffUserQuery+where, arg))
}

// scanStaffUserGrants reads a row of staffUserGrantColumns.
func scanStaffUserGrants(r rowScanner) (concierge.StaffUser, error) {
	var u concierge.StaffUser
	var role string
	var created int64
	var disabled sql.NullInt64
	var centers, props sql.NullString
	err := r.Scan(&u.ID, &u.Username, &u.DisplayName, &u.PasswordHash, &role, &created, &disabled,
		&centers, &props)
	if err != nil {
		return concierge.StaffUser{}, err
	}
	u.Role, u.CreatedAt, u.DisabledAt = concierge.Role(role), timeOf(created), nullTimeOf(disabled)
	if u.ServiceCenterIDs, err = parseIDList(centers.String); err != nil {
		return concierge.StaffUser{}, err
	}
	if u.PropertyIDs, err = parseIDList(props.String); err != nil {
		return concierge.StaffUser{}, err
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

// parseIDList parses a comma-separated list of integers, as group_concat returns it; nil when
// list is empty. It errors when an element is not an integer.
func parseIDList(list string) ([]int64, error) {
	if list == "" {
		return nil, nil
	}
	out := make([]int64, 0, strings.Count(list, ",")+1)
	for list != "" {
		var elem string
		elem, list, _ = strings.Cut(list, ",")
		id, err := strconv.ParseInt(elem, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("id list: %w", err)
		}
		out = append(out, id)
	}
	return out, nil
}

// ServiceCentersByIDs returns the service centers with these ids, ascending by id; ids that
// name no service center are skipped. It errors only when the database fails.
func (db *DB) ServiceCentersByIDs(ctx context.Context, ids []int64) ([]concierge.ServiceCenter, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	rows, err := db.readStmts.query(ctx, nil, `SELECT id, property_id, code, name, staff_language
		FROM service_centers WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`, string(list))
	if err != nil {
		return nil, storeErr(err, "service centers by ids")
	}
	defer rows.Close()
	var out []concierge.ServiceCenter
	for rows.Next() {
		var sc concierge.ServiceCenter
		if err := rows.Scan(&sc.ID, &sc.PropertyID, &sc.Code, &sc.Name, &sc.StaffLanguage); err != nil {
			return nil, storeErr(err, "service centers by ids")
		}
		out = append(out, sc)
	}
	if err := rows.Err(); err != nil {
		return nil, storeErr(err, "service centers by ids")
	}
	return out, nil
}

// queryInt64s runs a query in tx whose rows are one integer each and returns them in order.
func queryInt64s(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
