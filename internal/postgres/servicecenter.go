package postgres

import (
	"context"
	"fmt"

	"concierge/internal/concierge"
)

const serviceCenterColumns = `id, property_id, code, name, staff_language`

// scanServiceCenter reads a row of serviceCenterColumns.
func scanServiceCenter(r rowScanner) (concierge.ServiceCenter, error) {
	var sc concierge.ServiceCenter
	err := r.Scan(&sc.ID, &sc.PropertyID, &sc.Code, &sc.Name, &sc.StaffLanguage)
	return sc, err
}

// CreateServiceCenter stores sc and sets sc.ID. It returns concierge.ErrConflict when the
// property already has a service center with the same code, compared case-insensitively.
func (db *DB) CreateServiceCenter(ctx context.Context, sc *concierge.ServiceCenter) error {
	var id int64
	err := db.write(ctx, func(tx *wtx) error {
		var err error
		id, err = insertID(ctx, tx, `INSERT INTO service_centers (property_id, code, name, staff_language)
			VALUES ($1, $2, $3, $4) RETURNING id`, sc.PropertyID, sc.Code, sc.Name, sc.StaffLanguage)
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
	sc, err := scanServiceCenter(db.pool.QueryRow(ctx, `SELECT `+serviceCenterColumns+`
		FROM service_centers WHERE id = $1`, id))
	if err != nil {
		return concierge.ServiceCenter{}, storeErr(err, fmt.Sprintf("service center %d", id))
	}
	return sc, nil
}

// ServiceCentersByIDs returns the service centers with these ids, ascending by id; ids that
// name no service center are skipped. It errors only when the database fails.
func (db *DB) ServiceCentersByIDs(ctx context.Context, ids []int64) ([]concierge.ServiceCenter, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	out, err := queryServiceCenters(ctx, db.pool, `SELECT `+serviceCenterColumns+`
		FROM service_centers WHERE id = ANY($1) ORDER BY id`, ids)
	return out, storeErr(err, "service centers by ids")
}

// queryServiceCenters runs a query of serviceCenterColumns and returns its rows.
func queryServiceCenters(ctx context.Context, q querier, sql string, args ...any) ([]concierge.ServiceCenter, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []concierge.ServiceCenter
	for rows.Next() {
		sc, err := scanServiceCenter(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}
