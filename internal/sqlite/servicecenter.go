package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"concierge/internal/concierge"
)

// CreateServiceCenter stores sc and sets sc.ID. It returns concierge.ErrConflict when the
// property already has a service center with the same code, compared case-insensitively.
func (db *DB) CreateServiceCenter(ctx context.Context, sc *concierge.ServiceCenter) error {
	var id int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = insert(ctx, tx, `INSERT INTO service_centers (property_id, code, name, staff_language)
			VALUES (?, ?, ?, ?)`, sc.PropertyID, sc.Code, sc.Name, sc.StaffLanguage)
		return err
	})
	if err != nil {
		return storeErr(err, fmt.Sprintf("create service center %q", sc.Code))
	}
	sc.ID = id
	return nil
}

// ServiceCenterByID returns the service center with this id, or concierge.ErrNotFound when
// there is none.
func (db *DB) ServiceCenterByID(ctx context.Context, id int64) (concierge.ServiceCenter, error) {
	var sc concierge.ServiceCenter
	err := db.readStmts.queryRow(ctx, nil, `SELECT id, property_id, code, name, staff_language
		FROM service_centers WHERE id = ?`, id).
		Scan(&sc.ID, &sc.PropertyID, &sc.Code, &sc.Name, &sc.StaffLanguage)
	if err != nil {
		return concierge.ServiceCenter{}, storeErr(err, fmt.Sprintf("service center %d", id))
	}
	return sc, nil
}
