package postgres

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"concierge/internal/concierge"
)

// TestNodesRace runs the writes whose correctness across nodes rests on row locks from two
// DB handles (two nodes) at once: an idempotency key reserved once, one stay per booking
// reference, read-then-write order updates that never see a stale status, and a session
// replaced once.
func TestNodesRace(t *testing.T) {
	t.Parallel()
	dsn := newDatabase(t)
	nodes := []*DB{openDSN(t, dsn), openDSN(t, dsn)}
	ctx := t.Context()
	w := newWorld(t, nodes[0])
	const n = 12
	race := func(fn func(i int, db *DB) error) []error {
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				errs[i] = fn(i, nodes[i%2])
			})
		}
		close(start)
		wg.Wait()
		return errs
	}

	t.Run("idempotency key", func(t *testing.T) {
		inserted := make([]bool, n)
		for _, err := range race(func(i int, db *DB) error {
			_, ok, err := db.ReserveIdempotencyKey(ctx, concierge.IdempotentRecord{Scope: "s", Key: "k",
				RequestHash: []byte{1}, CreatedAt: time.Now()})
			inserted[i] = ok
			return err
		}) {
			must(t, err)
		}
		count := 0
		for _, ok := range inserted {
			if ok {
				count++
			}
		}
		if count != 1 {
			t.Errorf("the key was reserved %d times, want once", count)
		}
	})

	t.Run("stay upserts", func(t *testing.T) {
		ids := make([]int64, n)
		results := make([]concierge.UpsertResult, n)
		for _, err := range race(func(i int, db *DB) error {
			s := &concierge.Stay{PropertyID: w.p.ID, RoomNumber: fmt.Sprint(100 + i%3), Arrival: "2025-01-01",
				Departure: "2025-01-02", BookingReference: "RACE"}
			res, err := db.UpsertStays(ctx, []*concierge.Stay{s})
			if err == nil {
				ids[i], results[i] = s.ID, res[0]
			}
			return err
		}) {
			must(t, err)
		}
		created := 0
		for i := range n {
			if ids[i] != ids[0] {
				t.Errorf("upsert %d wrote stay %d, the first %d", i, ids[i], ids[0])
			}
			if results[i] == concierge.UpsertCreated {
				created++
			}
		}
		if created != 1 {
			t.Errorf("%d upserts created the stay, want 1", created)
		}
	})

	t.Run("order updates", func(t *testing.T) {
		o := concierge.Order{PropertyID: w.p.ID, Code: "ORD-RACE", Status: concierge.OrderPending}
		must(t, nodes[0].CreateOrder(ctx, &o))
		// Each write reads the order, locked, and moves it on by one step: each finds the
		// status the one before it wrote, so each is an update.
		for i, err := range race(func(i int, db *DB) error {
			next := o
			next.Code, next.Status = "ord-race", concierge.OrderStatus(fmt.Sprintf("step-%d", i))
			saved, err := concierge.NewOrders(db, nil).Save(ctx, []concierge.Order{next}, time.Now())
			if err == nil && saved[0].Result != concierge.UpsertUpdated {
				err = fmt.Errorf("result %s", saved[0].Result)
			}
			return err
		}) {
			if err != nil {
				t.Errorf("write %d: %v", i, err)
			}
		}
	})

	t.Run("session replacement", func(t *testing.T) {
		s := concierge.Session{PropertyID: w.p.ID, Language: "en"}
		must(t, concierge.NewGuestSessions(nodes[0]).Create(ctx, &s))
		replaced := 0
		for _, err := range race(func(i int, db *DB) error {
			next := concierge.Session{PropertyID: w.p.ID, Language: "en"}
			return concierge.NewGuestSessions(db).Replace(ctx, s.ID, time.Now(), &next)
		}) {
			switch {
			case err == nil:
				replaced++
			case !errors.Is(err, concierge.ErrNotFound):
				t.Errorf("ReplaceSession: %v", err)
			}
		}
		if replaced != 1 {
			t.Errorf("the session was replaced %d times, want once", replaced)
		}
	})
}
