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
		var stay, guest sql.NullInt64
		err = tx.QueryRowContext(ctx, `SELECT scope, key, request_hash, done, status, content_type, body, created_at,
			secret_kind, secret_ref, stay_id, guest_id FROM idempotency_keys WHERE scope = ? AND key = ?`, rec.Scope, rec.Key).
			Scan(&existing.Scope, &existing.Key, &existing.RequestHash, &existing.Done, &existing.Status,
				&existing.ContentType, &body, &created, &existing.SecretKind, &existing.SecretRef, &stay, &guest)
		existing.Body, existing.CreatedAt = body, timeOf(created)
		existing.StayID, existing.GuestID = nullIDOf(stay), nullIDOf(guest)
		return err
	})
	if err != nil {
		return concierge.IdempotentRecord{}, false, storeErr(err, "reserve idempotency key")
	}
	return existing, inserted, nil
}

// CompleteIdempotencyKey stores the final answer of the reserved key rec.Scope, rec.Key (its
// status, content type, body, secret kind and reference, stay and guest);
// concierge.ErrNotFound when the reservation is gone.
func (db *DB) CompleteIdempotencyKey(ctx context.Context, rec concierge.IdempotentRecord) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := db.writeStmts.exec(ctx, tx, `UPDATE idempotency_keys SET done = 1, status = ?, content_type = ?, body = ?,
			secret_kind = ?, secret_ref = ?, stay_id = ?, guest_id = ? WHERE scope = ? AND key = ?`,
			rec.Status, rec.ContentType, rec.Body, rec.SecretKind, rec.SecretRef, rec.StayID, rec.GuestID, rec.Scope, rec.Key)
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
