// Package ratelimit provides the keyed request limiter and the failed-verification back-off of
// SPEC §10. Both keep per-key state in memory, bounded in size: idle entries are swept lazily
// during calls (no background goroutine), and the number of keys is capped (DefaultMaxKeys, or
// MaxKeys). A full table never refuses a key it does not track (fail open): it drops its least
// recently used entry instead, so that a flood of made-up keys cannot lock everyone else out.
// Both take a clock function so tests control time.
package ratelimit

import (
	"context"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter is a token-bucket rate limiter per key (a session, an interface token, a client
// address). Each key has a bucket of burst tokens refilled at perSecond tokens per second; each
// allowed request takes one token. Allow takes a context only to match its callers' interface
// (v40.Limiter): it never blocks nor fails, so it ignores it. A Limiter is safe for concurrent
// use.
type Limiter struct {
	limit     rate.Limit
	burst     int
	fullAfter time.Duration // an idle bucket is full again after this long
	disabled  bool
	now       func() time.Time

	mu sync.Mutex
	t  *table[*rate.Limiter]
}

// New returns a Limiter allowing perSecond requests per second per key on average, with bursts of
// up to burst requests (burst below 1 is treated as 1). perSecond ≤ 0 (or NaN or +Inf) disables
// the limiter: Allow then always allows. now supplies the current time; nil means time.Now. A
// reading earlier than one already seen counts as that one, so time never runs backwards.
// opts: MaxKeys.
func New(perSecond float64, burst int, now func() time.Time, opts ...Option) *Limiter {
	if now == nil {
		now = time.Now
	}
	if burst < 1 {
		burst = 1
	}
	l := &Limiter{burst: burst, now: now, t: newTable[*rate.Limiter](applyOptions(opts).maxKeys)}
	if !(perSecond > 0) || math.IsInf(perSecond, 1) {
		l.disabled = true
		return l
	}
	l.limit = rate.Limit(perSecond)
	l.fullAfter = secondsToDuration(float64(burst) / perSecond)
	return l
}

// Allow takes one token from key's bucket. It returns true when the request may proceed.
// Otherwise it returns false and retryAfter, how long until a token is available (always > 0;
// see RetryAfterSeconds for the header value). A refused request takes no token. A key the
// limiter does not track starts with a full bucket, even when the limiter is full: the least
// recently used key is then dropped (its bucket starts full again if it comes back).
func (l *Limiter) Allow(_ context.Context, key string) (ok bool, retryAfter time.Duration) {
	if l.disabled {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.t.clamp(l.now())
	l.t.maybeSweep(now)
	it := l.t.get(key, now)
	if it == nil {
		it = l.t.add(key, rate.NewLimiter(l.limit, l.burst), now.Add(l.fullAfter), tierFree, now)
	} else {
		// Whether or not a token is taken, the bucket is full again fullAfter from now at
		// the latest.
		l.t.setExpiry(it, now.Add(l.fullAfter))
		l.t.use(it, tierFree)
	}

	if it.val.AllowN(now, 1) {
		return true, 0
	}
	missing := 1 - it.val.TokensAt(now)
	wait := secondsToDuration(missing / float64(l.limit))
	if wait <= 0 {
		wait = time.Nanosecond
	}
	return false, wait
}

// len returns the number of keys tracked (for tests).
func (l *Limiter) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.t.len()
}

// RetryAfterSeconds converts a retryAfter duration to the whole number of seconds for a
// Retry-After header: rounded up, at least 1.
func RetryAfterSeconds(d time.Duration) int {
	if d <= time.Second {
		return 1
	}
	s := d / time.Second
	if d%time.Second != 0 {
		s++
	}
	if s > math.MaxInt32 {
		return math.MaxInt32
	}
	return int(s)
}

// secondsToDuration converts seconds to a Duration, rounding up to the nanosecond and saturating
// instead of overflowing.
func secondsToDuration(s float64) time.Duration {
	ns := math.Ceil(s * float64(time.Second))
	if ns >= math.MaxInt64 {
		return math.MaxInt64
	}
	if ns <= 0 {
		return 0
	}
	return time.Duration(ns)
}
