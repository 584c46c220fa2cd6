package postgres

import (
	"context"
	"fmt"

	"concierge/internal/concierge"
)

const orderColumns = `id, property_id, code, stay_id, outlet_id, status, updated_at`

// scanOrder reads a row of orderColumns.
func scanOrder(r rowScanner) (concierge.Order, error) {
	var o concierge.Order
	var status string
	if err := r.Scan(&o.ID, &o.PropertyID, &o.Code, &o.StayID, &o.OutletID, &status, &o.UpdatedAt); err != nil {
		return concierge.Order{}, err
	}
	o.Status, o.UpdatedAt = concierge.OrderStatus(status), utc(o.UpdatedAt)
	return o, nil
}

// insertOrder stores o in q and returns its id.
func insertOrder(ctx context.Context, q querier, o *concierge.Order) (int64, error) {
	return insertID(ctx, q, `INSERT INTO orders (property_id, code, stay_id, outlet_id, status,
		updated_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		o.PropertyID, o.Code, o.StayID, o.OutletID, string(o.Status), o.UpdatedAt)
}

// CreateOrder stores o and sets o.ID. It returns concierge.ErrConflict when the property
// already has an order with the same code, compared case-insensitively.
func (db *DB) CreateOrder(ctx context.Context, o *concierge.Order) error {
	var id int64
	err := db.write(ctx, func(tx *wtx) error {
		var err error
		id, err = insertOrder(ctx, tx, o)
		return err
	})
	if err != nil {
		return storeErr(err, fmt.Sprintf("create order %q", o.Code))
	}
	o.ID = id
	return nil
}

// OrderByCode returns the property's order whose code equals code case-insensitively, or
// concierge.ErrNotFound when there is none.
func (db *DB) OrderByCode(ctx context.Context, propertyID int64, code string) (concierge.Order, error) {
	o, err := orderByCode(ctx, db.pool, propertyID, code)
	return o, storeErr(err, fmt.Sprintf("order %q", code))
}

// orderByCode reads an order by code in q; pgx.ErrNoRows when none.
func orderByCode(ctx context.Context, q querier, propertyID int64, code string) (concierge.Order, error) {
	return scanOrder(q.QueryRow(ctx, `SELECT `+orderColumns+`
		FROM orders WHERE property_id = $1 AND lower(code) = lower($2)`, propertyID, code))
}

// OrderByID returns the order with the given id, or concierge.ErrNotFound.
func (db *DB) OrderByID(ctx context.Context, id int64) (concierge.Order, error) {
	o, err := scanOrder(db.pool.QueryRow(ctx, `SELECT `+orderColumns+` FROM orders WHERE id = $1`, id))
	return o, storeErr(err, fmt.Sprintf("order %d", id))
}
