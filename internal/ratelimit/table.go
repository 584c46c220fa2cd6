package ratelimit

import "time"

// DefaultMaxKeys is the number of keys a Limiter or Backoff tracks at most.
const DefaultMaxKeys = 100_000

const (
	// sweepEvery is how often, at most, a routine sweep of expired entries runs.
	sweepEvery = time.Minute
	// minForcedSweepGap bounds how often a full table forces an extra sweep, so that a flood of
	// new keys cannot turn every call into a scan of the whole table.
	minForcedSweepGap = time.Second
)

// table is a map of per-key state whose entries expire, swept lazily and capped in size. It is
// not safe for concurrent use; its owner holds a lock.
type table[V any] struct {
	items     map[string]*item[V]
	max       int
	latest    time.Time // the latest time seen; see clamp
	lastSweep time.Time
	// nextExpiry is a lower bound on the expiry of every entry (zero when unknown or empty):
	// no sweep before it can free anything.
	nextExpiry time.Time
}

type item[V any] struct {
	val     V
	expires time.Time // the entry may be dropped at or after this instant
}

func newTable[V any]() table[V] {
	return table[V]{items: make(map[string]*item[V]), max: DefaultMaxKeys}
}

// clamp returns now, or the latest time seen before if now is earlier. Callers read the clock
// while holding their lock and pass it through clamp, so the times given to rate.Limiter and the
// table never go backwards (rate.Limiter would credit a refill twice if they did).
func (t *table[V]) clamp(now time.Time) time.Time {
	if now.Before(t.latest) {
		return t.latest
	}
	t.latest = now
	return now
}

// maybeSweep runs a routine sweep when the last one is at least sweepEvery old.
func (t *table[V]) maybeSweep(now time.Time) {
	if now.Sub(t.lastSweep) >= sweepEvery {
		t.sweep(now)
	}
}

// sweep drops every expired entry and recomputes nextExpiry.
func (t *table[V]) sweep(now time.Time) {
	var next time.Time
	for k, it := range t.items {
		if !now.Before(it.expires) {
			delete(t.items, k)
			continue
		}
		if next.IsZero() || it.expires.Before(next) {
			next = it.expires
		}
	}
	t.lastSweep = now
	t.nextExpiry = next
}

// get returns the live entry for key, or nil. An expired entry is dropped and nil returned:
// it is indistinguishable from a fresh one.
func (t *table[V]) get(key string, now time.Time) *item[V] {
	it := t.items[key]
	if it == nil {
		return nil
	}
	if !now.Before(it.expires) {
		delete(t.items, key)
		return nil
	}
	return it
}

// room reports whether a new key may be added. When the table is full it forces a sweep (no more
// often than the earliest possible expiry, and at most once per minForcedSweepGap); if that frees
// nothing it returns false and how long until an entry may expire.
func (t *table[V]) room(now time.Time) (ok bool, retryAfter time.Duration) {
	if len(t.items) < t.max {
		return true, 0
	}
	earliest := t.lastSweep.Add(minForcedSweepGap)
	if t.nextExpiry.After(earliest) {
		earliest = t.nextExpiry
	}
	if !now.Before(earliest) {
		t.sweep(now)
		if len(t.items) < t.max {
			return true, 0
		}
		earliest = t.lastSweep.Add(minForcedSweepGap)
		if t.nextExpiry.After(earliest) {
			earliest = t.nextExpiry
		}
	}
	return false, earliest.Sub(now)
}

// put stores a new entry; the caller has checked room.
func (t *table[V]) put(key string, it *item[V]) {
	t.items[key] = it
	t.noteExpiry(it.expires)
}

// setExpiry moves an entry's expiry, keeping nextExpiry a lower bound.
func (t *table[V]) setExpiry(it *item[V], expires time.Time) {
	it.expires = expires
	t.noteExpiry(expires)
}

func (t *table[V]) noteExpiry(expires time.Time) {
	if t.nextExpiry.IsZero() || expires.Before(t.nextExpiry) {
		t.nextExpiry = expires
	}
}

func (t *table[V]) len() int { return len(t.items) }
