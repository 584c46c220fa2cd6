package postgres

import (
	"context"

	"concierge/internal/concierge"
)

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
