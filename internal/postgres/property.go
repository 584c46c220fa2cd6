package postgres

import (
	"context"
	"fmt"

	"concierge/internal/concierge"
)

const propertyColumns = `id, code, name, brand_code, group_code, time_zone, default_language,
	hide_staff_names, created_at`

// scanProperty reads a row of propertyColumns.
func scanProperty(r rowScanner) (concierge.Property, error) {
	var p concierge.Property
	err := r.Scan(&p.ID, &p.Code, &p.Name, &p.BrandCode, &p.GroupCode, &p.TimeZone,
		&p.DefaultLanguage, &p.HideStaffNames, &p.CreatedAt)
	if err != nil {
		return concierge.Property{}, err
	}
	p.CreatedAt = utc(p.CreatedAt)
	return p, nil
}

// CountProperties returns how many properties exist, or an error when the database fails.
func (db *DB) CountProperties(ctx context.Context) (int, error) {
	var n int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM properties`).Scan(&n); err != nil {
		return 0, storeErr(err, "count properties")
	}
	return n, nil
}

// CreateProperty stores p and sets p.ID. It returns concierge.ErrConflict when another
// property has the same code, compared case-insensitively.
func (db *DB) CreateProperty(ctx context.Context, p *concierge.Property) error {
	var id int64
	err := db.write(ctx, func(tx *wtx) error {
		var err error
		id, err = insertID(ctx, tx, `INSERT INTO properties (code, name, brand_code, group_code,
			time_zone, default_language, hide_staff_names, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			p.Code, p.Name, p.BrandCode, p.GroupCode, p.TimeZone, p.DefaultLanguage,
			p.HideStaffNames, p.CreatedAt)
		return err
	})
	if err != nil {
		return storeErr(err, fmt.Sprintf("create property %q", p.Code))
	}
	p.ID = id
	return nil
}

// PropertyByCode returns the property whose code equals code case-insensitively, or
// concierge.ErrNotFound when there is none.
func (db *DB) PropertyByCode(ctx context.Context, code string) (concierge.Property, error) {
	p, err := scanProperty(db.pool.QueryRow(ctx,
		`SELECT `+propertyColumns+` FROM properties WHERE lower(code) = lower($1)`, code))
	return p, storeErr(err, fmt.Sprintf("property %q", code))
}

// PropertyByID returns the property with this id, or concierge.ErrNotFound when there is none.
func (db *DB) PropertyByID(ctx context.Context, id int64) (concierge.Property, error) {
	p, err := scanProperty(db.pool.QueryRow(ctx,
		`SELECT `+propertyColumns+` FROM properties WHERE id = $1`, id))
	return p, storeErr(err, fmt.Sprintf("property %d", id))
}
