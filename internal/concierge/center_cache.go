package concierge

import (
	"context"
	"sync"
	"time"
)

// centerCacheTTL is how long a service center is read from the centerCache before the store is
// read again: like outletCacheTTL, it bounds how late another node's change (a new staff
// language) is seen; this node's own changes clear the entry at once.
const centerCacheTTL = outletCacheTTL

// centerCache keeps service centers by id for centerCacheTTL, so that creating and describing
// a conversation do not read its outlet's service center from the store every time.
type centerCache struct {
	mu  sync.Mutex
	gen uint64 // counts invalidations: a read begun before one is not stored
	m   map[int64]centerCacheEntry
}

// centerCacheEntry is a service center as read at time at (monotonic clock).
type centerCacheEntry struct {
	sc ServiceCenter
	at time.Time
}

// cachedServiceCenter returns the service center (see Store.ServiceCenterByID), from the cache
// when read less than centerCacheTTL ago. It returns the store's errors (ErrNotFound when
// there is none).
func (s *Service) cachedServiceCenter(ctx context.Context, id int64) (ServiceCenter, error) {
	c := &s.centerCache
	c.mu.Lock()
	e, ok := c.m[id]
	gen := c.gen
	c.mu.Unlock()
	if ok && time.Since(e.at) < centerCacheTTL {
		return e.sc, nil
	}
	start := time.Now()
	sc, err := s.store.ServiceCenterByID(ctx, id)
	if err != nil {
		return ServiceCenter{}, err
	}
	c.mu.Lock()
	if c.gen == gen {
		if c.m == nil || len(c.m) >= ownerCacheMax {
			c.m = map[int64]centerCacheEntry{}
		}
		c.m[id] = centerCacheEntry{sc: sc, at: start}
	}
	c.mu.Unlock()
	return sc, nil
}

// invalidateServiceCenter drops the cached service center, after this node changed it.
func (s *Service) invalidateServiceCenter(id int64) {
	c := &s.centerCache
	c.mu.Lock()
	c.gen++
	delete(c.m, id)
	c.mu.Unlock()
}
