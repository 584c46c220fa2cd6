package ratelimit

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 1, 18, 7, 52, 37, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func mustAllow(t *testing.T, l *Limiter, key string) {
	t.Helper()
	if ok, retry := l.Allow(t.Context(), key); !ok {
		t.Fatalf("Allow(%q) refused, retryAfter %v", key, retry)
	}
}

func mustRefuse(t *testing.T, l *Limiter, key string, wantRetry time.Duration) {
	t.Helper()
	ok, retry := l.Allow(t.Context(), key)
	if ok {
		t.Fatalf("Allow(%q) allowed, want refused", key)
	}
	if retry != wantRetry {
		t.Fatalf("Allow(%q) retryAfter = %v, want %v", key, retry, wantRetry)
	}
}

func TestLimiterBurstThenRefused(t *testing.T) {
	t.Parallel()
	c := newClock()
	l := New(2, 5, c.Now) // 2/s, burst 5
	for i := 0; i < 5; i++ {
		mustAllow(t, l, "a")
	}
	mustRefuse(t, l, "a", 500*time.Millisecond)
	mustRefuse(t, l, "a", 500*time.Millisecond) // refusals take no token

	c.Advance(200 * time.Millisecond)
	mustRefuse(t, l, "a", 300*time.Millisecond)
	c.Advance(300 * time.Millisecond)
	mustAllow(t, l, "a")
	mustRefuse(t, l, "a", 500*time.Millisecond)
}

func TestLimiterRefill(t *testing.T) {
	t.Parallel()
	c := newClock()
	l := New(1, 3, c.Now)
	for i := 0; i < 3; i++ {
		mustAllow(t, l, "k")
	}
	mustRefuse(t, l, "k", time.Second)

	c.Advance(2 * time.Second) // two tokens back
	mustAllow(t, l, "k")
	mustAllow(t, l, "k")
	mustRefuse(t, l, "k", time.Second)

	c.Advance(time.Hour) // refills only up to burst
	for i := 0; i < 3; i++ {
		mustAllow(t, l, "k")
	}
	mustRefuse(t, l, "k", time.Second)
}

// After waiting exactly retryAfter, a token must be available, whatever the rate.
func TestLimiterRetryAfterIsEnough(t *testing.T) {
	t.Parallel()
	for _, rps := range []float64{0.01, 0.3, 0.7, 1, 3, 7, 10, 33.3, 1000, 123456.789} {
		c := newClock()
		l := New(rps, 2, c.Now)
		allowed, refused := 0, 0
		for i := 0; i < 200; i++ {
			ok, retry := l.Allow(t.Context(), "k")
			if ok {
				allowed++
				continue
			}
			refused++
			if retry <= 0 {
				t.Fatalf("rps %v: retryAfter %v", rps, retry)
			}
			c.Advance(retry)
			if ok, again := l.Allow(t.Context(), "k"); !ok {
				t.Fatalf("rps %v: refused again after waiting %v (retry %v)", rps, retry, again)
			}
			allowed++
		}
		if refused == 0 {
			t.Fatalf("rps %v: never refused", rps)
		}
	}
}

func TestLimiterKeysIndependent(t *testing.T) {
	t.Parallel()
	c := newClock()
	l := New(1, 2, c.Now)
	mustAllow(t, l, "a")
	mustAllow(t, l, "a")
	mustRefuse(t, l, "a", time.Second)
	mustAllow(t, l, "b")
	mustAllow(t, l, "b")
	mustRefuse(t, l, "b", time.Second)
	mustAllow(t, l, "")
	mustRefuse(t, l, "a", time.Second)
}

func TestLimiterDisabled(t *testing.T) {
	t.Parallel()
	c := newClock()
	for _, rps := range []float64{0, -1, math.NaN(), math.Inf(1), math.Inf(-1)} {
		l := New(rps, 1, c.Now)
		for i := 0; i < 1000; i++ {
			if ok, retry := l.Allow(t.Context(), "k"); !ok || retry != 0 {
				t.Fatalf("rps %v: refused", rps)
			}
		}
		if l.len() != 0 {
			t.Fatalf("rps %v: disabled limiter tracks keys", rps)
		}
	}
}

func TestLimiterBurstBelowOne(t *testing.T) {
	t.Parallel()
	c := newClock()
	l := New(1, 0, c.Now)
	mustAllow(t, l, "k")
	mustRefuse(t, l, "k", time.Second)
}

