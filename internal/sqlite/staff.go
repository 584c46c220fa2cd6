package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"concierge/internal/concierge"
)

// CreateStaffUser stores u with their service centers and properties (each listed twice is
// granted once) and sets u.ID. It returns concierge.ErrConflict when another staff user has
// the same username, compared case-insensitively.
func (db *DB) CreateStaffUser(ctx context.Context, u *concierge.StaffUser) error {
	var id int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = insert(ctx, tx, `INSERT INTO staff_users (username, display_name, password_hash,
			role, created_at) VALUES (?, ?, ?, ?, ?)`,
			u.Username, u.DisplayName, u.PasswordHash, string(u.Role), timeArg(u.CreatedAt))
		if err != nil {
			return err
		}
		for _, sc := range u.ServiceCenterIDs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO staff_user_service_centers (staff_user_id,
				service_center_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, sc); err != nil {
				return err
			}
		}
		for _, p := range u.PropertyIDs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO staff_user_properties (staff_user_id,
				property_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return storeErr(err, fmt.Sprintf("create staff user %q", u.Username))
	}
	u.ID = id
	return nil
}
