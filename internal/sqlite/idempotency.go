package sqlite

import (
	"context"
	"database/sql"
	"time"

	"concierge/internal/concierge"
)

// ReserveIdempotencyKey inserts rec as in progress (inserted true), or, when its scope and key
// exist, returns the existing record and inserts nothing.
func (db *DB) ReserveIdempotencyKey(ctx context.Context, rec concierge.IdempotentRecord) (concierge.IdempotentRecord, bool, error) {
	var existing concierge.IdempotentRecord
	inserted := false
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := db.writeStmts.exec(ctx, tx, `INSERT INTO idempotency_keys (scope, key, request_hash, created_at)
			VALUES (?, ?, ?, ?) ON CONFLICT (scope, key) DO NOTHING`,
			rec.Scope, rec.Key, rec.RequestHash, timeArg(rec.CreatedAt))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			inserted = n == 1
			return err
		}
		var created int64
		var body []byte
		err = tx.QueryRowContext(ctx, `SELECT scope, key, request_hash, done, status, content_type, body, created_at
			FROM idempotency_keys WHERE scope = ? AND key = ?`, rec.Scope, rec.Key).
			Scan(&existing.Scope, &existing.Key, &existing.RequestHash, &existing.Done, &existing.Status,
				&existing.ContentType, &body, &created)
		existing.Body, existing.CreatedAt = body, timeOf(created)
		return err
	})
	if err != nil {
		return concierge.IdempotentRecord{}, false, storeErr(err, "reserve idempotency key")
	}
	return existing, inserted, nil
}

// CompleteIdempotencyKey stores the final answer of a reserved key; concierge.ErrNotFound when
// the reservation is gone.
func (db *DB) CompleteIdempotencyKey(ctx context.Context, scope, key string, status int, contentType string, body []byte) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := db.writeStmts.exec(ctx, tx, `UPDATE idempotency_keys SET done = 1, status = ?, content_type = ?, body = ?
			WHERE scope = ? AND key = ?`, status, contentType, body, scope, key)
		if err != nil {
			return err
		}
		return notFoundUnlessOne(res)
	})
	return storeErr(err, "complete idempotency key")
}

// ReleaseIdempotencyKey forgets a key; forgetting an unknown key is not an error.
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, scope, key string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE scope = ? AND key = ?`, scope, key)
		return err
	})
	return storeErr(err, "release idempotency key")
}

// PruneIdempotencyKeys forgets every key created before the given time.
func (db *DB) PruneIdempotencyKeys(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < ?`, timeArg(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), storeErr(err, "prune idempotency keys")
}