func TestLimiterNilClock(t *testing.T) {
	t.Parallel()
	l := New(1, 1, nil)
	if ok, _ := l.Allow(t.Context(), "k"); !ok {
		t.Fatal("first request refused")
	}
	if ok, retry := l.Allow(t.Context(), "k"); ok || retry <= 0 || retry > time.Second {
		t.Fatalf("second request: %v %v", ok, retry)
	}
}

func TestLimiterSweepDropsIdleKeys(t *testing.T) {
	t.Parallel()
	c := newClock()
	l := New(1, 10, c.Now) // full again 10 s after last use
	for i := 0; i < 100; i++ {
		mustAllow(t, l, fmt.Sprint("idle", i))
	}
	if n := l.len(); n != 100 {
		t.Fatalf("len = %d, want 100", n)
	}
	// Keep one key busy; the rest go idle, and are full again after 10 s, but the routine
	// sweep runs at most once a minute.
	for i := 0; i < 5; i++ {
		c.Advance(10 * time.Second)
		mustAllow(t, l, "busy")
	}
	if n := l.len(); n != 101 {
		t.Fatalf("len = %d before the minute is up, want 101", n)
	}
	c.Advance(10 * time.Second) // a minute after the first sweep: this call sweeps
	mustAllow(t, l, "busy")
	if n := l.len(); n != 1 {
		t.Fatalf("after sweep len = %d, want 1 (busy)", n)
	}
	// A dropped key starts with a full bucket, as it would have had anyway.
	for i := 0; i < 10; i++ {
		mustAllow(t, l, "idle0")
	}
	mustRefuse(t, l, "idle0", time.Second)
}

func TestLimiterSweepKeepsKeysNotYetFull(t *testing.T) {
	t.Parallel()
	c := newClock()
	l := New(0.01, 2, c.Now) // one token per 100 s; full again 200 s after last use
	mustAllow(t, l, "a")
	mustAllow(t, l, "a")
	c.Advance(2 * time.Minute) // routine sweep runs, but "a" holds 1.2 tokens, not full
	mustAllow(t, l, "b")
	if n := l.len(); n != 2 {
		t.Fatalf("len = %d, want 2", n)
	}
	mustAllow(t, l, "a") // 0.2 left: the bucket was kept, not recreated full
	ok, retry := l.Allow(t.Context(), "a")
	if ok || retry < 80*time.Second-time.Microsecond || retry > 80*time.Second+time.Microsecond {
		t.Fatalf("Allow(a) = %v, %v; want refused for 80s", ok, retry)
	}
}

func TestLimiterClockGoingBack(t *testing.T) {
	t.Parallel()
	c := newClock()
	l := New(1, 1, c.Now)
	mustAllow(t, l, "k")
	c.Advance(time.Second)
	mustAllow(t, l, "k")
	c.Advance(-time.Second) // an out-of-order reading must not credit the refill again
	mustRefuse(t, l, "k", time.Second)
	c.Advance(time.Second)
	mustRefuse(t, l, "k", time.Second)
	c.Advance(time.Second)
	mustAllow(t, l, "k")
}

func TestLimiterKeyCapFailsOpen(t *testing.T) {
	t.Parallel()
	c := newClock()
	l := New(1, 5, c.Now, MaxKeys(10)) // full 5 s after last use
	for i := 0; i < 10; i++ {
		mustAllow(t, l, fmt.Sprint(i))
	}
	for range 4 {
		mustAllow(t, l, "0") // 0 has used its burst: the most recently used, and empty
	}
	mustRefuse(t, l, "0", time.Second)
	// Full, nothing idle: a new key still gets its full burst; the least recently used key
	// (1) makes room.
	c.Advance(2 * time.Second)
	for range 5 {
		mustAllow(t, l, "new")
	}
	mustRefuse(t, l, "new", time.Second)
	if n := l.len(); n != 10 {
		t.Fatalf("len = %d, want the cap 10", n)
	}
	if _, ok := l.t.items["1"]; ok {
		t.Fatal("the least recently used key was kept")
	}
	if _, ok := l.t.items["0"]; !ok {
		t.Fatal("a recently used key was dropped")
	}
	// A flood of new keys never exceeds the cap and is never refused.
	for i := 0; i < 100; i++ {
		mustAllow(t, l, fmt.Sprint("more", i))
		if n := l.len(); n > 10 {
			t.Fatalf("len %d over cap", n)
		}
	}
}

