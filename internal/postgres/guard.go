package postgres

// Shared by every node on the database: see the comment at the top of ratelimit.go.

import (
	"context"
	"fmt"
	"time"
)

// GuardPolicy is how a back-off slows down repeated failures of one key (a property and room
// being verified, a staff username or client address logging in), the policy of
// ratelimit.Backoff: the first Free failures are free; each further failure blocks the key for
// Base·2^(n−Free−1) (n counting failures), at most MaxDelay; failures are counted until Window
// has passed since the latest one and since the block ended.
type GuardPolicy struct {
	Free     int
	Base     time.Duration
	MaxDelay time.Duration
	Window   time.Duration
}

// GuardCheck reports whether key in back-off scope may make an attempt at now, as every node
// on the database sees it; when it may not, retryAfter (> 0) is how long until it may. It
// records nothing and returns an error only when the database fails.
func (db *DB) GuardCheck(ctx context.Context, scope, key string, now time.Time, p GuardPolicy) (ok bool, retryAfter time.Duration, err error) {
	var wait int64
	err = db.pool.QueryRow(ctx, `
		SELECT coalesce(max(until_ns - $3), 0) FROM guard_failures
		WHERE scope = $1 AND key = $2 AND greatest(last_ns, until_ns) + $4 > $3`,
		scope, []byte(key), now.UnixNano(), int64(p.Window)).Scan(&wait)
	if err != nil {
		return false, 0, fmt.Errorf("postgres: back-off check: %w", err)
	}
	if wait > 0 {
		return false, time.Duration(wait), nil
	}
	return true, 0, nil
}

// GuardAttempt is GuardCheck and, when key may make an attempt, counts it as a failure at once,
// in one statement, so that attempts on every node at the same time are all counted: failures
// is key's count including it. Once more than p.Free failures are counted, the key is blocked
// as p says from now, and attempts meanwhile are refused (ok false, retryAfter > 0) without being
// counted. When the attempt turns out not to fail, call GuardForgive or GuardSucceed. It returns
// an error only when the database fails.
func (db *DB) GuardAttempt(ctx context.Context, scope, key string, now time.Time, p GuardPolicy) (ok bool, failures int, retryAfter time.Duration, err error) {
	base := max(p.Base, 1)
	maxDelay := max(p.MaxDelay, base)
	// n is the failure count after this one: 1 when the earlier ones are forgotten.
	const n = `(CASE WHEN greatest(f.last_ns, f.until_ns) + $7::bigint <= $3::bigint THEN 1 ELSE f.failures + 1 END)`
	// The upsert counts the attempt unless the key is blocked (until_ns > now); the outer
	// query reads the block from the row as the statement found it when it counted nothing.
	var counted *int32
	var until int64
	err = db.pool.QueryRow(ctx, `
		WITH up AS (
			INSERT INTO guard_failures AS f (scope, key, failures, last_ns, until_ns)
			VALUES ($1, $2, 1, $3,
				CASE WHEN 1 > $4::integer THEN $3::bigint + $5::bigint ELSE 0 END)
			ON CONFLICT (scope, key) DO UPDATE SET
				failures = `+n+`,
				last_ns = $3,
				until_ns = CASE
					WHEN `+n+` > $4::integer THEN $3::bigint + least($6::float8,
						$5::float8 * power(2::float8, least(`+n+` - $4::integer - 1, 62)))::bigint
					ELSE 0 END
			WHERE f.until_ns <= $3::bigint
			RETURNING failures)
		SELECT (SELECT failures FROM up),
			coalesce((SELECT until_ns FROM guard_failures WHERE scope = $1 AND key = $2), 0)`,
		scope, []byte(key), now.UnixNano(), max(p.Free, 0), int64(base), int64(maxDelay), int64(p.Window)).Scan(&counted, &until)
	if err != nil {
		return false, 0, 0, fmt.Errorf("postgres: back-off attempt: %w", err)
	}
	if counted != nil {
		return true, int(*counted), 0, nil
	}
	// Blocked. The row read may be older than the one that blocked (another node's attempt
	// committed meanwhile): then the wait is at least a moment.
	return false, 0, max(time.Duration(until-now.UnixNano()), time.Nanosecond), nil
}

// GuardForgive takes back one failure of key in back-off scope counted by GuardAttempt, for an
// attempt that did not fail; when no more than p.Free failures remain, the key is no longer
// blocked. It returns an error only when the database fails.
func (db *DB) GuardForgive(ctx context.Context, scope, key string, p GuardPolicy) error {
	_, err := db.pool.Exec(ctx, `
		UPDATE guard_failures SET failures = failures - 1,
			until_ns = CASE WHEN failures - 1 <= $3::integer THEN 0 ELSE until_ns END
		WHERE scope = $1 AND key = $2 AND failures > 0`,
		scope, []byte(key), max(p.Free, 0))
	if err != nil {
		return fmt.Errorf("postgres: back-off forgive: %w", err)
	}
	return nil
}

// GuardSucceed forgets the failures of key in back-off scope, ending any block. It returns an
// error only when the database fails.
func (db *DB) GuardSucceed(ctx context.Context, scope, key string) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM guard_failures WHERE scope = $1 AND key = $2`, scope, []byte(key)); err != nil {
		return fmt.Errorf("postgres: back-off success: %w", err)
	}
	return nil
}

// PruneGuardFailures deletes the back-off rows forgotten at now under window (see
// GuardPolicy) and returns how many it deleted, or the database's error.
func (db *DB) PruneGuardFailures(ctx context.Context, now time.Time, window time.Duration) (int64, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM guard_failures WHERE greatest(last_ns, until_ns) + $2 <= $1`,
		now.UnixNano(), int64(window))
	if err != nil {
		return 0, fmt.Errorf("postgres: prune back-off: %w", err)
	}
	return tag.RowsAffected(), nil
}
