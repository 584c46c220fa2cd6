package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// maxCachedStmts bounds each statement cache: a query beyond it (one built at run time, say)
// runs unprepared every time instead of growing the cache without end.
const maxCachedStmts = 256

// stmtCache keeps the statements of one connection pool (the writer's or the readers')
// prepared once, keyed by their SQL text: compiling a statement costs SQLite more than running
// a small one. database/sql prepares a cached statement again, transparently, on each
// connection of the pool that runs it.
//
// Preparing needs a free connection of the pool. Code that runs inside a transaction of the
// pool holds one (the writer's only one), so there a statement not yet cached runs unprepared
// and is queued; prepareQueued, called between transactions, prepares the queue.
type stmtCache struct {
	pool *sql.DB
	// uninterruptible: statements run inside a transaction ignore their context's end. The
	// writer's cache sets it: an interrupted statement makes SQLite roll back the whole shared
	// transaction of a batch (writer.go), and the driver watches every cancellable context with
	// a goroutine per statement. A write whose context ends before it starts is skipped.
	uninterruptible bool

	mu     sync.Mutex
	stmts  map[string]*sql.Stmt
	queued map[string]struct{}
	closed bool
}

// newStmtCache returns an empty cache of statements prepared on pool.
func newStmtCache(pool *sql.DB, uninterruptible bool) *stmtCache {
	return &stmtCache{pool: pool, uninterruptible: uninterruptible, stmts: map[string]*sql.Stmt{}, queued: map[string]struct{}{}}
}

// txContext returns the context a statement of a transaction runs with.
func (c *stmtCache) txContext(ctx context.Context) context.Context {
	if c.uninterruptible {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// lookup returns query's prepared statement, or nil after queuing query for prepareQueued.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.stmts[query]; ok {
		return s
	}
	if !c.closed && len(c.stmts)+len(c.queued) < maxCachedStmts {
		c.queued[query] = struct{}{}
	}
	return nil
}

// prepared returns query's prepared statement, preparing it now when it is not cached yet; nil
// when it cannot be (the cache is full or closed, or preparing failed: the caller then runs
// query unprepared, which reports the error if there is one). The caller must hold no
// connection of the pool: preparing may wait for one.
func (c *stmtCache) prepared(ctx context.Context, query string) *sql.Stmt {
	c.mu.Lock()
	s, ok := c.stmts[query]
	full := c.closed || len(c.stmts) >= maxCachedStmts
	c.mu.Unlock()
	if ok {
		return s
	}
	if full {
		return nil
	}
	s, err := c.pool.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.stmts[query]; ok || c.closed {
		_ = s.Close() // another goroutine prepared it first, or the cache closed meanwhile
		return prev
	}
	c.stmts[query] = s
	return s
}

// prepareQueued prepares the statements queued by lookup. The caller must hold no connection
// of the pool. A statement that fails to prepare is left out; it will be queued again.
func (c *stmtCache) prepareQueued(ctx context.Context) {
	c.mu.Lock()
	if len(c.queued) == 0 {
		c.mu.Unlock()
		return
	}
	queries := make([]string, 0, len(c.queued))
	for q := range c.queued {
		queries = append(queries, q)
	}
	clear(c.queued)
	c.mu.Unlock()
	for _, q := range queries {
		c.prepared(ctx, q)
	}
}

// close closes every cached statement; the cache then prepares nothing more.
func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	var errs []error
	for q, s := range c.stmts {
		errs = append(errs, s.Close())
		delete(c.stmts, q)
	}
	clear(c.queued)
	return errors.Join(errs...)
}

// exec runs query, a statement returning no rows, in tx (a transaction of the cache's pool).
func (c *stmtCache) exec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	ctx = c.txContext(ctx)
	if s := c.lookup(query); s != nil {
		return tx.StmtContext(ctx, s).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, query, args...)
}

// queryRow runs query, expected to return at most one row, in tx (a transaction of the
// cache's pool), or outside any transaction when tx is nil.
func (c *stmtCache) queryRow(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	if tx == nil {
		if s := c.prepared(ctx, query); s != nil {
			return s.QueryRowContext(ctx, args...)
		}
		return c.pool.QueryRowContext(ctx, query, args...)
	}
	ctx = c.txContext(ctx)
	if s := c.lookup(query); s != nil {
		return tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, query, args...)
}

// query runs query in tx (a transaction of the cache's pool), or outside any transaction when
// tx is nil.
func (c *stmtCache) query(ctx context.Context, tx *sql.Tx, query string, args ...any) (*sql.Rows, error) {
	if tx == nil {
		if s := c.prepared(ctx, query); s != nil {
			return s.QueryContext(ctx, args...)
		}
		return c.pool.QueryContext(ctx, query, args...)
	}
	ctx = c.txContext(ctx)
	if s := c.lookup(query); s != nil {
		return tx.StmtContext(ctx, s).QueryContext(ctx, args...)
	}
	return tx.QueryContext(ctx, query, args...)
}