func TestLimiterCapForcedSweepIsRateLimited(t *testing.T) {
	t.Parallel()
	c := newClock()
	l := New(1000, 1, c.Now, MaxKeys(3)) // full 1 ms after last use
	for i := 0; i < 3; i++ {
		mustAllow(t, l, fmt.Sprint(i))
	}
	// The entries expire after 1 ms, but the table was swept (routinely) at the first call and
	// a forced sweep runs at most once per second: a new key evicts the oldest instead.
	c.Advance(2 * time.Millisecond)
	mustAllow(t, l, "x")
	if n := l.len(); n != 3 {
		t.Fatalf("len %d, want 3 (one evicted, no sweep)", n)
	}
	c.Advance(time.Second)
	mustAllow(t, l, "y") // the forced sweep frees every expired entry
	if n := l.len(); n != 1 {
		t.Fatalf("len %d after the forced sweep, want 1", n)
	}
}

func TestLimiterConcurrent(t *testing.T) {
	t.Parallel()
	c := newClock()
	l := New(10, 20, c.Now)
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				if ok, _ := l.Allow(t.Context(), "shared"); ok {
					allowed.Add(1)
				}
				l.Allow(t.Context(), fmt.Sprint("own", g, i%7))
				if i%100 == 0 {
					c.Advance(time.Second)
				}
			}
		}(g)
	}
	wg.Wait()
	// 20 burst plus at most 10 per simulated second (16·5 seconds advanced).
	if n := allowed.Load(); n < 20 || n > 20+10*16*5 {
		t.Fatalf("allowed %d", n)
	}
}

func TestRetryAfterSeconds(t *testing.T) {
	t.Parallel()
	cases := map[time.Duration]int{
		-time.Second:                       1,
		0:                                  1,
		time.Nanosecond:                    1,
		time.Second:                        1,
		time.Second + time.Nanosecond:      2,
		2500 * time.Millisecond:            3,
		time.Hour:                          3600,
		time.Duration(math.MaxInt64):       int(math.MaxInt64/int64(time.Second)) + 1,
		time.Duration(math.MaxInt64) - 1:   int(math.MaxInt64/int64(time.Second)) + 1,
		time.Duration(math.MaxInt32) * 1e9: math.MaxInt32,
	}
	for d, want := range cases {
		if want > math.MaxInt32 {
			want = math.MaxInt32
		}
		if got := RetryAfterSeconds(d); got != want {
			t.Errorf("RetryAfterSeconds(%v) = %d, want %d", d, got, want)
		}
	}
}

// --- Backoff ---

func mustCheck(t *testing.T, b *Backoff, key string) {
	t.Helper()
	if ok, retry := b.Check(t.Context(), key); !ok {
		t.Fatalf("Check(%q) refused for %v", key, retry)
	}
}

func mustBlock(t *testing.T, b *Backoff, key string, want time.Duration) {
	t.Helper()
	ok, retry := b.Check(t.Context(), key)
	if ok || retry != want {
		t.Fatalf("Check(%q) = %v, %v; want refused for %v", key, ok, retry, want)
	}
	if ok, n, retry := b.Attempt(t.Context(), key); ok || n != 0 || retry != want {
		t.Fatalf("Attempt(%q) = %v, %d, %v; want refused for %v", key, ok, n, retry, want)
	}
}

// fail makes an attempt for key that fails and checks it was counted as the wantN-th failure.
func fail(t *testing.T, b *Backoff, key string, wantN int) {
	t.Helper()
	if ok, n, retry := b.Attempt(t.Context(), key); !ok || n != wantN {
		t.Fatalf("Attempt(%q) = %v, %d, %v; want allowed as failure %d", key, ok, n, retry, wantN)
	}
}

func TestBackoffGrowsAndCaps(t *testing.T) {
	t.Parallel()
	c := newClock()
	b := NewBackoff(3, time.Second, 10*time.Second, time.Hour, c.Now)
	for i := 1; i <= 3; i++ {
		mustCheck(t, b, "p1/101")
		fail(t, b, "p1/101", i)
	}
	mustCheck(t, b, "p1/101") // three free failures

	want := []time.Duration{1, 2, 4, 8, 10, 10, 10}
	for i, w := range want {
		fail(t, b, "p1/101", 4+i)
		mustBlock(t, b, "p1/101", w*time.Second)
		c.Advance(w*time.Second - time.Millisecond)
		mustBlock(t, b, "p1/101", time.Millisecond)
		c.Advance(time.Millisecond)
		mustCheck(t, b, "p1/101")
	}
	mustCheck(t, b, "p1/102") // other keys unaffected
}

