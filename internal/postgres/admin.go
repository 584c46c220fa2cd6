package postgres

import (
	"context"
	"fmt"

	"concierge/internal/concierge"
)

// The concierge.AdminStore methods for properties, service centers and interface tokens;
// outlets are in outlet.go and staff users in staff.go.

// ListProperties returns the properties whose id is greater than afterID, ascending by id, at
// most limit (≤ 0: all). It errors only when the database fails.
func (db *DB) ListProperties(ctx context.Context, afterID int64, limit int) ([]concierge.Property, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+propertyColumns+` FROM properties
		WHERE id > $1 ORDER BY id LIMIT $2`, afterID, limitArg(limit))
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
	err := db.execOne(ctx, `UPDATE properties SET name = $1, brand_code = $2, group_code = $3,
		time_zone = $4, default_language = $5, hide_staff_names = $6 WHERE id = $7`,
		p.Name, p.BrandCode, p.GroupCode, p.TimeZone, p.DefaultLanguage, p.HideStaffNames, p.ID)
	return storeErr(err, fmt.Sprintf("update property %d", p.ID))
}

// ServiceCenterByCode returns the property's service center whose code equals code
// case-insensitively, or concierge.ErrNotFound when there is none.
func (db *DB) ServiceCenterByCode(ctx context.Context, propertyID int64, code string) (concierge.ServiceCenter, error) {
	sc, err := scanServiceCenter(db.pool.QueryRow(ctx, `SELECT `+serviceCenterColumns+`
		FROM service_centers WHERE property_id = $1 AND lower(code) = lower($2)`, propertyID, code))
	if err != nil {
		return concierge.ServiceCenter{}, storeErr(err, fmt.Sprintf("service center %q", code))
	}
	return sc, nil
}

// ListServiceCenters returns the property's service centers whose id is greater than afterID,
// ascending by id, at most limit (≤ 0: all). It errors only when the database fails.
func (db *DB) ListServiceCenters(ctx context.Context, propertyID, afterID int64, limit int) ([]concierge.ServiceCenter, error) {
	out, err := queryServiceCenters(ctx, db.pool, `SELECT `+serviceCenterColumns+` FROM service_centers
		WHERE property_id = $1 AND id > $2 ORDER BY id LIMIT $3`, propertyID, afterID, limitArg(limit))
	return out, storeErr(err, "list service centers")
}

// UpdateServiceCenter stores the name and staff language of sc. It returns
// concierge.ErrNotFound when no service center has sc.ID.
func (db *DB) UpdateServiceCenter(ctx context.Context, sc concierge.ServiceCenter) error {
	err := db.execOne(ctx, `UPDATE service_centers SET name = $1, staff_language = $2
		WHERE id = $3`, sc.Name, sc.StaffLanguage, sc.ID)
	return storeErr(err, fmt.Sprintf("update service center %d", sc.ID))
}

// InterfaceTokenByID returns the token with this id, revoked or not, with its property ids
// ascending, or concierge.ErrNotFound when there is none.
func (db *DB) InterfaceTokenByID(ctx context.Context, id int64) (concierge.InterfaceToken, error) {
	t, err := scanInterfaceToken(db.pool.QueryRow(ctx, `SELECT `+interfaceTokenColumns+`
		FROM interface_tokens t WHERE id = $1`, id))
	if err != nil {
		return concierge.InterfaceToken{}, storeErr(err, fmt.Sprintf("interface token %d", id))
	}
	return t, nil
}

// ListInterfaceTokens returns the tokens, revoked or not, whose id is greater than afterID,
// ascending by id, at most limit (≤ 0: all), each with its property ids ascending. It errors
// only when the database fails.
func (db *DB) ListInterfaceTokens(ctx context.Context, afterID int64, limit int) ([]concierge.InterfaceToken, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+interfaceTokenColumns+` FROM interface_tokens t
		WHERE id > $1 ORDER BY id LIMIT $2`, afterID, limitArg(limit))
	if err != nil {
		return nil, storeErr(err, "list interface tokens")
	}
	defer rows.Close()
	var out []concierge.InterfaceToken
	for rows.Next() {
		t, err := scanInterfaceToken(rows)
		if err != nil {
			return nil, storeErr(err, "list interface tokens")
		}
		out = append(out, t)
	}
	return out, storeErr(rows.Err(), "list interface tokens")
}
