package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Group commit. Every write of a DB is a request handed to one goroutine, the writer, which
// owns the single writer connection. The writer takes the first request waiting, then every
// other request already waiting, runs them in one transaction, then those that arrived while
// they ran (up to maxBatch in all), and commits once: with synchronous=FULL one fsync then
// makes the whole batch durable. Each request is answered only after the COMMIT returned. The
// requests run without savepoints; when one fails, the others run again, each in its own
// SAVEPOINT (runTx), so that a failing write fails only its own request.
//
// The writer never waits for more requests to arrive: a batch is whatever queued up while the
// previous transaction ran, its fsync included. A single writer therefore pays no added
// latency, and under load the batches grow by themselves with the time a commit takes, which is
// exactly the window a fixed delay would try to guess.

// maxBatch bounds the requests of one transaction, so that one commit never holds back a
// request for longer than 64 functions take to run; it is also the capacity of the queue.
const maxBatch = 64

// errClosed answers the writes asked of a closed DB.
var errClosed = errors.New("sqlite: database is closed")

// writeRequest is one call of write waiting for the writer.
type writeRequest struct {
	ctx  context.Context
	fn   func(*sql.Tx) error
	done chan writeResult // buffered: the writer never blocks answering
}

// writeResult is the answer to a writeRequest: fn's error or the transaction's, or the value
// fn panicked with (re-raised in the caller's goroutine).
type writeResult struct {
	err      error
	panicked any
}

// reply answers r.
func (r *writeRequest) reply(res writeResult) { r.done <- res }

// write runs fn in a write transaction and returns nil once the transaction that ran it has
// committed (durably: synchronous=FULL); otherwise it returns fn's error unchanged, or the
// transaction's (wrapped, "sqlite: begin/commit: …"), and nothing fn did is kept. fn runs on
// the writer goroutine inside a SAVEPOINT of a transaction shared with other concurrent writes,
// and may be run more than once (when the shared transaction fails as a whole, each of its
// requests is run again alone): it must have no effect outside tx, and must not call write.
// A ctx that ends before fn starts makes write return ctx's error without running fn; once fn
// has run, write waits for the commit. When a commit appended events, the OnEvents function
// is called with the newest event's seq before write returns. A panic in fn is re-raised here.
func (db *DB) write(ctx context.Context, fn func(*sql.Tx) error) error {
	defer db.metrics.Load().Transaction("write", time.Now())
	req := &writeRequest{ctx: ctx, fn: fn, done: make(chan writeResult, 1)}
	if err := db.enqueue(ctx, req); err != nil {
		return err
	}
	res := <-req.done
	if res.panicked != nil {
		panic(res.panicked)
	}
	return res.err
}

// enqueue hands req to the writer, waiting while the queue is full; it returns ctx's error
// when ctx ends first and errClosed when the DB is closed.
func (db *DB) enqueue(ctx context.Context, req *writeRequest) error {
	db.closeMu.RLock()
	defer db.closeMu.RUnlock()
	if db.closed {
		return errClosed
	}
	select {
	case db.requests <- req:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("sqlite: begin: %w", ctx.Err())
	}
}

// runWriter is the writer goroutine: it runs the queued requests in batches until the queue
// is closed and drained.
func (db *DB) runWriter() {
	defer close(db.writerDone)
	ctx := context.Background()
	for first := range db.requests {
		db.runBatch(ctx, db.takeQueued([]*writeRequest{first}))
		db.writeStmts.prepareQueued(ctx) // the connection is free between transactions
	}
}

// runBatch runs batch in one transaction and answers every request. When that transaction
// fails as a whole (its COMMIT fails, or SQLite rolled it back on an error inside a request),
// every request not yet answered is run again alone, so that one request cannot fail its
// neighbours; a request alone gets the transaction's error.
func (db *DB) runBatch(ctx context.Context, batch []*writeRequest) {
	batch = skipCancelled(batch)
	if len(batch) == 0 {
		return
	}
	retry, err := db.runTx(ctx, batch, false)
	if errors.Is(err, errIsolate) {
		if len(retry) == 0 {
			return
		}
		retry, err = db.runTx(ctx, retry, true)
	}
	if err == nil {
		return
	}
	if len(batch) == 1 && len(retry) == 1 { // it ran alone (runShared may have added others)
		retry[0].reply(writeResult{err: err})
		return
	}
	db.logger.WarnContext(ctx, "sqlite batch failed; running its writes one by one",
		"writes", len(batch), "retried", len(retry), "err", err)
	for _, r := range retry {
		if again, err := db.runTx(ctx, []*writeRequest{r}, true); err != nil {
			for _, r := range again {
				r.reply(writeResult{err: err})
			}
		}
	}
}

