package postgres

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"concierge/internal/concierge"
)

// TestEventsReadInCommitOrder races writers appending events (each holding its transaction
// open a random while after numbering its events, so that commits finish out of the order in
// which transactions began) against a reader that keeps reading the log from where it left
// off. Seqs are gapless, so the reader must always find the very next seq: a seq that became
// visible before a lower one would show as a gap, and the lower one would be skipped.
func TestEventsReadInCommitOrder(t *testing.T) {
	t.Parallel()
	dsn := newDatabase(t)
	db := openDSN(t, dsn)
	ctx := t.Context()
	w := newWorld(t, db)
	const writers, perWriter = 8, 15
	convs := make([]concierge.Conversation, writers)
	for i := range convs {
		convs[i] = concierge.Conversation{Code: fmt.Sprintf("C%d", i), PropertyID: w.p.ID, OutletID: w.o.ID,
			Status: concierge.ConversationOpen}
		must(t, concierge.NewConversations(db).Create(ctx, &convs[i], nil))
	}
	start, err := db.LatestEventSeq(ctx)
	must(t, err)

	// The writers use a second node, whose commits are delayed; the reader reads through db.
	writer := openDSN(t, dsn)
	writer.beforeCommit = func() { time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond) }

	var done atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Go(func() {
			for j := range perWriter {
				m := concierge.Message{Code: fmt.Sprintf("M%d-%d", i, j), ConversationID: convs[i].ID,
					Type: concierge.MessageGuest, CreatedAt: time.Now()}
				status := concierge.ConversationOpen
				if j%3 == 0 {
					status = concierge.ConversationClosed // two events in one transaction
				}
				if err := concierge.NewConversations(writer).AddMessage(ctx, &m, status, time.Now()); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	go func() { wg.Wait(); done.Store(true) }()

	last, reads := start, 0
	for {
		finished := done.Load() // read before the log, so that the last pass sees every commit
		evs, err := db.EventsAfter(ctx, last, 0)
		must(t, err)
		reads++
		for _, e := range evs {
			if e.Seq != last+1 {
				t.Fatalf("read %d: event %d follows %d: seq %d was skipped", reads, e.Seq, last, last+1)
			}
			last = e.Seq
		}
		if finished {
			break
		}
	}
	close(errs)
	for err := range errs {
		t.Fatalf("writer: %v", err)
	}
	latest, err := db.LatestEventSeq(ctx)
	must(t, err)
	if last != latest || last == start {
		t.Errorf("the reader reached seq %d; latest %d (started at %d)", last, latest, start)
	}
	t.Logf("%d events read in %d passes", last-start, reads)
}

// wakeups collects the seqs an OnEvents function is called with.
type wakeups struct {
	mu   sync.Mutex
	max  int64
	cond chan struct{} // closed and replaced on every call
}

func newWakeups() *wakeups { return &wakeups{cond: make(chan struct{})} }

func (w *wakeups) fn(seq int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.max = max(w.max, seq)
	close(w.cond)
	w.cond = make(chan struct{})
}

// waitFor waits until a call with a seq of at least seq, failing the test after a minute.
func (w *wakeups) waitFor(t *testing.T, seq int64) {
	t.Helper()
	deadline := time.After(time.Minute)
	for {
		w.mu.Lock()
		got, cond := w.max, w.cond
		w.mu.Unlock()
		if got >= seq {
			return
		}
		select {
		case <-cond:
		case <-deadline:
			t.Fatalf("no wake-up for seq %d (highest %d)", seq, got)
		}
	}
}

// TestOnEventsAcrossNodes checks that a commit on one node wakes another node's OnEvents
// function, also after the listener's connection was cut (it reconnects and catches up).
func TestOnEventsAcrossNodes(t *testing.T) {
	t.Parallel()
	dsn := newDatabase(t)
	a, b := openDSN(t, dsn), openDSN(t, dsn)
	ctx := t.Context()
	wk := newWakeups()
	b.OnEvents(wk.fn)
	w := newWorld(t, a)

	add := func(code string) int64 {
		t.Helper()
		c := concierge.Conversation{Code: code, PropertyID: w.p.ID, OutletID: w.o.ID, Status: concierge.ConversationOpen}
		must(t, concierge.NewConversations(a).Create(ctx, &c, nil))
		seq, err := a.LatestEventSeq(ctx)
		must(t, err)
		return seq
	}
	wk.waitFor(t, add("C1"))
	wk.waitFor(t, add("C2"))

	// Cut the listener's connection, then commit at once: the notification may reach nobody,
	// but the listener reconnects and wakes b with the latest seq.
	var killed int
	must(t, a.pool.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = $1 AND datname = current_database()`, listenerName).Scan(&killed))
	if killed != 1 {
		t.Fatalf("terminated %d listener connections, want 1", killed)
	}
	wk.waitFor(t, add("C3"))
	wk.waitFor(t, add("C4"))

	// Close stops the listener (and may be called again); OnEvents after Close starts nothing.
	must(t, b.Close())
	must(t, b.Close())
	b.OnEvents(wk.fn)
	// The server ends a closed connection's backend shortly after the client leaves.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		var listeners int
		must(t, a.pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE application_name = $1 AND datname = current_database()`, listenerName).Scan(&listeners))
		if listeners == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d listener connections remain after Close", listeners)
		}
	}

	// A local commit wakes the local hook too.
	local := newWakeups()
	a.OnEvents(local.fn)
	local.waitFor(t, add("C5"))
	a.OnEvents(nil)
}