func TestBackoffFreeZero(t *testing.T) {
	t.Parallel()
	c := newClock()
	b := NewBackoff(0, time.Second, time.Minute, time.Hour, c.Now)
	fail(t, b, "k", 1)
	mustBlock(t, b, "k", time.Second)
	c.Advance(time.Second)
	fail(t, b, "k", 2)
	mustBlock(t, b, "k", 2*time.Second)
}

func TestBackoffSucceedResets(t *testing.T) {
	t.Parallel()
	c := newClock()
	b := NewBackoff(1, time.Second, time.Minute, time.Hour, c.Now)
	fail(t, b, "k", 1)
	fail(t, b, "k", 2)
	c.Advance(time.Second)
	fail(t, b, "k", 3)
	mustBlock(t, b, "k", 2*time.Second)
	b.Succeed(t.Context(), "k")
	mustCheck(t, b, "k")
	if b.len() != 0 {
		t.Fatalf("len %d after success", b.len())
	}
	fail(t, b, "k", 1) // free again
	mustCheck(t, b, "k")
	fail(t, b, "k", 2)
	mustBlock(t, b, "k", time.Second)    // and starting over from base
	b.Succeed(t.Context(), "never-seen") // harmless
}

func TestBackoffForgive(t *testing.T) {
	t.Parallel()
	c := newClock()
	b := NewBackoff(2, time.Second, time.Minute, time.Hour, c.Now)
	fail(t, b, "k", 1)
	fail(t, b, "k", 2)
	fail(t, b, "k", 3) // blocks at once: attempts running meanwhile are refused
	mustBlock(t, b, "k", time.Second)
	b.Forgive(t.Context(), "k") // it did not fail after all: two failures, no block
	mustCheck(t, b, "k")
	fail(t, b, "k", 3)
	mustBlock(t, b, "k", time.Second)
	c.Advance(time.Second)
	fail(t, b, "k", 4)
	b.Forgive(t.Context(), "k") // three failures remain, more than free: the block stays
	mustBlock(t, b, "k", 2*time.Second)
	b.Forgive(t.Context(), "k")
	b.Forgive(t.Context(), "k")
	b.Forgive(t.Context(), "k")
	b.Forgive(t.Context(), "k") // never below zero
	fail(t, b, "k", 1)
	b.Forgive(t.Context(), "never-seen") // harmless
	if b.len() != 1 {
		t.Fatalf("len %d", b.len())
	}
}

func TestBackoffForgetsAfterWindow(t *testing.T) {
	t.Parallel()
	c := newClock()
	b := NewBackoff(2, time.Second, time.Minute, 10*time.Minute, c.Now)
	fail(t, b, "k", 1)
	fail(t, b, "k", 2)
	c.Advance(10*time.Minute - time.Second)
	fail(t, b, "k", 3) // within the window of the last failure: third failure counts
	mustBlock(t, b, "k", time.Second)

	c.Advance(10*time.Minute + time.Second) // window passed since the block ended
	mustCheck(t, b, "k")
	fail(t, b, "k", 1) // counting started over: two free failures again
	fail(t, b, "k", 2)
	mustCheck(t, b, "k")
	fail(t, b, "k", 3)
	mustBlock(t, b, "k", time.Second)
}

func TestBackoffWindowCountsFromEndOfBlock(t *testing.T) {
	t.Parallel()
	// A block longer than the window must not let the count reset the moment it ends.
	c := newClock()
	b := NewBackoff(0, time.Hour, 4*time.Hour, time.Minute, c.Now)
	fail(t, b, "k", 1)
	mustBlock(t, b, "k", time.Hour)
	c.Advance(time.Hour)
	mustCheck(t, b, "k")
	fail(t, b, "k", 2)
	mustBlock(t, b, "k", 2*time.Hour) // still the same run
	c.Advance(2*time.Hour + time.Minute - time.Nanosecond)
	if b.len() != 1 {
		t.Fatal("entry forgotten too early")
	}
	c.Advance(time.Nanosecond)
	mustCheck(t, b, "k")
	if b.len() != 0 {
		t.Fatalf("len %d, want entry forgotten", b.len())
	}
}

func TestBackoffSweep(t *testing.T) {
	t.Parallel()
	c := newClock()
	b := NewBackoff(5, time.Second, time.Minute, 5*time.Minute, c.Now)
	for i := 0; i < 50; i++ {
		fail(t, b, fmt.Sprint("room", i), 1)
	}
	if b.len() != 50 {
		t.Fatalf("len %d", b.len())
	}
	c.Advance(4 * time.Minute)
	fail(t, b, "fresh", 1)
	if b.len() != 51 {
		t.Fatalf("len %d, swept too early", b.len())
	}
	c.Advance(2 * time.Minute)
	mustCheck(t, b, "anything") // routine sweep
	if b.len() != 1 {
		t.Fatalf("len %d after sweep, want 1 (fresh)", b.len())
	}
}

