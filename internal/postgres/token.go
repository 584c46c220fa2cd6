package postgres

import (
	"context"
	"fmt"

	"concierge/internal/concierge"
)

// CreateInterfaceToken stores t with its property grants and sets t.ID. A property listed twice
// is granted once. It appends audit (nil: none), its ObjectRef prefixed with the new id, in the
// same transaction. It returns concierge.ErrConflict when another token has the same hash.
func (db *DB) CreateInterfaceToken(ctx context.Context, t *concierge.InterfaceToken, audit *concierge.AuditEntry) error {
	var id int64
	err := db.write(ctx, func(tx *wtx) error {
		var err error
		id, err = insertID(ctx, tx, `INSERT INTO interface_tokens (name, hash, revoked_at, created_at)
			VALUES ($1, $2, $3, $4) RETURNING id`, t.Name, t.Hash, t.RevokedAt, t.CreatedAt)
		if err != nil {
			return err
		}
		if _, err = tx.Exec(ctx, `INSERT INTO interface_token_properties (token_id, property_id)
			SELECT $1, p FROM unnest($2::bigint[]) AS p ON CONFLICT DO NOTHING`, id, nonNil(t.PropertyIDs)); err != nil {
			return err
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
	t, err := scanInterfaceToken(db.pool.QueryRow(ctx, `SELECT `+interfaceTokenColumns+`
		FROM interface_tokens t WHERE hash = $1`, hash))
	return t, storeErr(err, "interface token by hash")
}

// interfaceTokenColumns selects a token (aliased t) with its grants as an array.
const interfaceTokenColumns = `t.id, t.name, t.hash, t.revoked_at, t.created_at,
	array(SELECT property_id FROM interface_token_properties WHERE token_id = t.id ORDER BY property_id)`

// scanInterfaceToken reads a row of interfaceTokenColumns.
func scanInterfaceToken(r rowScanner) (concierge.InterfaceToken, error) {
	var t concierge.InterfaceToken
	if err := r.Scan(&t.ID, &t.Name, &t.Hash, &t.RevokedAt, &t.CreatedAt, &t.PropertyIDs); err != nil {
		return concierge.InterfaceToken{}, err
	}
	t.RevokedAt, t.CreatedAt = utcPtr(t.RevokedAt), utc(t.CreatedAt)
	if len(t.PropertyIDs) == 0 {
		t.PropertyIDs = nil
	}
	return t, nil
}
