package concierge

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestAddressKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"203.0.113.7":               "203.0.113.7",
		"::ffff:203.0.113.7":        "203.0.113.7",
		"2001:db8:1:2:3:4:5:6":      "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1":      "2001:db8:1:2::/64",
		"2001:db8:1:3::1":           "2001:db8:1:3::/64",
		"fe80::1%eth0":              "fe80::/64",
		"not an address":            "not an address",
		"":                          "",
		"2001:db8:0:0:0:0:0:1":      "2001:db8::/64",
		"2001:0db8:0000:0000::0001": "2001:db8::/64",
	} {
		if got := addressKey(in); got != want {
			t.Errorf("addressKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// requestKey marks the context of the request in TestAttemptGuardCountsDistinctKeysPerAddress.
type requestKey struct{}

// countingGuard is a VerificationGuard that blocks a key once it has more than free failures
// (for good: time plays no part here), recording what it was asked: foreign counts the calls
// whose context is not the request's (no requestKey), ended those whose context was done.
type countingGuard struct {
	free    int
	n       map[string]int
	foreign int
	ended   int
}

func newCountingGuard(free int) *countingGuard {
	return &countingGuard{free: free, n: map[string]int{}}
}

func (g *countingGuard) saw(ctx context.Context) {
	if ctx.Value(requestKey{}) == nil {
		g.foreign++
	}
	if ctx.Err() != nil {
		g.ended++
	}
}

func (g *countingGuard) Check(ctx context.Context, key string) (bool, time.Duration) {
	g.saw(ctx)
	if g.n[key] > g.free {
		return false, time.Second
	}
	return true, 0
}

func (g *countingGuard) Attempt(ctx context.Context, key string) (bool, int, time.Duration) {
	if ok, w := g.Check(ctx, key); !ok {
		return false, 0, w
	}
	g.n[key]++
	return true, g.n[key], 0
}

func (g *countingGuard) Forgive(ctx context.Context, key string) {
	g.saw(ctx)
	if g.n[key] > 0 {
		g.n[key]--
	}
}

func (g *countingGuard) Succeed(ctx context.Context, key string) {
	g.saw(ctx)
	delete(g.n, key)
}

func TestAttemptGuardCountsDistinctKeysPerAddress(t *testing.T) {
	t.Parallel()
	ctx := context.WithValue(t.Context(), requestKey{}, "request")
	own, addr := newCountingGuard(2), newCountingGuard(1)
	attempt := func(key string) *attemptGuard {
		return &attemptGuard{own: own, ownKeys: []string{key, key + "@a"}, addr: addr, addrKey: "a",
			ownMsg: "own", addrMsg: "addr"}
	}
	rateLimited := func(err error, msg string) {
		t.Helper()
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeRateLimited || e.Message != msg || e.RetryAfter != time.Second {
			t.Fatalf("err %v, want RateLimited %q", err, msg)
		}
	}
	// Three failures of one key: the address counts one.
	for range 3 {
		g := attempt("r1")
		if err := g.check(ctx); err != nil {
			t.Fatal(err)
		}
		if err := g.begin(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if own.n["r1"] != 3 || own.n["r1@a"] != 3 || addr.n["a"] != 1 {
		t.Fatalf("counts %v %v", own.n, addr.n)
	}
	rateLimited(attempt("r1").check(ctx), "own")
	rateLimited(attempt("r1").begin(ctx), "own")
	// A success clears its keys and takes its address count back; others stay.
	g := attempt("r2")
	if err := g.begin(ctx); err != nil {
		t.Fatal(err)
	}
	if addr.n["a"] != 2 {
		t.Fatalf("address count %d, want 2", addr.n["a"])
	}
	g.succeeded(ctx)
	if _, ok := own.n["r2"]; ok || addr.n["a"] != 1 {
		t.Fatalf("after a success: %v %v", own.n, addr.n)
	}
	// A second key failing blocks the address (free 1): the next key's attempt is refused and
	// counts nothing.
	if err := attempt("r3").begin(ctx); err != nil {
		t.Fatal(err)
	}
	rateLimited(attempt("r4").check(ctx), "addr")
	rateLimited(attempt("r4").begin(ctx), "addr")
	if own.n["r4"] != 0 || own.n["r4@a"] != 0 || addr.n["a"] != 2 {
		t.Fatalf("a refused attempt counted: %v %v", own.n, addr.n)
	}
	// cancel takes everything back.
	addr.n["a"] = 0
	g = attempt("r5")
	if err := g.begin(ctx); err != nil {
		t.Fatal(err)
	}
	g.cancel(ctx)
	if own.n["r5"] != 0 || own.n["r5@a"] != 0 || addr.n["a"] != 0 {
		t.Fatalf("after cancel: %v %v", own.n, addr.n)
	}
	// Without guards nothing is asked.
	var none attemptGuard
	if none.check(ctx) != nil || none.begin(ctx) != nil {
		t.Fatal("no guard refused")
	}
	none.succeeded(ctx)
	none.cancel(ctx)
	// A client leaving after its attempt began does not leave the attempt counted: success
	// and cancel reach the guards with a context that has not ended.
	addr.n["a"] = 0
	left, leave := context.WithCancel(ctx)
	g = attempt("r6")
	if err := g.begin(left); err != nil {
		t.Fatal(err)
	}
	leave()
	g.succeeded(left)
	g = attempt("r7")
	if err := g.begin(ctx); err != nil {
		t.Fatal(err)
	}
	g.cancel(left)
	if own.n["r6"] != 0 || own.n["r6@a"] != 0 || own.n["r7"] != 0 || addr.n["a"] != 0 {
		t.Fatalf("after the client left: %v %v", own.n, addr.n)
	}
	if own.ended+addr.ended != 0 {
		t.Errorf("the guards were called %d times with an ended context, want 0", own.ended+addr.ended)
	}
	// Every call carried the request's context (its values).
	if own.foreign+addr.foreign != 0 {
		t.Errorf("the guards were called %d times without the request's context", own.foreign+addr.foreign)
	}
}

func TestHashSlots(t *testing.T) {
	t.Parallel()
	h := newHashSlots(2)
	ctx := context.Background()
	var releases []func()
	for range 2 {
		r, err := h.acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		releases = append(releases, r)
	}
	// Eight callers (four per slot) wait; the next is refused at once.
	got := make(chan func(), 8)
	for range 8 {
		go func() {
			r, err := h.acquire(ctx)
			if err != nil {
				t.Error(err)
				return
			}
			got <- r
		}()
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(h.queue) < 10 {
		if time.Now().After(deadline) {
			t.Fatalf("%d callers queued, want 10", len(h.queue))
		}
		time.Sleep(time.Millisecond)
	}
	_, err := h.acquire(ctx)
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeRateLimited || e.RetryAfter != time.Second {
		t.Fatalf("over the queue: %v, want RateLimited with Retry-After", err)
	}
	// A waiter whose context ends leaves the queue.
	cctx, cancel := context.WithCancel(ctx)
	releases[0]() // one slot free: a waiter takes it
	releases[0]() // twice does nothing
	r := <-got
	cancel()
	if _, err := h.acquire(cctx); err == nil {
		// The queue had room again (one waiter left it for the slot); with both slots busy
		// a cancelled caller must not get one.
		t.Fatal("a cancelled caller got a slot")
	}
	if len(h.run) != 2 {
		t.Fatalf("%d hashes running, want 2", len(h.run))
	}
	r()
	releases[1]()
	for range 7 {
		(<-got)()
	}
	if len(h.run) != 0 || len(h.queue) != 0 {
		t.Fatalf("slots not all given back: %d running, %d queued", len(h.run), len(h.queue))
	}
	if n := cap(newHashSlots(0).run); n < 1 {
		t.Fatalf("default slots %d", n)
	}
}