// savepoint names the SAVEPOINT of each request; requests run one after the other, so one
// name serves them all.
const (
	savepointBegin    = `SAVEPOINT concierge_write`
	savepointRelease  = `RELEASE concierge_write`
	savepointRollback = `ROLLBACK TO concierge_write`
)

// errIsolate is runTx's answer when, without savepoints, a request failed: that request is
// answered, the transaction rolled back, and the others are to run again, each isolated in a
// savepoint.
var errIsolate = errors.New("sqlite: a write of the batch failed; run the others in savepoints")

// runTx runs the requests of batch in one transaction, skipping those whose context ended, and
// commits. With isolate, each request runs in its own savepoint: runTx answers each request
// whose function failed (that request's savepoint rolled back) and, after the COMMIT, each that
// succeeded. Without isolate the requests run without savepoints, the common case made cheap
// (a savepoint writes every page it changes to the statement journal and makes the full-text
// index flush its pending terms): when one fails, runTx answers it, rolls the transaction back
// and returns the other requests with errIsolate. When the transaction fails as a whole it
// answers none of the others: it returns them with the error.
func (db *DB) runTx(ctx context.Context, batch []*writeRequest, isolate bool) (unanswered []*writeRequest, err error) {
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return batch, fmt.Errorf("sqlite: begin: %w", err)
	}
	db.txs.Add(1)
	db.pendingSeq.Store(0)
	db.unindexedFrom.Store(0)
	if !isolate {
		return db.runShared(ctx, tx, batch)
	}
	if len(batch) == 1 {
		return db.runAlone(ctx, tx, batch[0])
	}
	var ok []*writeRequest // ran without error, waiting for the commit
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.reply(writeResult{err: fmt.Errorf("sqlite: begin: %w", err)})
			continue
		}
		if _, err := db.writeStmts.exec(ctx, tx, savepointBegin); err != nil {
			return db.abort(tx, append(ok, batch[i:]...), err)
		}
		seq := db.pendingSeq.Load()
		res := runFn(r, tx)
		if res.err == nil && res.panicked == nil {
			if _, err := db.writeStmts.exec(ctx, tx, savepointRelease); err != nil {
				return db.abort(tx, append(ok, batch[i:]...), err)
			}
			ok = append(ok, r)
			continue
		}
		db.pendingSeq.Store(seq)
		r.reply(res)
		// ROLLBACK TO fails only when SQLite already rolled the whole transaction back (on
		// SQLITE_FULL, SQLITE_IOERR, SQLITE_INTERRUPT…): the requests before are lost with it.
		if _, err := db.writeStmts.exec(ctx, tx, savepointRollback); err != nil {
			return db.abort(tx, append(ok, batch[i+1:]...), fmt.Errorf("sqlite: transaction rolled back: %w", err))
		}
		if _, err := db.writeStmts.exec(ctx, tx, savepointRelease); err != nil {
			return db.abort(tx, append(ok, batch[i+1:]...), err)
		}
	}
	if len(ok) == 0 {
		_ = tx.Rollback()
		db.pendingSeq.Store(0)
		return nil, nil
	}
	return db.commit(ctx, tx, ok)
}

// runShared runs the requests of batch in tx one after the other, without savepoints, then
// those that queued up meanwhile (takeQueued, up to maxBatch), and commits. When a request's
// function fails it answers that request, rolls tx back, and returns the others (those that
// ran, whose writes are gone with the rollback, and those still to run) with errIsolate.
func (db *DB) runShared(ctx context.Context, tx *sql.Tx, batch []*writeRequest) ([]*writeRequest, error) {
	ok := make([]*writeRequest, 0, maxBatch)
	for i := 0; i < len(batch); i++ {
		r := batch[i]
		if err := r.ctx.Err(); err != nil {
			r.reply(writeResult{err: fmt.Errorf("sqlite: begin: %w", err)})
		} else if res := runFn(r, tx); res.err != nil || res.panicked != nil {
			r.reply(res)
			return db.abort(tx, append(ok, batch[i+1:]...), errIsolate)
		} else {
			ok = append(ok, r)
		}
		if i == len(batch)-1 {
			batch = db.takeQueued(batch)
		}
	}
	if len(ok) == 0 {
		return db.abort(tx, nil, nil)
	}
	return db.commit(ctx, tx, ok)
}

