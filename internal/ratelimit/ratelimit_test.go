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
	if ok, retry := l.Allow(key); !ok {
		t.Fatalf("Allow(%q) refused, retryAfter %v", key, retry)
	}
}

func mustRefuse(t *testing.T, l *Limiter, key string, wantRetry time.Duration) {
	t.Helper()
	ok, retry := l.Allow(key)
	if ok {
		t.Fatalf("Allow(%q) allowed, want refused", key)
	}
	if retry != wantRetry {
		t.Fatalf("Allow(%q) retryAfter = %v, want %v", key, retry, wantRetry)
	}
}

func TestLimiterBurstThenRefused(t *testing.T) {
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
	for _, rps := range []float64{0.01, 0.3, 0.7, 1, 3, 7, 10, 33.3, 1000, 123456.789} {
		c := newClock()
		l := New(rps, 2, c.Now)
		allowed, refused := 0, 0
		for i := 0; i < 200; i++ {
			ok, retry := l.Allow("k")
			if ok {
				allowed++
				continue
			}
			refused++
			if retry <= 0 {
				t.Fatalf("rps %v: retryAfter %v", rps, retry)
			}
			c.Advance(retry)
			if ok, again := l.Allow("k"); !ok {
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
	c := newClock()
	for _, rps := range []float64{0, -1, math.NaN(), math.Inf(1), math.Inf(-1)} {
		l := New(rps, 1, c.Now)
		for i := 0; i < 1000; i++ {
			if ok, retry := l.Allow("k"); !ok || retry != 0 {
				t.Fatalf("rps %v: refused", rps)
			}
		}
		if l.len() != 0 {
			t.Fatalf("rps %v: disabled limiter tracks keys", rps)
		}
	}
}

func TestLimiterBurstBelowOne(t *testing.T) {
	c := newClock()
	l := New(1, 0, c.Now)
	mustAllow(t, l, "k")
	mustRefuse(t, l, "k", time.Second)
}

func TestLimiterNilClock(t *testing.T) {
	l := New(1, 1, nil)
	if ok, _ := l.Allow("k"); !ok {
		t.Fatal("first request refused")
	}
	if ok, retry := l.Allow("k"); ok || retry <= 0 || retry > time.Second {
		t.Fatalf("second request: %v %v", ok, retry)
	}
}

func TestLimiterSweepDropsIdleKeys(t *testing.T) {
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
	ok, retry := l.Allow("a")
	if ok || retry < 80*time.Second-time.Microsecond || retry > 80*time.Second+time.Microsecond {
		t.Fatalf("Allow(a) = %v, %v; want refused for 80s", ok, retry)
	}
}

func TestLimiterClockGoingBack(t *testing.T) {
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

func TestLimiterKeyCap(t *testing.T) {
	c := newClock()
	l := New(1, 5, c.Now) // full 5 s after last use
	l.t.max = 10
	for i := 0; i < 10; i++ {
		mustAllow(t, l, fmt.Sprint(i))
	}
	// Full, nothing idle: a new key is refused until the oldest entry expires.
	c.Advance(2 * time.Second)
	mustRefuse(t, l, "new", 3*time.Second)
	mustAllow(t, l, "3") // known keys keep working
	c.Advance(time.Second)
	mustRefuse(t, l, "new", 2*time.Second)

	// When the first entries expire, the forced sweep (well before the routine one) frees room.
	c.Advance(2 * time.Second)
	mustAllow(t, l, "new")
	if n := l.len(); n != 2 {
		t.Fatalf("len = %d, want 2 (3 and new)", n)
	}
	allowed := 0
	for i := 0; i < 20; i++ {
		if ok, retry := l.Allow(fmt.Sprint("more", i)); ok {
			allowed++
		} else if retry <= 0 {
			t.Fatalf("retryAfter %v", retry)
		}
		if n := l.len(); n > 10 {
			t.Fatalf("len %d over cap", n)
		}
	}
	if allowed != 8 {
		t.Fatalf("%d new keys allowed, want 8 (cap 10, 2 tracked)", allowed)
	}
}

func TestLimiterCapForcedSweepIsRateLimited(t *testing.T) {
	c := newClock()
	l := New(1000, 1, c.Now) // full 1 ms after last use
	l.t.max = 3
	for i := 0; i < 3; i++ {
		mustAllow(t, l, fmt.Sprint(i))
	}
	// The entries expire after 1 ms, but the table was swept (routinely) at the first call and
	// a forced sweep runs at most once per second.
	c.Advance(2 * time.Millisecond)
	mustRefuse(t, l, "x", time.Second-2*time.Millisecond)
	c.Advance(time.Second - 2*time.Millisecond)
	mustAllow(t, l, "x") // forced sweep frees everything
	for i := 0; i < 2; i++ {
		mustAllow(t, l, fmt.Sprint("y", i))
	}
	c.Advance(2 * time.Millisecond)
	ok, retry := l.Allow("z")
	if ok || retry != time.Second-2*time.Millisecond {
		t.Fatalf("Allow(z) = %v, %v; want refused for %v", ok, retry, time.Second-2*time.Millisecond)
	}
	c.Advance(retry)
	mustAllow(t, l, "z")
}

func TestLimiterConcurrent(t *testing.T) {
	c := newClock()
	l := New(10, 20, c.Now)
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				if ok, _ := l.Allow("shared"); ok {
					allowed.Add(1)
				}
				l.Allow(fmt.Sprint("own", g, i%7))
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
	if ok, retry := b.Check(key); !ok {
		t.Fatalf("Check(%q) refused for %v", key, retry)
	}
}

func mustBlock(t *testing.T, b *Backoff, key string, want time.Duration) {
	t.Helper()
	ok, retry := b.Check(key)
	if ok || retry != want {
		t.Fatalf("Check(%q) = %v, %v; want refused for %v", key, ok, retry, want)
	}
}

func TestBackoffGrowsAndCaps(t *testing.T) {
	c := newClock()
	b := NewBackoff(3, time.Second, 10*time.Second, time.Hour, c.Now)
	for i := 0; i < 3; i++ {
		mustCheck(t, b, "p1/101")
		b.Fail("p1/101")
	}
	mustCheck(t, b, "p1/101") // three free failures

	want := []time.Duration{1, 2, 4, 8, 10, 10, 10}
	for _, w := range want {
		b.Fail("p1/101")
		mustBlock(t, b, "p1/101", w*time.Second)
		c.Advance(w*time.Second - time.Millisecond)
		mustBlock(t, b, "p1/101", time.Millisecond)
		c.Advance(time.Millisecond)
		mustCheck(t, b, "p1/101")
	}
	mustCheck(t, b, "p1/102") // other keys unaffected
}

func TestBackoffFreeZero(t *testing.T) {
	c := newClock()
	b := NewBackoff(0, time.Second, time.Minute, time.Hour, c.Now)
	b.Fail("k")
	mustBlock(t, b, "k", time.Second)
	c.Advance(time.Second)
	b.Fail("k")
	mustBlock(t, b, "k", 2*time.Second)
}

func TestBackoffSucceedResets(t *testing.T) {
	c := newClock()
	b := NewBackoff(1, time.Second, time.Minute, time.Hour, c.Now)
	b.Fail("k")
	b.Fail("k")
	b.Fail("k")
	mustBlock(t, b, "k", 2*time.Second)
	b.Succeed("k")
	mustCheck(t, b, "k")
	if b.len() != 0 {
		t.Fatalf("len %d after success", b.len())
	}
	b.Fail("k") // free again
	mustCheck(t, b, "k")
	b.Fail("k")
	mustBlock(t, b, "k", time.Second) // and starting over from base
	b.Succeed("never-seen")           // harmless
}

func TestBackoffForgetsAfterWindow(t *testing.T) {
	c := newClock()
	b := NewBackoff(2, time.Second, time.Minute, 10*time.Minute, c.Now)
	b.Fail("k")
	b.Fail("k")
	c.Advance(10*time.Minute - time.Second)
	b.Fail("k") // within the window of the last failure: third failure counts
	mustBlock(t, b, "k", time.Second)

	c.Advance(10*time.Minute + time.Second) // window passed since the block ended
	mustCheck(t, b, "k")
	b.Fail("k")
	b.Fail("k")
	mustCheck(t, b, "k") // counting started over: two free failures again
	b.Fail("k")
	mustBlock(t, b, "k", time.Second)
}

func TestBackoffWindowCountsFromEndOfBlock(t *testing.T) {
	// A block longer than the window must not let the count reset the moment it ends.
	c := newClock()
	b := NewBackoff(0, time.Hour, 4*time.Hour, time.Minute, c.Now)
	b.Fail("k")
	mustBlock(t, b, "k", time.Hour)
	c.Advance(time.Hour)
	mustCheck(t, b, "k")
	b.Fail("k")
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
	c := newClock()
	b := NewBackoff(5, time.Second, time.Minute, 5*time.Minute, c.Now)
	for i := 0; i < 50; i++ {
		b.Fail(fmt.Sprint("room", i))
	}
	if b.len() != 50 {
		t.Fatalf("len %d", b.len())
	}
	c.Advance(4 * time.Minute)
	b.Fail("fresh")
	if b.len() != 51 {
		t.Fatalf("len %d, swept too early", b.len())
	}
	c.Advance(2 * time.Minute)
	mustCheck(t, b, "anything") // routine sweep
	if b.len() != 1 {
		t.Fatalf("len %d after sweep, want 1 (fresh)", b.len())
	}
}

func TestBackoffKeyCapFailsClosed(t *testing.T) {
	c := newClock()
	b := NewBackoff(3, time.Second, time.Minute, time.Minute, c.Now)
	b.t.max = 5
	for i := 0; i < 5; i++ {
		b.Fail(fmt.Sprint(i))
	}
	c.Advance(10 * time.Second)
	mustBlock(t, b, "new", 50*time.Second) // unknown key refused while the table is full
	b.Fail("new")                          // cannot be recorded
	if b.len() != 5 {
		t.Fatalf("len %d over cap", b.len())
	}
	mustCheck(t, b, "0") // known keys unaffected
	b.Succeed("0")       // frees a slot
	mustCheck(t, b, "new")
	c.Advance(50 * time.Second) // the rest expire; forced sweep frees them
	for i := 0; i < 5; i++ {
		b.Fail(fmt.Sprint("later", i))
	}
	mustCheck(t, b, "later0")
	if b.len() > 5 {
		t.Fatalf("len %d over cap", b.len())
	}
}

func TestBackoffDisabled(t *testing.T) {
	c := newClock()
	for _, b := range []*Backoff{
		NewBackoff(0, 0, time.Minute, time.Hour, c.Now),
		NewBackoff(0, time.Second, time.Minute, 0, c.Now),
	} {
		for i := 0; i < 100; i++ {
			b.Fail("k")
		}
		mustCheck(t, b, "k")
		if b.len() != 0 {
			t.Fatal("disabled backoff tracks keys")
		}
	}
}

func TestBackoffMaxBelowBaseAndHugeCounts(t *testing.T) {
	c := newClock()
	b := NewBackoff(-4, time.Minute, time.Second, time.Hour, c.Now)
	b.Fail("k")
	mustBlock(t, b, "k", time.Minute)
	big := NewBackoff(0, time.Duration(math.MaxInt64/4), time.Duration(math.MaxInt64/2), time.Hour, c.Now)
	for i := 0; i < 200; i++ {
		if d := big.delay(i); d <= 0 || d > time.Duration(math.MaxInt64/2) {
			t.Fatalf("delay(%d) = %v", i, d)
		}
	}
}

func TestBackoffConcurrent(t *testing.T) {
	c := newClock()
	b := NewBackoff(2, time.Millisecond, time.Second, time.Minute, c.Now)
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				key := fmt.Sprint("room", (g+i)%11)
				if ok, _ := b.Check(key); ok {
					b.Fail(key)
				}
				if i%50 == 0 {
					b.Succeed(key)
					c.Advance(time.Second)
				}
			}
		}(g)
	}
	wg.Wait()
	if b.len() > 11 {
		t.Fatalf("len %d", b.len())
	}
}
