package postgres

import (
	"context"
	"fmt"

	"concierge/internal/concierge"
)

// CreateAPIKey stores k with its property grants (a property listed twice is granted once) and
// sets k.ID, and appends audit (nil: none), its ObjectRef prefixed with the new id, in the same
// transaction. It returns concierge.ErrConflict when another key has the same hash.
func (db *DB) CreateAPIKey(ctx context.Context, k *concierge.APIKey, audit *concierge.AuditEntry) error {
	var id int64
	err := db.write(ctx, func(tx *wtx) error {
		var err error
		id, err = insertID(ctx, tx, `INSERT INTO api_keys (name, hash, role, created_at, revoked_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, k.Name, k.Hash, string(k.Role), k.CreatedAt, k.RevokedAt)
		if err != nil {
			return err
		}
		if _, err = tx.Exec(ctx, `INSERT INTO api_key_properties (api_key_id, property_id)
			SELECT $1, p FROM unnest($2::bigint[]) AS p ON CONFLICT DO NOTHING`, id, nonNil(k.PropertyIDs)); err != nil {
			return err
		}
		return appendAudit(ctx, tx, createdAudit(audit, id))
	})
	if err != nil {
		return storeErr(err, fmt.Sprintf("create api key %q", k.Name))
	}
	k.ID = id
	return nil
}

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
