package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"concierge/internal/concierge"
)

// CreateInterfaceToken stores t with its property grants and sets t.ID. A property listed twice
// is granted once. It appends audit (nil: none), its ObjectRef prefixed with the new id, in the
// same transaction. It returns concierge.ErrConflict when another token has the same hash.
func (db *DB) CreateInterfaceToken(ctx context.Context, t *concierge.InterfaceToken, audit *concierge.AuditEntry) error {
	var id int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = insert(ctx, tx, `INSERT INTO interface_tokens (name, hash, revoked_at, created_at)
			VALUES (?, ?, ?, ?)`, t.Name, t.Hash, nullTimeArg(t.RevokedAt), timeArg(t.CreatedAt))
		if err != nil {
			return err
		}
		for _, pid := range t.PropertyIDs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO interface_token_properties (token_id, property_id)
				VALUES (?, ?) ON CONFLICT DO NOTHING`, id, pid); err != nil {
				return err
			}
		}
		return appendAudit(ctx, tx, createdAudit(audit, id))
	})
	if err != nil {
		return storeErr(err, fmt.Sprintf("create interface token %q", t.Name))
	}
	t.ID = id
	return nil
}

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
