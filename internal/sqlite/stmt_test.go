package sqlite

import (
	"database/sql"
	"fmt"
	"testing"
)

// cached reports whether c holds a prepared statement for query.
func cached(c *stmtCache, query string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.stmts[query]
	return ok
}

// TestStmtCacheInTransactions: a statement first met inside a transaction runs unprepared and
// is prepared once the transaction ended; later transactions use the prepared statement, with
// the same results.
func TestStmtCacheInTransactions(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	ctx := t.Context()
	scratchTable(t, db)
	const ins, sel = `INSERT INTO scratch (k, v) VALUES (?, ?)`, `SELECT v FROM scratch WHERE k = ?`
	for i := range 3 {
		must(t, db.write(ctx, func(tx *sql.Tx) error {
			_, err := db.writeStmts.exec(ctx, tx, ins, fmt.Sprint(i), i)
			return err
		}))
		// The writer prepares between batches, after answering: by the second write it has.
		if i > 0 && !cached(db.writeStmts, ins) {
			t.Fatalf("after write %d the INSERT is not prepared", i)
		}
		var v int
		must(t, db.read(ctx, func(tx *sql.Tx) error {
			return db.readStmts.queryRow(ctx, tx, sel, fmt.Sprint(i)).Scan(&v)
		}))
		if v != i || !cached(db.readStmts, sel) {
			t.Fatalf("read %d = %d (prepared %v)", i, v, cached(db.readStmts, sel))
		}
	}
	var v int
	must(t, db.readStmts.queryRow(ctx, nil, sel, "2").Scan(&v)) // outside a transaction
	if v != 2 {
		t.Errorf("read outside a transaction = %d, want 2", v)
	}
	if cached(db.writeStmts, sel) || cached(db.readStmts, ins) {
		t.Error("a statement was prepared on the other pool")
	}
}

// TestStmtCacheBadSQLAndBound: SQL that does not compile reports its error every time and is
// never cached; the cache stops growing at maxCachedStmts, and queries beyond still run.
func TestStmtCacheBadSQLAndBound(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	ctx := t.Context()
	const bad = `SELECT nope FROM nowhere`
	for range 2 {
		var x int
		if err := db.readStmts.queryRow(ctx, nil, bad).Scan(&x); err == nil {
			t.Fatal("bad SQL ran")
		}
		err := db.write(ctx, func(tx *sql.Tx) error {
			_, err := db.writeStmts.exec(ctx, tx, `UPDATE nowhere SET nope = 1`)
			return err
		})
		if err == nil {
			t.Fatal("bad SQL ran in a write")
		}
	}
	if cached(db.readStmts, bad) {
		t.Error("bad SQL was cached")
	}
	for i := range maxCachedStmts + 10 {
		var got int
		must(t, db.readStmts.queryRow(ctx, nil, fmt.Sprintf(`SELECT %d`, i)).Scan(&got))
		if got != i {
			t.Fatalf("SELECT %d = %d", i, got)
		}
	}
	db.readStmts.mu.Lock()
	n := len(db.readStmts.stmts)
	db.readStmts.mu.Unlock()
	if n > maxCachedStmts {
		t.Errorf("%d statements cached, want at most %d", n, maxCachedStmts)
	}
}
