package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"concierge/internal/concierge"
)

// holdWriter occupies the writer goroutine with a write that waits, so that the writes queued
// meanwhile join its transaction (takeQueued) once it is released. The returned function
// waits until n writes are queued, lets the holding write finish, and waits for it. The
// holding write changes nothing and may run again (when the shared transaction fails).
func holdWriter(t *testing.T, db *DB) (releaseWhenQueued func(n int)) {
	t.Helper()
	started, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	var once sync.Once
	go func() {
		done <- db.write(context.Background(), func(*sql.Tx) error {
			once.Do(func() { close(started) })
			<-release
			return nil
		})
	}()
	<-started
	return func(n int) {
		t.Helper()
		for len(db.requests) < n { // a condition, not a duration: the queue fills as goroutines run
			select {
			case <-t.Context().Done():
				t.Fatal("the writes were never queued")
			case <-time.After(time.Millisecond):
			}
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatalf("holding write: %v", err)
		}
	}
}

// openAt opens the database at path, closed when the test ends.
func openAt(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(t.Context(), path, testLogger(t))
	must(t, err)
	t.Cleanup(func() { must(t, db.Close()) })
	return db
}

// scratchTable creates a table k (text primary key) → v in db.
func scratchTable(t *testing.T, db *DB) {
	t.Helper()
	must(t, db.write(t.Context(), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(t.Context(), `CREATE TABLE scratch (k TEXT PRIMARY KEY, v INTEGER NOT NULL)`)
		return err
	}))
}

// scratchKeys returns the keys of the scratch table.
func scratchKeys(t *testing.T, db *DB) map[string]bool {
	t.Helper()
	rows, err := db.readers.QueryContext(t.Context(), `SELECT k FROM scratch`)
	must(t, err)
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var k string
		must(t, rows.Scan(&k))
		out[k] = true
	}
	must(t, rows.Err())
	return out
}

// batchWorld is a property with one outlet, for conversations.
func batchWorld(t testing.TB, db *DB) concierge.Outlet {
	t.Helper()
	ctx := t.Context()
	p := concierge.Property{Code: "P", Name: "P", TimeZone: "UTC", DefaultLanguage: "en"}
	sc := concierge.ServiceCenter{Code: "FO", Name: "FO", StaffLanguage: "en"}
	o := concierge.Outlet{Code: "FD", Name: "FD"}
	err := db.CreateProperty(ctx, &p)
	if err == nil {
		sc.PropertyID = p.ID
		err = db.CreateServiceCenter(ctx, &sc)
	}
	if err == nil {
		o.PropertyID, o.ServiceCenterID = p.ID, sc.ID
		err = db.CreateOutlet(ctx, &o)
	}
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func newConversation(o concierge.Outlet, code, msgCode string) (concierge.Conversation, concierge.Message) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	c := concierge.Conversation{Code: code, PropertyID: o.PropertyID, OutletID: o.ID, Status: concierge.ConversationOpen,
		Type: "guest", GuestLanguage: "en", CreatedAt: at, UpdatedAt: at}
	m := concierge.Message{Code: msgCode, Type: concierge.MessageGuest, Content: "hello " + code, Language: "en", CreatedAt: at}
	return c, m
}