// TestBackoffFullFailsOpen: a full Backoff never refuses a key without failures of its own. A
// flood of new keys drops the least recently failed keys that are not slowed down, and keeps
// the ones that are (a room under attack stays blocked).
func TestBackoffFullFailsOpen(t *testing.T) {
	t.Parallel()
	c := newClock()
	b := NewBackoff(2, time.Minute, time.Hour, time.Hour, c.Now, MaxKeys(5))
	for i := 1; i <= 3; i++ {
		fail(t, b, "attacked", i) // slowed: blocked for a minute
	}
	fail(t, b, "typo", 1)
	for i := 0; i < 1000; i++ {
		key := fmt.Sprint("made-up-", i)
		mustCheck(t, b, key)
		fail(t, b, key, 1)
		if b.len() > 5 {
			t.Fatalf("len %d over the cap", b.len())
		}
	}
	mustCheck(t, b, "innocent") // never refused, though the table is full
	fail(t, b, "innocent", 1)
	mustBlock(t, b, "attacked", time.Minute) // kept through the flood
	if _, ok := b.t.items["typo"]; ok {
		t.Fatal("a key with a free failure outlived the flood")
	}
	// A flood of slowed-down keys finally drops the least recently failed of them.
	for i := 0; i < 5; i++ {
		key := fmt.Sprint("slowed-", i)
		for n := 1; n <= 3; n++ {
			fail(t, b, key, n)
			c.Advance(time.Minute)
		}
	}
	if b.len() != 5 {
		t.Fatalf("len %d, want 5", b.len())
	}
	mustCheck(t, b, "attacked")
	fail(t, b, "attacked", 1) // dropped: counting starts over
}

func TestBackoffDisabled(t *testing.T) {
	t.Parallel()
	c := newClock()
	for _, b := range []*Backoff{
		NewBackoff(0, 0, time.Minute, time.Hour, c.Now),
		NewBackoff(0, time.Second, time.Minute, 0, c.Now),
	} {
		for i := 0; i < 100; i++ {
			fail(t, b, "k", 1)
		}
		b.Forgive(t.Context(), "k")
		b.Succeed(t.Context(), "k")
		mustCheck(t, b, "k")
		if b.len() != 0 {
			t.Fatal("disabled backoff tracks keys")
		}
	}
}

func TestBackoffMaxBelowBaseAndHugeCounts(t *testing.T) {
	t.Parallel()
	c := newClock()
	b := NewBackoff(-4, time.Minute, time.Second, time.Hour, c.Now)
	fail(t, b, "k", 1)
	mustBlock(t, b, "k", time.Minute)
	big := NewBackoff(0, time.Duration(math.MaxInt64/4), time.Duration(math.MaxInt64/2), time.Hour, c.Now)
	for i := 0; i < 200; i++ {
		if d := big.delay(i); d <= 0 || d > time.Duration(math.MaxInt64/2) {
			t.Fatalf("delay(%d) = %v", i, d)
		}
	}
}

// TestBackoffAttemptsCountedBeforeTheyEnd: however many attempts run at once, no more than
// free+1 get through before the first block (the one that starts it included).
func TestBackoffAttemptsCountedBeforeTheyEnd(t *testing.T) {
	t.Parallel()
	c := newClock()
	b := NewBackoff(5, time.Second, time.Minute, time.Hour, c.Now)
	var allowed atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 100 {
		wg.Go(func() {
			<-start
			if ok, _, _ := b.Attempt(t.Context(), "k"); ok {
				allowed.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	if n := allowed.Load(); n != 6 {
		t.Fatalf("%d of 100 simultaneous attempts allowed, want 6", n)
	}
}

func TestBackoffConcurrent(t *testing.T) {
	t.Parallel()
	c := newClock()
	b := NewBackoff(2, time.Millisecond, time.Second, time.Minute, c.Now, MaxKeys(8))
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				key := fmt.Sprint("room", (g+i)%11)
				if ok, _ := b.Check(t.Context(), key); ok {
					b.Attempt(t.Context(), key)
				}
				switch i % 50 {
				case 0:
					b.Succeed(t.Context(), key)
					c.Advance(time.Second)
				case 25:
					b.Forgive(t.Context(), key)
				}
			}
		}(g)
	}
	wg.Wait()
	if b.len() > 8 {
		t.Fatalf("len %d", b.len())
	}
}
