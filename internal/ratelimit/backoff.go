package ratelimit

import (
	"context"
	"sync"
	"time"
)

// Backoff slows down repeated failures per key, such as failed guest verifications for one
// property and room. The first free failures are free; each further failure blocks the key for
// base·2^(n−free−1) (n counting failures, so base, 2·base, 4·base, …), capped at maxDelay.
// Failures are counted while they keep coming: an entry is forgotten once window has passed
// since its last failure and since its block ended. An attempt is counted as a failure when it
// begins (Attempt), so that attempts made at the same time are all counted, and taken back when
// it turns out not to fail (Forgive, Succeed). A key the Backoff does not track has no failures
// and is never refused, even when the Backoff is full: it then drops the least recently failed
// key that is not slowed down (more than free failures), or, when every key is, the least
// recently failed one. Its methods take a context only to match the interfaces of its
// callers (concierge.VerificationGuard): they never block nor fail, so they ignore it. A
// Backoff is safe for concurrent use.
type Backoff struct {
	free     int
	base     time.Duration
	maxDelay time.Duration
	window   time.Duration
	disabled bool
	now      func() time.Time

	mu sync.Mutex
	t  *table[*failures]
}

type failures struct {
	n     int       // failures counted
	last  time.Time // time of the latest failure
	until time.Time // blocked before this instant
}

// NewBackoff returns a Backoff that lets free failures (negative counts as 0) pass within window
// and then blocks the key for base, 2·base, 4·base, … after each further failure, never longer
// than maxDelay (a maxDelay below base is raised to base). base ≤ 0 or window ≤ 0 disables the
// Backoff: Check and Attempt then always allow and nothing is recorded. now supplies the current
// time; nil means time.Now; a reading earlier than one already seen counts as that one.
// opts: MaxKeys.
func NewBackoff(free int, base, maxDelay time.Duration, window time.Duration, now func() time.Time, opts ...Option) *Backoff {
	if now == nil {
		now = time.Now
	}
	if free < 0 {
		free = 0
	}
	if maxDelay < base {
		maxDelay = base
	}
	return &Backoff{
		free: free, base: base, maxDelay: maxDelay, window: window,
		disabled: base <= 0 || window <= 0,
		now:      now,
		t:        newTable[*failures](applyOptions(opts).maxKeys),
	}
}

// Check reports whether key may make an attempt now. When it may not, retryAfter is how long
// until it may (always > 0). A key the Backoff does not track may. Check records nothing and
// never fails.
func (b *Backoff) Check(_ context.Context, key string) (ok bool, retryAfter time.Duration) {
	if b.disabled {
		return true, 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.t.clamp(b.now())
	b.t.maybeSweep(now)
	if it := b.t.get(key, now); it != nil && now.Before(it.val.until) {
		return false, it.val.until.Sub(now)
	}
	return true, 0
}

// Attempt is Check and, when key may make an attempt, counts the attempt as a failure at once:
// n is key's count of failures including it (1 for a key without earlier failures). Once more than
// free failures are counted, the key is blocked (see Backoff) from now: attempts made meanwhile
// are refused. A refused attempt (ok false, retryAfter > 0) counts nothing. When the attempt
// turns out not to fail, call Forgive or Succeed. A disabled Backoff answers true, 1, 0.
func (b *Backoff) Attempt(_ context.Context, key string) (ok bool, n int, retryAfter time.Duration) {
	if b.disabled {
		return true, 1, 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.t.clamp(b.now())
	b.t.maybeSweep(now)
	it := b.t.get(key, now)
	if it != nil && now.Before(it.val.until) {
		return false, 0, it.val.until.Sub(now)
	}
	if it == nil {
		it = b.t.add(key, &failures{}, now, tierFree, now)
	}
	f := it.val
	f.n++
	f.last = now
	if f.n > b.free {
		f.until = now.Add(b.delay(f.n - b.free - 1))
	}
	end := f.last
	if f.until.After(end) {
		end = f.until
	}
	b.t.setExpiry(it, end.Add(b.window))
	b.t.use(it, b.tier(f))
	return true, f.n, 0
}

// Forgive takes back one failure of key counted by Attempt, for an attempt that did not fail
// (the others are kept). When no more than free failures remain, the key is no longer blocked.
// It never fails.
func (b *Backoff) Forgive(_ context.Context, key string) {
	if b.disabled {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.t.clamp(b.now())
	it := b.t.get(key, now)
	if it == nil || it.val.n == 0 {
		return
	}
	f := it.val
	f.n--
	if f.n <= b.free {
		f.until = time.Time{}
	}
	b.t.use(it, b.tier(f))
}

// Succeed forgets key's failures, ending any block. It never fails.
func (b *Backoff) Succeed(_ context.Context, key string) {
	if b.disabled {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.t.drop(key)
}

// tier is the eviction tier of f: keys slowed down are kept longer.
func (b *Backoff) tier(f *failures) int {
	if f.n > b.free {
		return tierSlowed
	}
	return tierFree
}

// delay returns base·2^k capped at maxDelay, without overflowing.
func (b *Backoff) delay(k int) time.Duration {
	d := b.base
	for i := 0; i < k; i++ {
		if d >= b.maxDelay/2 {
			return b.maxDelay
		}
		d *= 2
	}
	if d > b.maxDelay {
		return b.maxDelay
	}
	return d
}

// len returns the number of keys tracked (for tests).
func (b *Backoff) len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.t.len()
}