// TestGroupCommitIsolatesAFailure: concurrent CreateConversation calls share one transaction;
// the one whose first message's code is taken (it fails after inserting its conversation and
// an event) gets ErrConflict and leaves nothing, its neighbours commit, and OnEvents is called
// once, with the batch's newest event. The batch (joined to the holding write's transaction)
// first runs without savepoints; the failure rolls it back and the 39 others run again in a
// second transaction, each in a savepoint (one transaction begun after the holding one, never
// one per write). Every committed first message is in the full-text
// index exactly once, the failed one not at all.
func TestGroupCommitIsolatesAFailure(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	ctx := t.Context()
	o := batchWorld(t, db)
	c0, m0 := newConversation(o, "C-TAKEN", "M-TAKEN")
	must(t, concierge.NewConversations(db).Create(ctx, &c0, &m0))

	var mu sync.Mutex
	var notified []int64
	db.OnEvents(func(seq int64) {
		mu.Lock()
		defer mu.Unlock()
		notified = append(notified, seq)
	})

	const n, failing = 40, 17
	release := holdWriter(t, db)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			msgCode := fmt.Sprintf("M%d", i)
			if i == failing {
				msgCode = "M-TAKEN"
			}
			c, m := newConversation(o, fmt.Sprintf("C%d", i), msgCode)
			errs[i] = concierge.NewConversations(db).Create(ctx, &c, &m)
		})
	}
	txsBefore := db.txs.Load()
	release(n)
	wg.Wait()

	if got := db.txs.Load() - txsBefore; got != 1 {
		t.Errorf("%d write transactions begun after the holding one for %d queued writes with one failing, want 1", got, n)
	}
	for i, err := range errs {
		switch {
		case i == failing && !errors.Is(err, concierge.ErrConflict):
			t.Errorf("write %d (taken message code) = %v, want ErrConflict", i, err)
		case i != failing && err != nil:
			t.Errorf("write %d failed next to a failing neighbour: %v", i, err)
		}
	}
	for i := range n {
		_, err := db.ConversationByCode(ctx, fmt.Sprintf("C%d", i))
		if i == failing && !errors.Is(err, concierge.ErrNotFound) {
			t.Errorf("the failed write's conversation: %v, want ErrNotFound (rolled back)", err)
		}
		if i != failing && err != nil {
			t.Errorf("conversation C%d: %v", i, err)
		}
	}
	for i := range n {
		var rows int
		must(t, db.readers.QueryRowContext(ctx, `SELECT count(*) FROM message_text WHERE message_text MATCH ?`,
			fmt.Sprintf(`"C%d"`, i)).Scan(&rows))
		want := 1
		if i == failing {
			want = 0
		}
		if rows != want {
			t.Errorf("C%d's message is %d times in the full-text index, want %d", i, rows, want)
		}
	}
	latest, err := db.LatestEventSeq(ctx)
	must(t, err)
	events, err := db.EventsAfter(ctx, 0, 0)
	must(t, err)
	if want := 2 + 2*(n-1); len(events) != want || events[len(events)-1].Seq != latest {
		t.Errorf("%d events (last %d, latest %d), want %d", len(events), events[len(events)-1].Seq, latest, want)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(notified) != 1 || notified[0] != latest {
		t.Errorf("OnEvents calls %v, want one with the newest seq %d", notified, latest)
	}
}

// TestGroupCommitSurvivesARolledBackTransaction: a write whose failure made SQLite roll back
// the whole shared transaction (here it runs ROLLBACK itself, as SQLITE_INTERRUPT or
// SQLITE_FULL would) gets its own error; the writes before and after it in the batch are run
// again alone and commit.
func TestGroupCommitSurvivesARolledBackTransaction(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	ctx := t.Context()
	scratchTable(t, db)
	const n, failing = 12, 5
	errBoom := errors.New("boom")
	release := holdWriter(t, db)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = db.write(ctx, func(tx *sql.Tx) error {
				if i == failing {
					if _, err := tx.ExecContext(ctx, `INSERT INTO scratch VALUES ('bad', 0)`); err != nil {
						return err
					}
					if _, err := tx.ExecContext(ctx, `ROLLBACK`); err != nil {
						return err
					}
					return errBoom
				}
				_, err := tx.ExecContext(ctx, `INSERT INTO scratch VALUES (?, ?)`, fmt.Sprint(i), i)
				return err
			})
		})
	}
	release(n)
	wg.Wait()
	for i, err := range errs {
		if i == failing && !errors.Is(err, errBoom) {
			t.Errorf("failing write = %v, want its own error", err)
		}
		if i != failing && err != nil {
			t.Errorf("write %d = %v", i, err)
		}
	}
	keys := scratchKeys(t, db)
	if len(keys) != n-1 || keys["bad"] {
		t.Errorf("keys %v, want the %d successful writes' only", keys, n-1)
	}
}