// takeQueued appends to batch the requests that queued while it ran, up to maxBatch in all,
// without waiting: they share the commit (and its fsync) instead of waiting for the next.
func (db *DB) takeQueued(batch []*writeRequest) []*writeRequest {
	for len(batch) < maxBatch {
		select {
		case r, ok := <-db.requests:
			if !ok {
				return batch
			}
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

// runAlone runs r, the only request of tx, without a savepoint: when its function fails the
// whole transaction rolls back. It answers r unless the transaction fails as a whole.
func (db *DB) runAlone(ctx context.Context, tx *sql.Tx, r *writeRequest) ([]*writeRequest, error) {
	if err := r.ctx.Err(); err != nil {
		_ = tx.Rollback()
		r.reply(writeResult{err: fmt.Errorf("sqlite: begin: %w", err)})
		return nil, nil
	}
	if res := runFn(r, tx); res.err != nil || res.panicked != nil {
		_ = tx.Rollback()
		db.pendingSeq.Store(0)
		r.reply(res)
		return nil, nil
	}
	return db.commit(ctx, tx, []*writeRequest{r})
}

// commit commits tx, whose requests ok all ran without error, and answers them; it calls the
// OnEvents function first when they appended events. When the COMMIT fails it answers none:
// it returns them with the error.
func (db *DB) commit(ctx context.Context, tx *sql.Tx, ok []*writeRequest) ([]*writeRequest, error) {
	seq := db.pendingSeq.Swap(0)
	if from := db.unindexedFrom.Swap(0); from > 0 {
		if _, err := db.writeStmts.exec(ctx, tx, textIndexStatement, from); err != nil {
			return db.abort(tx, ok, fmt.Errorf("sqlite: full-text index: %w", err))
		}
	}
	start := time.Now()
	if err := tx.Commit(); err != nil {
		// A failed COMMIT may leave SQLite's transaction open (a deferred constraint, a busy
		// lock) while database/sql puts the connection back: end it before anything else.
		_, _ = db.writer.ExecContext(ctx, `ROLLBACK`)
		return ok, fmt.Errorf("sqlite: commit: %w", err)
	}
	db.commits.Add(1)
	db.metrics.Load().Committed(len(ok), start)
	// Wake the callers (and the live hub) from another goroutine: each wake-up readies a
	// goroutine, and the Go scheduler then tended to preempt the writer itself, which waited
	// behind the request handlers for its next turn (an execution trace of the create scenario:
	// most of the writer's time was spent runnable, in the replies; answering from a goroutine
	// of its own gave +15 % creates/s). The hub keeps the highest seq it was told of, so two
	// batches' notifications may arrive in either order.
	notify := db.notify.Load()
	go func() {
		if notify != nil && seq > 0 {
			(*notify)(seq)
		}
		for _, r := range ok {
			r.reply(writeResult{})
		}
	}()
	return nil, nil
}

// textIndexStatement adds to the full-text index the messages from the id given on: those the
// transaction inserted. A new message's id is above every id in the table (the rowid of a
// table without AUTOINCREMENT is max+1), so no older message is indexed twice, and a message
// whose savepoint rolled back is no longer there to be indexed. One statement per transaction
// makes FTS5 write one index segment per batch instead of one per message. A message's
// original text has the FTS rowid of the message's id, so that deleting the message finds it
// (migration 0012).
const textIndexStatement = `INSERT INTO message_text (rowid, text, message_id, language)
	SELECT id, content, id, language FROM messages WHERE id >= ? ORDER BY id`

// insertedMessage records that the write transaction in progress inserted the message id, for
// commit to index it.
func (db *DB) insertedMessage(id int64) {
	if from := db.unindexedFrom.Load(); from == 0 || id < from {
		db.unindexedFrom.Store(id)
	}
}

// abort rolls tx back (after a failure of the transaction as a whole, a failed write of a
// batch without savepoints, or when nothing is left to commit) and returns the requests still
// to answer with err.
func (db *DB) abort(tx *sql.Tx, unanswered []*writeRequest, err error) ([]*writeRequest, error) {
	_ = tx.Rollback()
	db.pendingSeq.Store(0)
	db.unindexedFrom.Store(0)
	return unanswered, err
}

// skipCancelled answers the requests of batch whose context ended with its error, and returns
// the others.
func skipCancelled(batch []*writeRequest) []*writeRequest {
	live := batch[:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.reply(writeResult{err: fmt.Errorf("sqlite: begin: %w", err)})
			continue
		}
		live = append(live, r)
	}
	return live
}

// runFn runs r's function in tx and returns its error, or what it panicked with.
func runFn(r *writeRequest, tx *sql.Tx) (res writeResult) {
	defer func() {
		if p := recover(); p != nil {
			res = writeResult{panicked: p}
		}
	}()
	return writeResult{err: r.fn(tx)}
}
