package storecache

import (
	"sync"
	"time"
)

// ttlCache keeps values read from the store, by key, for ttl: a value changed through this
// process is dropped at once (invalidate); one changed elsewhere (another node sharing the
// database) is seen when its entry expires. Values are shared between callers and must not be
// modified.
type ttlCache[K comparable, V any] struct {
	ttl time.Duration
	max int              // the cache starts afresh once it holds max keys
	now func() time.Time // time.Now: the TTL measures real elapsed time (monotonic)

	mu  sync.Mutex
	gen uint64 // counts invalidations: a read begun before one is not stored
	m   map[K]ttlEntry[V]
}

// ttlEntry is a value as read at time at.
type ttlEntry[V any] struct {
	v  V
	at time.Time
}

// get returns key's value from the cache when it was read less than ttl ago, else reads it
// with load and keeps it. It returns load's error, and keeps nothing then.
func (c *ttlCache[K, V]) get(key K, load func() (V, error)) (V, error) {
	c.mu.Lock()
	e, ok := c.m[key]
	gen := c.gen
	c.mu.Unlock()
	if ok && c.now().Sub(e.at) < c.ttl {
		return e.v, nil
	}
	start := c.now()
	v, err := load()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if c.gen == gen {
		if c.m == nil || len(c.m) >= c.max {
			c.m = map[K]ttlEntry[V]{}
		}
		c.m[key] = ttlEntry[V]{v: v, at: start}
	}
	c.mu.Unlock()
	return v, nil
}

// invalidate drops key's value, after it was changed through this process.
func (c *ttlCache[K, V]) invalidate(key K) {
	c.mu.Lock()
	c.gen++
	delete(c.m, key)
	c.mu.Unlock()
}
