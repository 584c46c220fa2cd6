package ratelimit

import (
	"sync"
	"time"
)

// Backoff slows down repeated failures per key, such as failed guest verifications for one
// property and room. The first free failures are free; each further failure blocks the key for
// base·2^(n−free−1) (n counting failures, so base, 2·base, 4·base, …), capped at maxDelay.
// Failures are counted while they keep coming: an entry is forgotten once window has passed
// since its last failure and since its block ended. A Backoff is safe for concurrent use.
type Backoff struct {
	free     int
	base     time.Duration
	maxDelay time.Duration
	window   time.Duration
	disabled bool
	now      func() time.Time

	mu sync.Mutex
	t  table[*failures]
}

type failures struct {
	n     int       // failures counted
	last  time.Time // time of the latest failure
	until time.Time // blocked before this instant
}

// NewBackoff returns a Backoff that lets free failures (negative counts as 0) pass within window
// and then blocks the key for base, 2·base, 4·base, … after each further failure, never longer
// than maxDelay (a maxDelay below base is raised to base). base ≤ 0 or window ≤ 0 disables the
// Backoff: Check then always allows and Fail records nothing. now supplies the current time; nil
// means time.Now; a reading earlier than one already seen counts as that one.
func NewBackoff(free int, base, maxDelay time.Duration, window time.Duration, now func() time.Time) *Backoff {
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
		t:        newTable[*failures](),
	}
}

// Check reports whether key may make an attempt now. When it may not, retryAfter is how long
// until it may (always > 0). When the Backoff already tracks DefaultMaxKeys keys and none can be
// forgotten, a key it does not track is refused too, with retryAfter the time until one may be
// forgotten. Check records nothing and never fails otherwise.
func (b *Backoff) Check(key string) (ok bool, retryAfter time.Duration) {
	if b.disabled {
		return true, 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.t.clamp(b.now())
	b.t.maybeSweep(now)
	it := b.t.get(key, now)
	if it == nil {
		// Fail closed when full: an attempt that fails could not be recorded.
		return b.t.room(now)
	}
	if now.Before(it.val.until) {
		return false, it.val.until.Sub(now)
	}
	return true, 0
}

// Fail records a failed attempt for key. Once more than free failures have been counted, it
// blocks the key (see Backoff); a failure while blocked counts too and restarts the block from
// now. When the Backoff is full and nothing can be forgotten, a failure
// for a key it does not track is not recorded; Check refuses such keys meanwhile.
func (b *Backoff) Fail(key string) {
	if b.disabled {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.t.clamp(b.now())
	b.t.maybeSweep(now)
	it := b.t.get(key, now)
	if it == nil {
		if ok, _ := b.t.room(now); !ok {
			return
		}
		it = &item[*failures]{val: &failures{}}
		b.t.put(key, it)
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
}

// Succeed forgets key's failures, ending any block. It never fails.
func (b *Backoff) Succeed(key string) {
	if b.disabled {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.t.items, key)
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
