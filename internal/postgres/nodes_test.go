package postgres

// Tests of what several nodes share (ratelimit.go, guard.go, sessionkeys.go); they belong to
// the multi-node helper. Each opens two DBs on one database, as two nodes do.

import (
	"bytes"
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// twoNodes opens two DBs on one fresh database.
func twoNodes(t *testing.T) (*DB, *DB) {
	t.Helper()
	dsn := newDatabase(t)
	open := func() *DB {
		db, err := Open(context.Background(), dsn, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
	return open(), open()
}

func TestAllowRateSharedAcrossNodes(t *testing.T) {
	t.Parallel()
	a, b := twoNodes(t)
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	allow := func(db *DB, scope, key string, at time.Time) (bool, time.Duration) {
		t.Helper()
		ok, wait, err := db.AllowRate(ctx, scope, key, 1, 3, at)
		if err != nil {
			t.Fatal(err)
		}
		return ok, wait
	}
	// A burst of 3 spread over both nodes, then refused on both.
	for i, db := range []*DB{a, b, a} {
		if ok, _ := allow(db, "session", "k", now); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	for _, db := range []*DB{a, b} {
		ok, wait := allow(db, "session", "k", now)
		if ok || wait != time.Second {
			t.Fatalf("past the burst: ok %v wait %v, want refused for 1s", ok, wait)
		}
	}
	// Other keys and other scopes have buckets of their own.
	if ok, _ := allow(b, "session", "other\x00", now); !ok {
		t.Fatal("another key refused")
	}
	if ok, _ := allow(b, "address", "k", now); !ok {
		t.Fatal("the same key in another scope refused")
	}
	// A refused request took nothing: half a second later it is still half a second away.
	if ok, wait := allow(b, "session", "k", now.Add(500*time.Millisecond)); ok || wait != 500*time.Millisecond {
		t.Fatalf("half a second later: ok %v wait %v", ok, wait)
	}
	// One token a second comes back.
	if ok, _ := allow(b, "session", "k", now.Add(time.Second)); !ok {
		t.Fatal("refused after a second")
	}
	if ok, _ := allow(a, "session", "k", now.Add(time.Second)); ok {
		t.Fatal("two requests allowed a second after an empty bucket")
	}
	// Pruning drops only full buckets.
	n, err := a.PruneRateLimits(ctx, now.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 { // "other" and "address" were full again after their 1 s
		t.Fatalf("pruned %d rows, want 2", n)
	}
	if ok, _ := allow(a, "session", "k", now.Add(time.Second)); ok {
		t.Fatal("pruning emptied a bucket in use")
	}
	for _, bad := range []float64{0, -1} {
		if _, _, err := a.AllowRate(ctx, "s", "k", bad, 1, now); err == nil {
			t.Errorf("rate %v accepted", bad)
		}
	}
}

// TestAllowRateRacing: concurrent requests from two nodes on one key take exactly the burst.
func TestAllowRateRacing(t *testing.T) {
	t.Parallel()
	a, b := twoNodes(t)
	now := time.Unix(1_800_000_000, 0)
	const burst, callers = 10, 40
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for i := range callers {
		db := a
		if i%2 == 1 {
			db = b
		}
		wg.Go(func() {
			ok, _, err := db.AllowRate(context.Background(), "race", "k", 0.001, burst, now)
			if err != nil {
				t.Error(err)
			}
			if ok {
				allowed.Add(1)
			}
		})
	}
	wg.Wait()
	if got := allowed.Load(); got != burst {
		t.Fatalf("%d racing requests allowed, want the burst of %d", got, burst)
	}
}

func TestGuardSharedAcrossNodes(t *testing.T) {
	t.Parallel()
	a, b := twoNodes(t)
	ctx := context.Background()
	p := GuardPolicy{Free: 2, Base: time.Second, MaxDelay: 4 * time.Second, Window: time.Minute}
	now := time.Unix(1_800_000_000, 0)
	check := func(db *DB, at time.Time) time.Duration {
		t.Helper()
		ok, wait, err := db.GuardCheck(ctx, "verify", "DEMO\x00101", at, p)
		if err != nil {
			t.Fatal(err)
		}
		if ok != (wait == 0) {
			t.Fatalf("ok %v with wait %v", ok, wait)
		}
		return wait
	}
	fail := func(db *DB, at time.Time, want int) {
		t.Helper()
		ok, n, wait, err := db.GuardAttempt(ctx, "verify", "DEMO\x00101", at, p)
		if err != nil {
			t.Fatal(err)
		}
		if !ok || n != want || wait != 0 {
			t.Fatalf("attempt: ok %v, failure %d, wait %v; want allowed as failure %d", ok, n, wait, want)
		}
	}
	fail(a, now, 1)
	fail(b, now, 2)
	if w := check(a, now); w != 0 {
		t.Fatalf("blocked %v after the free failures", w)
	}
	// Each further failure, on either node, blocks both: 1 s, 2 s, 4 s, then 4 s (the cap);
	// attempts while blocked are refused on both and not counted.
	for i, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second} {
		db := []*DB{a, b}[i%2]
		fail(db, now, i+3)
		for _, other := range []*DB{a, b} {
			if w := check(other, now); w != want {
				t.Fatalf("after failure %d: blocked %v, want %v", i+3, w, want)
			}
			ok, n, w, err := other.GuardAttempt(ctx, "verify", "DEMO\x00101", now, p)
			if err != nil || ok || n != 0 || w != want {
				t.Fatalf("attempt while blocked: ok %v, failure %d, wait %v, err %v; want refused for %v", ok, n, w, err, want)
			}
		}
		now = now.Add(want)
	}
	if w := check(a, now); w != 0 {
		t.Fatalf("still blocked %v once the block is over", w)
	}
	// A failure taken back lowers the count; at the free count the block ends.
	fail(a, now, 7)
	if err := b.GuardForgive(ctx, "verify", "DEMO\x00101", p); err != nil {
		t.Fatal(err)
	}
	if w := check(a, now); w != 4*time.Second {
		t.Fatalf("six failures after a forgiven one: blocked %v, want the 4s block kept", w)
	}
	// Other keys and scopes are not blocked.
	if ok, _, err := b.GuardCheck(ctx, "login", "DEMO\x00101", now, p); err != nil || !ok {
		t.Fatalf("another scope: ok %v err %v", ok, err)
	}
	// A success on one node forgets the failures everywhere.
	if err := b.GuardSucceed(ctx, "verify", "DEMO\x00101"); err != nil {
		t.Fatal(err)
	}
	fail(a, now, 1)
	fail(a, now, 2)
	if w := check(b, now); w != 0 {
		t.Fatalf("failures counted from before the success: blocked %v", w)
	}
	fail(a, now, 3)
	if w := check(b, now); w != time.Second {
		t.Fatalf("third failure: blocked %v, want 1s", w)
	}
	if err := a.GuardForgive(ctx, "verify", "DEMO\x00101", p); err != nil {
		t.Fatal(err)
	}
	if w := check(b, now); w != 0 {
		t.Fatalf("back at the free count: blocked %v", w)
	}
	// Failures are forgotten a window after the last one: counting starts over.
	later := now.Add(p.Window)
	fail(b, later, 1)
	fail(b, later, 2)
	if w := check(a, later); w != 0 {
		t.Fatalf("failures counted from before the window: blocked %v", w)
	}
	fail(b, later, 3)
	if w := check(a, later); w != time.Second {
		t.Fatalf("third failure in the window: blocked %v, want 1s", w)
	}
	n, err := a.PruneGuardFailures(ctx, later.Add(time.Second+p.Window), p.Window)
	if err != nil || n != 1 {
		t.Fatalf("pruned %d rows (err %v), want 1", n, err)
	}
}

// TestGuardAttemptsCountedBeforeTheyEnd: attempts racing on two nodes are all counted as they
// begin, so that no more than Free+1 get through before the first block.
func TestGuardAttemptsCountedBeforeTheyEnd(t *testing.T) {
	t.Parallel()
	a, b := twoNodes(t)
	p := GuardPolicy{Free: 5, Base: time.Second, MaxDelay: time.Minute, Window: time.Hour}
	now := time.Unix(1_800_000_000, 0)
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for i := range 40 {
		db := []*DB{a, b}[i%2]
		wg.Go(func() {
			ok, _, _, err := db.GuardAttempt(context.Background(), "login", "k", now, p)
			if err != nil {
				t.Error(err)
			}
			if ok {
				allowed.Add(1)
			}
		})
	}
	wg.Wait()
	if got := allowed.Load(); got != 6 {
		t.Fatalf("%d racing attempts allowed, want 6 (five free, the sixth starts the block)", got)
	}
}

func TestSessionKeysSharedAcrossNodes(t *testing.T) {
	t.Parallel()
	a, b := twoNodes(t)
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	k1, k2, k3, k4 := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32), bytes.Repeat([]byte{3}, 32), bytes.Repeat([]byte{4}, 32)

	// Two nodes starting at once agree on one key.
	var wg sync.WaitGroup
	var got [2][][]byte
	var created [2]bool
	for i, db := range []*DB{a, b} {
		wg.Go(func() {
			keys, c, err := db.SessionKeys(ctx, []byte{byte(10 + i)}, now)
			if err != nil {
				t.Error(err)
			}
			got[i], created[i] = keys, c
		})
	}
	wg.Wait()
	if created[0] == created[1] || len(got[0]) != 1 || !bytes.Equal(got[0][0], got[1][0]) {
		t.Fatalf("racing first starts: created %v, keys %x and %x", created, got[0], got[1])
	}
	if _, _, err := a.SessionKeys(ctx, nil, now); err == nil {
		t.Fatal("an empty fresh key accepted")
	}
	if err := a.RotateSessionKeys(ctx, nil, now); err == nil {
		t.Fatal("rotation to an empty key accepted")
	}

	// After rotations every node reads the new current key and the one before it.
	first := got[0][0]
	if err := a.RotateSessionKeys(ctx, k1, now); err != nil {
		t.Fatal(err)
	}
	keys, c, err := b.SessionKeys(ctx, k4, now)
	if err != nil || c || len(keys) != 2 || !bytes.Equal(keys[0], k1) || !bytes.Equal(keys[1], first) {
		t.Fatalf("after a rotation: keys %x created %v err %v", keys, c, err)
	}
	if err := b.RotateSessionKeys(ctx, k2, now); err != nil {
		t.Fatal(err)
	}
	if err := a.RotateSessionKeys(ctx, k3, now); err != nil {
		t.Fatal(err)
	}
	keys, _, err = a.SessionKeys(ctx, k4, now)
	if err != nil || len(keys) != 2 || !bytes.Equal(keys[0], k3) || !bytes.Equal(keys[1], k2) {
		t.Fatalf("after three rotations: keys %x err %v, want k3 then k2", keys, err)
	}
}
