package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"concierge/internal/concierge"
)

// APIKeyByHash returns the key, revoked or not, whose secret hashes to hash, with its property
// ids ascending, or concierge.ErrNotFound when there is none.
func (db *DB) APIKeyByHash(ctx context.Context, hash []byte) (concierge.APIKey, error) {
	k, err := db.apiKey(ctx, `hash = ?`, hash)
	return k, storeErr(err, "api key by hash")
}

// APIKeyByID returns the key with this id, revoked or not, with its property ids ascending, or
// concierge.ErrNotFound when there is none.
func (db *DB) APIKeyByID(ctx context.Context, id int64) (concierge.APIKey, error) {
	k, err := db.apiKey(ctx, `id = ?`, id)
	return k, storeErr(err, fmt.Sprintf("api key %d", id))
}

const apiKeyColumns = `id, name, hash, role, created_at, revoked_at`

// scanAPIKey reads a row of apiKeyColumns.
func scanAPIKey(r rowScanner) (concierge.APIKey, error) {
	var k concierge.APIKey
	var role string
	var created int64
	var revoked sql.NullInt64
	if err := r.Scan(&k.ID, &k.Name, &k.Hash, &role, &created, &revoked); err != nil {
		return concierge.APIKey{}, err
	}
	k.Role, k.CreatedAt, k.RevokedAt = concierge.Role(role), timeOf(created), nullTimeOf(revoked)
	return k, nil
}

// apiKeyQuery selects apiKeyColumns of a key with its property ids ascending and
// comma-separated (NULL when none), so that one statement (one snapshot) reads both.
const apiKeyQuery = `SELECT ` + apiKeyColumns + `,
	(SELECT group_concat(property_id, ',' ORDER BY property_id)
		FROM api_key_properties WHERE api_key_id = api_keys.id)
	FROM api_keys WHERE `

// apiKey reads the one key matching where (a condition on api_keys with one argument) and its
// grants, with one prepared statement; sql.ErrNoRows when there is none.
func (db *DB) apiKey(ctx context.Context, where string, arg any) (concierge.APIKey, error) {
	var k concierge.APIKey
	var role string
	var created int64
	var revoked sql.NullInt64
	var props sql.NullString
	err := db.readStmts.queryRow(ctx, nil, apiKeyQuery+where, arg).Scan(&k.ID, &k.Name, &k.Hash,
		&role, &created, &revoked, &props)
	if err != nil {
		return concierge.APIKey{}, err
	}
	k.Role, k.CreatedAt, k.RevokedAt = concierge.Role(role), timeOf(created), nullTimeOf(revoked)
	if k.PropertyIDs, err = parseIDList(props.String); err != nil {
		return concierge.APIKey{}, err
	}
	return k, nil
}

// ListAPIKeys returns the keys, revoked or not, whose id is greater than afterID, ascending by
// id, at most limit of them (limit ≤ 0: all), each with its property ids ascending. It errors
// only when the database fails.
func (db *DB) ListAPIKeys(ctx context.Context, afterID int64, limit int) ([]concierge.APIKey, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	var keys []concierge.APIKey
	err := db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE id > ?
			ORDER BY id LIMIT ?`, afterID, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			k, err := scanAPIKey(rows)
			if err != nil {
				return err
			}
			keys = append(keys, k)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(keys) == 0 {
			return nil
		}
		grants, err := tx.QueryContext(ctx, `SELECT api_key_id, property_id FROM api_key_properties
			WHERE api_key_id BETWEEN ? AND ? ORDER BY api_key_id, property_id`, keys[0].ID, keys[len(keys)-1].ID)
		if err != nil {
			return err
		}
		defer grants.Close()
		byID := make(map[int64]int, len(keys))
		for i, k := range keys {
			byID[k.ID] = i
		}
		for grants.Next() {
			var kid, pid int64
			if err := grants.Scan(&kid, &pid); err != nil {
				return err
			}
			if i, ok := byID[kid]; ok {
				keys[i].PropertyIDs = append(keys[i].PropertyIDs, pid)
			}
		}
		return grants.Err()
	})
	if err != nil {
		return nil, storeErr(err, "list api keys")
	}
	return keys, nil
}
