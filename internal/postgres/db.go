// Package postgres is Concierge's storage engine for several nodes: a concierge.Store on one
// PostgreSQL database, through github.com/jackc/pgx/v5.
//
// Every node opens the same database; Open applies the embedded migrations once (under an
// advisory lock, so nodes starting together migrate once). Writes are READ COMMITTED
// transactions that lock the rows they change; a transaction that appends events draws their
// sequence numbers from a one-row counter just before it commits, which serialises appenders
// until commit, so the event log reads in commit order on every node. Commits announce their
// newest event with NOTIFY, and OnEvents listens, so a commit on any node wakes every node.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"concierge/internal/concierge"
	"concierge/internal/metrics"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// defaultMaxConns is the pool size when the DSN sets none (pool_max_conns): pgxpool's own
// default (4 on small machines) would queue a server's concurrent requests.
const defaultMaxConns = 16

// writeAttempts bounds how often a write transaction is run when PostgreSQL aborts it with a
// serialization failure or a deadlock (both resolved by running it again).
const writeAttempts = 4

// DB is a concierge.Store on one PostgreSQL database. It is safe for concurrent use.
type DB struct {
	pool   *pgxpool.Pool
	logger *slog.Logger

	sessionID func() (int64, error) // draws a new session id: randomID, but for tests

	notify  atomic.Pointer[func(seq int64)] // OnEvents
	metrics atomic.Pointer[metrics.DB]      // Instrument; nil: not measured

	// beforeCommit, when set (by tests), runs in every write transaction that appended events,
	// after they are numbered and before the commit.
	beforeCommit func()

	listenOnce sync.Once          // starts the listener on the first OnEvents
	stop       context.CancelFunc // stops the listener
	stopped    chan struct{}      // closed when the listener has returned
	closeOnce  sync.Once
}

var _ concierge.Store = (*DB)(nil)

// Open connects to the PostgreSQL database named by dsn (a postgres:// URL or a keyword/value
// string; pgxpool's pool_* parameters are honoured, the pool holds defaultMaxConns connections
// unless pool_max_conns says otherwise), applies every pending embedded migration, and returns
// a DB ready for use. OnEvents adds one dedicated connection. It returns
// an error when the DSN is invalid, the database cannot be reached, or a migration fails; the
// DB is then not usable and nothing needs closing. A nil logger discards log records.
func Open(ctx context.Context, dsn string, logger *slog.Logger) (*DB, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse dsn: %w", err)
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		cfg.MaxConns = defaultMaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect to %s: %w", cfg.ConnConfig.Host, err)
	}
	applied, err := migrate(ctx, pool, logger)
	if err != nil {
		pool.Close()
		return nil, err
	}
	logger.InfoContext(ctx, "postgres database open", "host", cfg.ConnConfig.Host,
		"database", cfg.ConnConfig.Database, "migrations_applied", applied)
	return &DB{pool: pool, logger: logger, sessionID: randomID, stopped: make(chan struct{})}, nil
}

// Close stops the event listener and closes every connection of the DB. It always returns nil;
// the DB is unusable afterwards.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		db.listenOnce.Do(func() {}) // no listener may start from now on
		if db.stop != nil {
			db.stop()
			<-db.stopped
		}
		db.pool.Close()
	})
	return nil
}

// Ping checks that the database answers and that the latest embedded migration is applied. It
// returns an error when the database cannot be reached (or the DB is closed) or lags behind the
// migrations this binary carries.
func (db *DB) Ping(ctx context.Context) error {
	latest, err := latestVersion()
	if err != nil {
		return err
	}
	var n int
	err = db.pool.QueryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, latest).Scan(&n)
	if err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("postgres: ping: migration %d is not applied", latest)
	}
	return nil
}

// wtx is a write transaction: the pgx transaction and the events its writes appended, which
// write stores (with their sequence numbers) just before the commit.
type wtx struct {
	pgx.Tx
	events []pendingEvent
}

// write runs fn in a READ COMMITTED transaction and commits it when fn returns nil; otherwise it
// rolls back and returns fn's error unchanged. Before the commit it appends the events fn
// recorded (see appendEvents), and after it calls the OnEvents function with the newest seq. A
// transaction that PostgreSQL aborts with a serialization failure or deadlock is run again (fn
// must have no effect outside the transaction).
func (db *DB) write(ctx context.Context, fn func(tx *wtx) error) error {
	defer db.metrics.Load().Transaction("write", time.Now())
	var err error
	for range writeAttempts {
		var seq int64
		seq, err = db.writeOnce(ctx, fn)
		if err == nil {
			if f := db.notify.Load(); f != nil && seq > 0 {
				(*f)(seq)
			}
			return nil
		}
		if !retryable(err) {
			return err
		}
	}
	return err
}

// writeOnce runs fn once in a transaction (see write) and returns the newest event seq it
// committed (0: none).
func (db *DB) writeOnce(ctx context.Context, fn func(tx *wtx) error) (int64, error) {
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return 0, fmt.Errorf("postgres: begin: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	w := &wtx{Tx: tx}
	if err := fn(w); err != nil {
		return 0, err
	}
	seq, err := appendEvents(ctx, w)
	if err != nil {
		return 0, err
	}
	if seq > 0 && db.beforeCommit != nil {
		db.beforeCommit()
	}
	start := time.Now()
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("postgres: commit: %w", err)
	}
	db.metrics.Load().Committed(1, start)
	return seq, nil
}

// exec runs one statement that appends no events on its own (PostgreSQL makes it a
// transaction: no BEGIN and COMMIT round trips) and returns its command tag; a statement
// aborted by a serialization failure or deadlock is run again.
func (db *DB) exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	defer db.metrics.Load().Transaction("write", time.Now())
	var tag pgconn.CommandTag
	var err error
	for range writeAttempts {
		if tag, err = db.pool.Exec(ctx, sql, args...); !retryable(err) {
			break
		}
	}
	return tag, err
}

// execOne is exec for a statement that must change exactly one row: concierge.ErrNotFound
// when it changed none.
func (db *DB) execOne(ctx context.Context, sql string, args ...any) error {
	tag, err := db.exec(ctx, sql, args...)
	if err != nil {
		return err
	}
	return notFoundUnlessOne(tag)
}

// retryable reports whether err aborted a transaction that may succeed when run again.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// read runs fn in a read-only REPEATABLE READ transaction, so that its queries see one
// consistent snapshot, and returns fn's error unchanged.
func (db *DB) read(ctx context.Context, fn func(tx pgx.Tx) error) error {
	defer db.metrics.Load().Transaction("read", time.Now())
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	return fn(tx)
}
