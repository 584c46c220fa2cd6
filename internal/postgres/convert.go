package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Times are timestamptz, which keeps microseconds; they are read back in UTC. The zero
// time.Time is stored as 0001-01-01 00:00:00 UTC and read back as the zero time.

// utc returns t in UTC.
func utc(t time.Time) time.Time { return t.UTC() }

// utcPtr returns a nullable time in UTC.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// limitArg is the LIMIT parameter of a limit: NULL (no limit) for limit ≤ 0.
func limitArg(limit int) *int64 {
	if limit <= 0 {
		return nil
	}
	n := int64(limit)
	return &n
}

// nonNil returns ids, or an empty slice for nil, so that it is sent as an empty array.
func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// querier is what the pool and transactions share.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// rowScanner is what pgx.Row and pgx.Rows share.
type rowScanner interface {
	Scan(dest ...any) error
}

// insertID runs an INSERT … RETURNING id in q and returns the id.
func insertID(ctx context.Context, q querier, sql string, args ...any) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, sql, args...).Scan(&id)
	return id, err
}

// bound returns the parameter of a time bound compared with < or >= to stored times: t rounded
// up to the microsecond. Stored times have microseconds, so "v < bound(t)" holds exactly when
// v < t (pgx would truncate t, making a bound with nanoseconds exclude one more microsecond).
func bound(t time.Time) time.Time {
	if r := t.Sub(t.Truncate(time.Microsecond)); r > 0 {
		return t.Add(time.Microsecond - r)
	}
	return t
}

// queryAll runs a query on q and scans every row with scan.
func queryAll[T any](ctx context.Context, q querier, scan func(rowScanner) (T, error), sql string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
