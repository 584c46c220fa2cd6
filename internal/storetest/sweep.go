package storetest

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// SQLiteTables lists every table of a SQLite database (sqlite_master: the full-text index's
// shadow tables included). It returns the database's error.
func SQLiteTables(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		tables = append(tables, n)
	}
	return tables, rows.Err()
}

// FindInTables returns where each needle occurs, case-insensitively, in any text or blob value
// of the tables ("needle" in table.column, once per value): the erasure tests' proof that
// nothing of an erased guest is left. It returns the database's error, naming the table.
func FindInTables(ctx context.Context, db *sql.DB, tables, needles []string) ([]string, error) {
	var found []string
	for _, table := range tables {
		hits, err := findInTable(ctx, db, table, needles)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", table, err)
		}
		found = append(found, hits...)
	}
	return found, nil
}

// findInTable is FindInTables for one table.
func findInTable(ctx context.Context, db *sql.DB, table string, needles []string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT * FROM "`+table+`"`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var found []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		for i, v := range vals {
			var b []byte
			switch v := v.(type) {
			case string:
				b = []byte(v)
			case []byte:
				b = v
			default:
				continue
			}
			b = bytes.ToLower(b)
			for _, n := range needles {
				if bytes.Contains(b, []byte(strings.ToLower(n))) {
					found = append(found, fmt.Sprintf("%q in %s.%s", n, table, cols[i]))
				}
			}
		}
	}
	return found, rows.Err()
}
