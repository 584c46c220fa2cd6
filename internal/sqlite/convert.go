package sqlite

import (
	"context"
	"database/sql"
	"time"
)

// Times are stored as INTEGER unix nanoseconds, which covers the years 1678 to 2262; the zero
// time.Time is stored as 0 and read back as the zero time.

// timeArg returns the column value of t.
func timeArg(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// timeOf returns the time.Time (in UTC) of a column value.
func timeOf(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// nullTimeArg returns the column value of an optional time: NULL for nil.
func nullTimeArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return timeArg(*t)
}

// nullTimeOf returns the optional time of a nullable column.
func nullTimeOf(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := timeOf(n.Int64)
	return &t
}

// nullIDArg returns the column value of an optional id: NULL for nil.
func nullIDArg(id *int64) any {
	if id == nil {
		return nil
	}
	return *id
}

// nullIDOf returns the optional id of a nullable column.
func nullIDOf(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	id := n.Int64
	return &id
}

// rowScanner is what *sql.Row and *sql.Rows share.
type rowScanner interface {
	Scan(dest ...any) error
}

// insert runs an INSERT in tx and returns the rowid of the new row.
func insert(ctx context.Context, tx *sql.Tx, query string, args ...any) (int64, error) {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// insert is the package's insert through a statement prepared once on the writer: for the
// INSERTs of the hot paths, in tx, a write transaction.
func (db *DB) insert(ctx context.Context, tx *sql.Tx, query string, args ...any) (int64, error) {
	res, err := db.writeStmts.exec(ctx, tx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// queryer is what runs a query: the reader pool, or a transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// queryAll runs a query on q and scans every row with scan.
func queryAll[T any](ctx context.Context, q queryer, scan func(rowScanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
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
