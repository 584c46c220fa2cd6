// Package sqlite is Concierge's embedded storage engine: a concierge.Store on one SQLite
// database file, through the pure-Go modernc.org/sqlite driver (no cgo).
//
// Every write goes through a single writer connection whose transactions begin IMMEDIATE, so
// writers queue in the process instead of failing with "database is locked"; reads use a small
// pool of query-only connections that, in WAL mode, never block the writer nor each other.
// Every connection runs with synchronous=FULL: a write that returned nil is on disk. Concurrent
// writes share transactions (group commit, writer.go), and frequent statements are prepared
// once (stmt.go).
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"concierge/internal/concierge"
	"concierge/internal/metrics"
	"concierge/internal/supervise"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// readerConns is the size of the read-only connection pool.
const readerConns = 6

// DB is a concierge.Store on one SQLite database file. It is safe for concurrent use.
type DB struct {
	writer       *sql.DB // exactly one connection: every write goes through it
	readers      *sql.DB // query-only connections
	checkpointer *sql.DB // one connection that copies the WAL back (checkpoint.go)
	logger       *slog.Logger

	sessionID func() (int64, error) // draws a new session id: randomID, but for tests

	writeStmts *stmtCache // statements prepared on the writer connection
	readStmts  *stmtCache // statements prepared on the reader pool

	// requests queues the writes for the writer goroutine (writer.go), which closes writerDone
	// when it has drained the queue after Close closed it. closed, under closeMu, says that the
	// queue is closed; writes hold closeMu's read lock while they queue.
	requests   chan *writeRequest
	writerDone chan struct{}
	closeMu    sync.RWMutex
	closed     bool
	txs        atomic.Int64 // write transactions begun (tests)
	commits    atomic.Int64 // write transactions committed (the checkpointer)

	stopCheckpointer chan struct{} // closed by Close
	checkpointerDone chan struct{} // closed when the checkpointer has returned
	// truncateWAL asks the checkpointer to empty the WAL file (an erasure could not: readers
	// held it).
	truncateWAL atomic.Bool

	// pendingSeq is the seq of the newest event appended by the write transaction in progress
	// (0: none); only the writer goroutine runs write transactions.
	pendingSeq atomic.Int64
	// unindexedFrom is the smallest id of the messages the write transaction in progress
	// inserted (0: none): commit adds them to the full-text index (writer.go).
	unindexedFrom atomic.Int64
	notify        atomic.Pointer[func(seq int64)] // OnEvents
	metrics       atomic.Pointer[metrics.DB]      // Instrument; nil: not measured
}

var _ concierge.Store = (*DB)(nil)

// Open opens (creating it if needed) the SQLite database file at path, applies every pending
// migration, and returns a DB ready for use. It returns an error when the file cannot be opened
// or a migration fails; the DB is then not usable and nothing needs closing. A nil logger
// discards log records.
func Open(ctx context.Context, path string, logger *slog.Logger) (*DB, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	writer, err := openWriter(ctx, path)
	if err != nil {
		return nil, err
	}
	applied, err := migrate(ctx, writer, logger)
	if err != nil {
		_ = writer.Close()
		return nil, err
	}
	readers, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		_ = writer.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	readers.SetMaxOpenConns(readerConns)
	readers.SetMaxIdleConns(readerConns)
	if err := readers.PingContext(ctx); err != nil {
		_ = readers.Close()
		_ = writer.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	checkpointer, err := openWriter(ctx, path) // one connection too; it only checkpoints
	if err != nil {
		_ = readers.Close()
		_ = writer.Close()
		return nil, err
	}
	logger.InfoContext(ctx, "sqlite database open", "path", path, "migrations_applied", applied)
	db := &DB{writer: writer, readers: readers, checkpointer: checkpointer, logger: logger, sessionID: randomID,
		writeStmts: newStmtCache(writer, true), readStmts: newStmtCache(readers, false),
		requests: make(chan *writeRequest, maxBatch), writerDone: make(chan struct{}),
		stopCheckpointer: make(chan struct{}), checkpointerDone: make(chan struct{})}
	go db.runWriter()
	go func() {
		defer close(db.checkpointerDone)
		supervise.Loop(context.Background(), logger, "sqlite checkpointer", func(context.Context) {
			db.runCheckpointer(db.stopCheckpointer)
		})
	}()
	return db, nil
}

// openWriter opens a pool of exactly one read-write connection to the database at path (the
// writer's, or the checkpointer's) and checks that it works.
func openWriter(ctx context.Context, path string) (*sql.DB, error) {
	writer, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	if err := writer.PingContext(ctx); err != nil {
		_ = writer.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return writer, nil
}

// dsn returns the driver's data source name for the file at path: a file: URI (so that any
// character of the path survives) carrying the pragmas every connection runs with. Readers
// are query-only; the writer begins its transactions IMMEDIATE.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(FULL)")
	// Temporary files (the savepoints' statement journals of group commit, sorter b-trees) in
	// memory: opening and deleting a file per savepoint cost ~20 % of the writer's CPU.
	q.Add("_pragma", "temp_store(MEMORY)")
	// Deleted rows are overwritten with zeros (in their page, and whole pages put on the free
	// list), so that erased guest data does not linger in the file: with the WAL truncated
	// after an erasure (checkpoint.go), the files then hold none of it.
	q.Add("_pragma", "secure_delete(1)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
		// Checkpoints run on their own connection (checkpoint.go); this is only a bound.
		q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", writerAutoCheckpoint))
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Close waits for the writes already queued to commit, then closes every connection of the
// DB. It returns the errors met; the DB is unusable afterwards either way (a write then returns
// an error), and closing it again does nothing more.
func (db *DB) Close() error {
	db.closeMu.Lock()
	already := db.closed
	db.closed = true
	db.closeMu.Unlock()
	if already {
		return nil
	}
	close(db.requests)
	<-db.writerDone
	close(db.stopCheckpointer)
	<-db.checkpointerDone
	return errors.Join(db.writeStmts.close(), db.readStmts.close(), db.checkpointer.Close(),
		db.readers.Close(), db.writer.Close())
}

// Ping checks that the database answers and that the latest embedded migration is applied. It
// returns an error when the database cannot be reached (or is closed) or lags behind the
// migrations this binary carries.
func (db *DB) Ping(ctx context.Context) error {
	latest, err := latestVersion()
	if err != nil {
		return err
	}
	var n int
	err = db.readers.QueryRowContext(ctx,
		`SELECT count(*) FROM schema_migrations WHERE version = ?`, latest).Scan(&n)
	if err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("sqlite: ping: migration %d is not applied", latest)
	}
	return nil
}

// read runs fn in a read-only transaction on a reader connection, so that its queries see one
// consistent snapshot, and returns fn's error unchanged.
func (db *DB) read(ctx context.Context, fn func(*sql.Tx) error) error {
	defer db.metrics.Load().Transaction("read", time.Now())
	tx, err := db.readers.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	err = func() error {
		defer func() { _ = tx.Rollback() }()
		return fn(tx)
	}()
	db.readStmts.prepareQueued(ctx) // fn's new statements, now that its connection is free
	return err
}