// TestGroupCommitCommitFailure: when the COMMIT of a batch fails (here a deferred foreign key
// that one write broke), each write is run again alone: the guilty one gets the commit's
// error, the others commit, and the writer connection is left without an open transaction.
func TestGroupCommitCommitFailure(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	ctx := t.Context()
	must(t, db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE parent (id INTEGER PRIMARY KEY);
			CREATE TABLE child (id INTEGER PRIMARY KEY,
				parent_id INTEGER NOT NULL REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);
			INSERT INTO parent VALUES (1);`)
		return err
	}))
	const n, orphan = 10, 3
	release := holdWriter(t, db)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			parent := 1
			if i == orphan {
				parent = 99
			}
			errs[i] = db.write(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO child VALUES (?, ?)`, i, parent)
				return err
			})
		})
	}
	txsBefore := db.txs.Load()
	release(n)
	wg.Wait()
	for i, err := range errs {
		if i == orphan && err == nil {
			t.Errorf("the write breaking a deferred foreign key committed")
		}
		if i != orphan && err != nil {
			t.Errorf("write %d = %v", i, err)
		}
	}
	if got := db.txs.Load() - txsBefore; got != 1+n {
		t.Errorf("%d transactions, want %d (the failed batch, then each write alone)", got, 1+n)
	}
	var count int
	must(t, db.readers.QueryRowContext(ctx, `SELECT count(*) FROM child`).Scan(&count))
	if count != n-1 {
		t.Errorf("%d child rows, want %d", count, n-1)
	}
	// The connection is usable: no transaction was left open by the failed COMMIT.
	must(t, db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO parent VALUES (2)`)
		return err
	}))
}

// TestWriteCancelledWhileQueued: a write whose context ends while it waits in the queue is
// skipped (its function never runs) and returns the context's error; its neighbours commit.
func TestWriteCancelledWhileQueued(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	scratchTable(t, db)
	release := holdWriter(t, db)
	cctx, cancel := context.WithCancel(t.Context())
	var ran atomic.Bool
	cancelled, other := make(chan error, 1), make(chan error, 1)
	go func() {
		cancelled <- db.write(cctx, func(tx *sql.Tx) error {
			ran.Store(true)
			_, err := tx.ExecContext(cctx, `INSERT INTO scratch VALUES ('cancelled', 1)`)
			return err
		})
	}()
	for len(db.requests) < 1 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	go func() {
		other <- db.write(t.Context(), func(tx *sql.Tx) error {
			_, err := tx.ExecContext(t.Context(), `INSERT INTO scratch VALUES ('other', 1)`)
			return err
		})
	}()
	release(2)
	if err := <-cancelled; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled write = %v, want context.Canceled", err)
	}
	if err := <-other; err != nil {
		t.Errorf("neighbour = %v", err)
	}
	if ran.Load() {
		t.Error("the cancelled write's function ran")
	}
	if keys := scratchKeys(t, db); len(keys) != 1 || !keys["other"] {
		t.Errorf("keys %v, want only the neighbour's", keys)
	}

	// A context already done: no function runs.
	done, stop := context.WithCancel(t.Context())
	stop()
	err := db.write(done, func(*sql.Tx) error { ran.Store(true); return nil })
	if !errors.Is(err, context.Canceled) || ran.Load() {
		t.Errorf("write with a done context = %v (ran %v), want context.Canceled without running", err, ran.Load())
	}
}

// TestWritePanicReachesCaller: a panic in a write's function is raised in the caller, not in
// the writer goroutine, which goes on serving writes.
func TestWritePanicReachesCaller(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	scratchTable(t, db)
	got := func() (p any) {
		defer func() { p = recover() }()
		_ = db.write(t.Context(), func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(t.Context(), `INSERT INTO scratch VALUES ('panic', 1)`); err != nil {
				return err
			}
			panic("boom")
		})
		return nil
	}()
	if got != "boom" {
		t.Fatalf("recovered %v, want the function's panic", got)
	}
	must(t, db.write(t.Context(), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(t.Context(), `INSERT INTO scratch VALUES ('after', 1)`)
		return err
	}))
	if keys := scratchKeys(t, db); len(keys) != 1 || !keys["after"] {
		t.Errorf("keys %v, want only the write after the panic", keys)
	}
}

// TestWriteAfterClose: Close lets the queued writes commit; a write after Close fails.
func TestWriteAfterClose(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "c.db")
	db, err := Open(t.Context(), path, testLogger(t))
	must(t, err)
	scratchTable(t, db)
	release := holdWriter(t, db)
	queued := make(chan error, 1)
	go func() {
		queued <- db.write(t.Context(), func(tx *sql.Tx) error {
			_, err := tx.ExecContext(t.Context(), `INSERT INTO scratch VALUES ('queued', 1)`)
			return err
		})
	}()
	release(1)
	must(t, db.Close())
	if err := <-queued; err != nil {
		t.Errorf("write queued before Close = %v", err)
	}
	if err := db.write(t.Context(), func(*sql.Tx) error { return nil }); !errors.Is(err, errClosed) {
		t.Errorf("write after Close = %v, want errClosed", err)
	}
	must(t, db.Close())
	reopened := openAt(t, path)
	if keys := scratchKeys(t, reopened); !keys["queued"] {
		t.Errorf("keys after reopening %v, want the write queued before Close", keys)
	}
}

// TestConcurrentWritesAreDurableAndDistinct: many goroutines add messages to one
// conversation; every message gets a distinct sequence number and all are stored.
func TestConcurrentWritesAreDurableAndDistinct(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	ctx := t.Context()
	o := batchWorld(t, db)
	c, m := newConversation(o, "C", "M")
	must(t, concierge.NewConversations(db).Create(ctx, &c, &m))
	const n = 100
	seqs := make([]int64, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			msg := concierge.Message{ConversationID: c.ID, Code: fmt.Sprintf("M%d", i), Type: concierge.MessageGuest,
				Content: "x", Language: "en", CreatedAt: m.CreatedAt}
			if err := concierge.NewConversations(db).AddMessage(ctx, &msg, concierge.ConversationOpen, m.CreatedAt); err != nil {
				t.Errorf("AddMessage %d: %v", i, err)
			}
			seqs[i] = msg.Seq
		})
	}
	wg.Wait()
	seen := map[int64]bool{}
	for _, s := range seqs {
		if s < 2 || s > n+1 || seen[s] {
			t.Errorf("sequence numbers %v are not 2…%d, each once", seqs, n+1)
			break
		}
		seen[s] = true
	}
	msgs, err := db.ConversationMessages(ctx, c.ID, true)
	must(t, err)
	if len(msgs) != n+1 {
		t.Errorf("%d messages stored, want %d", len(msgs), n+1)
	}
}

// TestWriteIgnoresACancelAfterItStarted: once a write's function runs, the end of its context
// no longer interrupts its statements (an interrupted statement would roll back the batch's
// shared transaction): the write commits whole.
func TestWriteIgnoresACancelAfterItStarted(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	scratchTable(t, db)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	err := db.write(ctx, func(tx *sql.Tx) error {
		if _, err := db.writeStmts.exec(ctx, tx, `INSERT INTO scratch VALUES ('before', 1)`); err != nil {
			return err
		}
		cancel()
		_, err := db.writeStmts.exec(ctx, tx, `INSERT INTO scratch VALUES ('after', 2)`)
		return err
	})
	if err != nil {
		t.Fatalf("write cancelled while running = %v, want nil", err)
	}
	if keys := scratchKeys(t, db); !keys["before"] || !keys["after"] {
		t.Errorf("scratch keys %v, want before and after", keys)
	}
}

// TestWritesQueuedDuringABatchJoinIt: the writes that queue up while a transaction runs its
// writes join that transaction (takeQueued) instead of waiting for a commit of their own.
func TestWritesQueuedDuringABatchJoinIt(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	ctx := t.Context()
	o := batchWorld(t, db)
	const n = 20
	release := holdWriter(t, db)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c, m := newConversation(o, fmt.Sprintf("C%d", i), fmt.Sprintf("M%d", i))
			errs[i] = concierge.NewConversations(db).Create(ctx, &c, &m)
		})
	}
	txsBefore, commitsBefore := db.txs.Load(), db.commits.Load()
	release(n)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("write %d: %v", i, err)
		}
	}
	if got := db.txs.Load() - txsBefore; got != 0 {
		t.Errorf("%d transactions begun for %d writes queued during the holding one, want 0 (they join it)", got, n)
	}
	if got := db.commits.Load() - commitsBefore; got != 1 {
		t.Errorf("%d commits, want 1", got)
	}
	var count int
	must(t, db.readers.QueryRowContext(ctx, `SELECT count(*) FROM conversations WHERE code LIKE 'C%'`).Scan(&count))
	if count != n {
		t.Errorf("%d conversations stored, want %d", count, n)
	}
}
