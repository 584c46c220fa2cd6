// What several nodes on one database must share besides the data: rate limits (this file),
// the verification and login back-off (guard.go) and the session signing keys
// (sessionkeys.go), in the tables of migrations/0005_nodes.sql. cmd/concierge uses them when
// --db is a PostgreSQL URL; they are not part of concierge.Store, because SQLite, one node by
// construction, keeps them in the process or in its key file.

package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
)

// AllowRate takes one request from the bucket of key in limiter scope, shared by every node on
// the database: perSecond requests per second on average, bursts of up to burst (below 1
// counts as 1). It is one statement (GCRA: the row keeps the theoretical arrival time). It
// returns ok true when the request may proceed; otherwise retryAfter is how long until it may
// (always > 0) and nothing is taken. now is the caller's clock. It returns an error when
// perSecond is not a positive finite number or the database fails.
func (db *DB) AllowRate(ctx context.Context, scope, key string, perSecond float64, burst int, now time.Time) (ok bool, retryAfter time.Duration, err error) {
	if !(perSecond > 0) || math.IsInf(perSecond, 1) {
		return false, 0, fmt.Errorf("postgres: rate limit %q: %v per second is not a positive rate", scope, perSecond)
	}
	burst = max(burst, 1)
	interval := int64(math.Ceil(float64(time.Second) / perSecond))
	interval = max(interval, 1)
	window := interval * int64(burst)
	if window/int64(burst) != interval { // overflow: a burst of more than ~292 years
		window = math.MaxInt64 / 2
	}
	var wait int64
	err = db.pool.QueryRow(ctx, `
		WITH taken AS (
			INSERT INTO rate_limits AS r (scope, key, tat) VALUES ($1, $2, $3::bigint + $4::bigint)
			ON CONFLICT (scope, key) DO UPDATE SET tat = greatest(r.tat, $3) + $4
				WHERE greatest(r.tat, $3) + $4 - $3 <= $5
			RETURNING tat
		)
		SELECT true, 0::bigint FROM taken
		UNION ALL
		SELECT false, greatest(r.tat, $3) + $4 - $3 - $5 FROM rate_limits r
			WHERE r.scope = $1 AND r.key = $2 AND NOT EXISTS (SELECT FROM taken)`,
		scope, []byte(key), now.UnixNano(), interval, window).Scan(&ok, &wait)
	if errors.Is(err, pgx.ErrNoRows) {
		// The row was inserted by a transaction this statement's snapshot does not see, and
		// the bucket was empty: refused, and a token comes back within one interval.
		return false, time.Duration(interval), nil
	}
	if err != nil {
		return false, 0, fmt.Errorf("postgres: rate limit: %w", err)
	}
	if ok {
		return true, 0, nil
	}
	return false, time.Duration(max(wait, 1)), nil
}

// PruneRateLimits deletes the rate-limit rows whose buckets are full again at now (a missing
// row means a full bucket) and returns how many it deleted, or the database's error.
func (db *DB) PruneRateLimits(ctx context.Context, now time.Time) (int64, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM rate_limits WHERE tat <= $1`, now.UnixNano())
	if err != nil {
		return 0, fmt.Errorf("postgres: prune rate limits: %w", err)
	}
	return tag.RowsAffected(), nil
}
