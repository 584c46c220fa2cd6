package concierge

import (
	"sync"
	"time"
)

// ttlCache keeps values read from the store, by key, for a fixed time: the outlet, service
// center and property caches (outlet_cache.go, center_cache.go, property_cache.go). A value
// changed by this node is dropped at once (invalidate); one changed by another node sharing
// the database is seen when its entry expires. Values are shared between callers and must not be modified.
type ttlCache[K comparable, V any] struct {
	mu  sync.Mutex
	gen uint64 // counts invalidations: a read begun before one is not stored
	m   map[K]ttlEntry[V]
}

// ttlEntry is a value as read at time at (monotonic clock).
type ttlEntry[V any] struct {
	v  V
	at time.Time
}

// get returns key's value from the cache when it was read less than ttl ago, else reads it
// with load and keeps it (starting afresh once the cache holds max keys). It returns load's
// error, and keeps nothing then.
func (c *ttlCache[K, V]) get(key K, ttl time.Duration, max int, load func() (V, error)) (V, error) {
	c.mu.Lock()
	e, ok := c.m[key]
	gen := c.gen
	c.mu.Unlock()
	// time.Now, not the Service's clock: the TTL measures real elapsed time (monotonic).
	if ok && time.Since(e.at) < ttl {
		return e.v, nil
	}
	start := time.Now()
	v, err := load()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if c.gen == gen {
		if c.m == nil || len(c.m) >= max {
			c.m = map[K]ttlEntry[V]{}
		}
		c.m[key] = ttlEntry[V]{v: v, at: start}
	}
	c.mu.Unlock()
	return v, nil
}

// invalidate drops key's value, after this node changed it.
func (c *ttlCache[K, V]) invalidate(key K) {
	c.mu.Lock()
	c.gen++
	delete(c.m, key)
	c.mu.Unlock()
}
