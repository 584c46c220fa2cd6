package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"concierge/internal/concierge"
)

// CreateOrder stores o and sets o.ID. It returns concierge.ErrConflict when the property
// already has an order with the same code, compared case-insensitively.
func (db *DB) CreateOrder(ctx context.Context, o *concierge.Order) error {
	var id int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = insert(ctx, tx, `INSERT INTO orders (property_id, code, stay_id, outlet_id, status,
			updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			o.PropertyID, o.Code, nullIDArg(o.StayID), nullIDArg(o.OutletID), string(o.Status),
			timeArg(o.UpdatedAt))
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
	o, err := scanOrder(db.readers.QueryRowContext(ctx, `SELECT `+orderColumns+`
		FROM orders WHERE property_id = ? AND code = ?`, propertyID, code))
	return o, storeErr(err, fmt.Sprintf("order %q", code))
}

// OrderByID returns the order with the given id, or concierge.ErrNotFound.
func (db *DB) OrderByID(ctx context.Context, id int64) (concierge.Order, error) {
	o, err := scanOrder(db.readers.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM orders WHERE id = ?`, id))
	return o, storeErr(err, fmt.Sprintf("order %d", id))
}

const orderColumns = `id, property_id, code, stay_id, outlet_id, status, updated_at`

func scanOrder(r rowScanner) (concierge.Order, error) {
	var o concierge.Order
	var stay, outlet sql.NullInt64
	var status string
	var updated int64
	if err := r.Scan(&o.ID, &o.PropertyID, &o.Code, &stay, &outlet, &status, &updated); err != nil {
		return concierge.Order{}, err
	}
	o.StayID, o.OutletID = nullIDOf(stay), nullIDOf(outlet)
	o.Status, o.UpdatedAt = concierge.OrderStatus(status), timeOf(updated)
	return o, nil
}
