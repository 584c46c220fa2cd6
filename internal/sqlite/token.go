package sqlite

import (
	"context"
	"database/sql"

	"concierge/internal/concierge"
)

// InterfaceTokenByHash returns the token, revoked or not, whose secret hashes to hash, with its
// property ids in ascending order; concierge.ErrNotFound when there is none.
func (db *DB) InterfaceTokenByHash(ctx context.Context, hash []byte) (concierge.InterfaceToken, error) {
	var t concierge.InterfaceToken
	err := db.read(ctx, func(tx *sql.Tx) error {
		var revoked sql.NullInt64
		var created int64
		err := tx.QueryRowContext(ctx, `SELECT id, name, hash, revoked_at, created_at
			FROM interface_tokens WHERE hash = ?`, hash).
			Scan(&t.ID, &t.Name, &t.Hash, &revoked, &created)
		if err != nil {
			return err
		}
		t.RevokedAt, t.CreatedAt = nullTimeOf(revoked), timeOf(created)
		rows, err := tx.QueryContext(ctx, `SELECT property_id FROM interface_token_properties
			WHERE token_id = ? ORDER BY property_id`, t.ID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var pid int64
			if err := rows.Scan(&pid); err != nil {
				return err
			}
			t.PropertyIDs = append(t.PropertyIDs, pid)
		}
		return rows.Err()
	})
	if err != nil {
		return concierge.InterfaceToken{}, storeErr(err, "interface token by hash")
	}
	return t, nil
}
