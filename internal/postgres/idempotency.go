package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"concierge/internal/concierge"

	"github.com/jackc/pgx/v5"
)

// ReserveIdempotencyKey inserts rec as in progress (inserted true), or, when its scope and key
// exist, returns the existing record and inserts nothing. Two nodes reserving the same key at
// once insert it once: the second's insert waits for the first's commit, then does nothing and
// reads its record. (A record released between that insert and the read is reserved again.)
func (db *DB) ReserveIdempotencyKey(ctx context.Context, rec concierge.IdempotentRecord) (concierge.IdempotentRecord, bool, error) {
	for range writeAttempts {
		tag, err := db.exec(ctx, `INSERT INTO idempotency_keys (scope, key, request_hash, created_at)
			VALUES ($1, $2, $3, $4) ON CONFLICT (scope, key) DO NOTHING`,
			rec.Scope, rec.Key, rec.RequestHash, rec.CreatedAt)
		if err != nil {
			return concierge.IdempotentRecord{}, false, storeErr(err, "reserve idempotency key")
		}
		if tag.RowsAffected() == 1 {
			return concierge.IdempotentRecord{}, true, nil
		}
		var existing concierge.IdempotentRecord
		err = db.pool.QueryRow(ctx, `SELECT scope, key, request_hash, done, status, content_type, body,
			created_at, secret_kind, secret_ref, stay_id, guest_id FROM idempotency_keys WHERE scope = $1 AND key = $2`, rec.Scope, rec.Key).
			Scan(&existing.Scope, &existing.Key, &existing.RequestHash, &existing.Done, &existing.Status,
				&existing.ContentType, &existing.Body, &existing.CreatedAt, &existing.SecretKind, &existing.SecretRef,
				&existing.StayID, &existing.GuestID)
		if errors.Is(err, pgx.ErrNoRows) {
			continue // released since the insert: reserve again
		}
		if err != nil {
			return concierge.IdempotentRecord{}, false, storeErr(err, "reserve idempotency key")
		}
		existing.CreatedAt = utc(existing.CreatedAt)
		return existing, false, nil
	}
	return concierge.IdempotentRecord{}, false, fmt.Errorf("postgres: reserve idempotency key: released %d times while being reserved", writeAttempts)
}

// CompleteIdempotencyKey stores the final answer of the reserved key rec.Scope, rec.Key (its
// status, content type, body, secret kind and reference, stay and guest);
// concierge.ErrNotFound when the reservation is gone.
func (db *DB) CompleteIdempotencyKey(ctx context.Context, rec concierge.IdempotentRecord) error {
	err := db.execOne(ctx, `UPDATE idempotency_keys SET done = true, status = $1, content_type = $2,
		body = $3, secret_kind = $4, secret_ref = $5, stay_id = $6, guest_id = $7 WHERE scope = $8 AND key = $9`,
		rec.Status, rec.ContentType, rec.Body, rec.SecretKind, rec.SecretRef, rec.StayID, rec.GuestID, rec.Scope, rec.Key)
	return storeErr(err, "complete idempotency key")
}

// ReleaseIdempotencyKey forgets a key; forgetting an unknown key is not an error.
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, scope, key string) error {
	_, err := db.exec(ctx, `DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2`, scope, key)
	return storeErr(err, "release idempotency key")
}

// PruneIdempotencyKeys forgets every key created before the given time and returns how many.
func (db *DB) PruneIdempotencyKeys(ctx context.Context, before time.Time) (int, error) {
	tag, err := db.exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, bound(before))
	return int(tag.RowsAffected()), storeErr(err, "prune idempotency keys")
}
