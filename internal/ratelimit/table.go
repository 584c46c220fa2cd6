package ratelimit

import "time"

// DefaultMaxKeys is the number of keys a Limiter or Backoff tracks at most, unless MaxKeys
// says otherwise.
const DefaultMaxKeys = 100_000

const (
	// sweepEvery is how often, at most, a routine sweep of expired entries runs.
	sweepEvery = time.Minute
	// minForcedSweepGap bounds how often a full table forces an extra sweep, so that a flood of
	// new keys cannot turn every call into a scan of the whole table.
	minForcedSweepGap = time.Second
)

// Option changes a Limiter or Backoff from its defaults.
type Option func(*settings)

type settings struct {
	maxKeys int
}

// MaxKeys caps the number of keys a Limiter or Backoff tracks; n ≤ 0 means DefaultMaxKeys.
// A full one never refuses a key it does not track: it drops the least recently used entry
// (see Limiter and Backoff for which).
func MaxKeys(n int) Option {
	return func(s *settings) { s.maxKeys = n }
}

func applyOptions(opts []Option) settings {
	s := settings{maxKeys: DefaultMaxKeys}
	for _, o := range opts {
		o(&s)
	}
	if s.maxKeys <= 0 {
		s.maxKeys = DefaultMaxKeys
	}
	return s
}

// Entries are kept in tiers, each in order of use. When the table is full and nothing has
// expired, the least recently used entry of the lowest non-empty tier is dropped: a Backoff
// keeps the keys it slows down (tierSlowed) over keys with only free failures (tierFree),
// so that a flood of new keys cannot wipe out the failures of a key under attack.
const (
	tierFree   = 0
	tierSlowed = 1
	tiers      = 2
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
	// used lists each tier's entries, most recently used first (a ring through a sentinel).
	used [tiers]item[V]
}

type item[V any] struct {
	key        string
	val        V
	expires    time.Time // the entry may be dropped at or after this instant
	prev, next *item[V]  // in its tier's list
}

func newTable[V any](max int) *table[V] {
	t := &table[V]{items: make(map[string]*item[V]), max: max}
	for i := range t.used {
		t.used[i].prev, t.used[i].next = &t.used[i], &t.used[i]
	}
	return t
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
	for _, it := range t.items {
		if !now.Before(it.expires) {
			t.remove(it)
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
		t.remove(it)
		return nil
	}
	return it
}

// add stores a new entry for key (which it does not hold) in tier, as the most recently used.
// When the table is full it first sweeps expired entries (no more often than the earliest
// possible expiry, and at most once per minForcedSweepGap); if that frees nothing, it drops
// the least recently used entry of the lowest non-empty tier. It never refuses.
func (t *table[V]) add(key string, val V, expires time.Time, tier int, now time.Time) *item[V] {
	if len(t.items) >= t.max {
		earliest := t.lastSweep.Add(minForcedSweepGap)
		if t.nextExpiry.After(earliest) {
			earliest = t.nextExpiry
		}
		if !now.Before(earliest) {
			t.sweep(now)
		}
		for i := 0; i < tiers && len(t.items) >= t.max; i++ {
			for s := &t.used[i]; s.prev != s && len(t.items) >= t.max; {
				t.remove(s.prev)
			}
		}
	}
	it := &item[V]{key: key, val: val, expires: expires}
	t.items[key] = it
	t.link(it, tier)
	t.noteExpiry(expires)
	return it
}

// use marks it as the most recently used entry of tier (moving it there from its tier).
func (t *table[V]) use(it *item[V], tier int) {
	t.unlink(it)
	t.link(it, tier)
}

// remove drops an entry.
func (t *table[V]) remove(it *item[V]) {
	t.unlink(it)
	delete(t.items, it.key)
}

// drop removes key's entry, if any.
func (t *table[V]) drop(key string) {
	if it := t.items[key]; it != nil {
		t.remove(it)
	}
}

func (t *table[V]) link(it *item[V], tier int) {
	s := &t.used[tier]
	it.prev, it.next = s, s.next
	s.next.prev = it
	s.next = it
}

func (t *table[V]) unlink(it *item[V]) {
	if it.prev == nil {
		return
	}
	it.prev.next, it.next.prev = it.next, it.prev
	it.prev, it.next = nil, nil
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
