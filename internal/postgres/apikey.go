package postgres

import (
	"context"
	"fmt"

	"concierge/internal/concierge"
)

// apiKeyColumns selects a key (aliased k) with its grants as an array.
const apiKeyColumns = `k.id, k.name, k.hash, k.role, k.created_at, k.revoked_at,
	array(SELECT property_id FROM api_key_properties WHERE api_key_id = k.id ORDER BY property_id)`

// scanAPIKey reads a row of apiKeyColumns.
func scanAPIKey(r rowScanner) (concierge.APIKey, error) {
	var k concierge.APIKey
	var role string
	if err := r.Scan(&k.ID, &k.Name, &k.Hash, &role, &k.CreatedAt, &k.RevokedAt, &k.PropertyIDs); err != nil {
		return concierge.APIKey{}, err
	}
	k.Role, k.CreatedAt, k.RevokedAt = concierge.Role(role), utc(k.CreatedAt), utcPtr(k.RevokedAt)
	if len(k.PropertyIDs) == 0 {
		k.PropertyIDs = nil
	}
	return k, nil
}

// APIKeyByHash returns the key, revoked or not, whose secret hashes to hash, with its property
// ids ascending, or concierge.ErrNotFound when there is none.
func (db *DB) APIKeyByHash(ctx context.Context, hash []byte) (concierge.APIKey, error) {
	k, err := scanAPIKey(db.pool.QueryRow(ctx, `SELECT `+apiKeyColumns+` FROM api_keys k WHERE hash = $1`, hash))
	return k, storeErr(err, "api key by hash")
}

// APIKeyByID returns the key with this id, revoked or not, with its property ids ascending, or
// concierge.ErrNotFound when there is none.
func (db *DB) APIKeyByID(ctx context.Context, id int64) (concierge.APIKey, error) {
	k, err := scanAPIKey(db.pool.QueryRow(ctx, `SELECT `+apiKeyColumns+` FROM api_keys k WHERE id = $1`, id))
	return k, storeErr(err, fmt.Sprintf("api key %d", id))
}

// ListAPIKeys returns the keys, revoked or not, whose id is greater than afterID, ascending by
// id, at most limit of them (limit ≤ 0: all), each with its property ids ascending. It errors
// only when the database fails.
func (db *DB) ListAPIKeys(ctx context.Context, afterID int64, limit int) ([]concierge.APIKey, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+apiKeyColumns+` FROM api_keys k WHERE id > $1
		ORDER BY id LIMIT $2`, afterID, limitArg(limit))
	if err != nil {
		return nil, storeErr(err, "list api keys")
	}
	defer rows.Close()
	var out []concierge.APIKey
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, storeErr(err, "list api keys")
		}
		out = append(out, k)
	}
	return out, storeErr(rows.Err(), "list api keys")
}
