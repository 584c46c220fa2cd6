package concierge

import (
	"context"
	"sync"
	"time"
)

// outletCacheTTL is how long a property's outlets are read from the outletCache before the
// store is read again. It bounds how late another node sees an outlet change: this node's own
// admin outlet writes clear the cache at once.
const outletCacheTTL = 2 * time.Second

// outletCache keeps each property's outlets for outletCacheTTL, so that creating a
// conversation (chooseOutlet) and describing one (detail) do not read them from the store
// every time. Entries are never modified once
// stored: readers must not modify the slices they get.
type outletCache struct {
	mu  sync.Mutex
	gen uint64 // counts invalidations: a read begun before one is not stored
	m   map[int64]outletCacheEntry
}

// outletCacheEntry is a property's outlets as read at time at (monotonic clock).
type outletCacheEntry struct {
	outlets []Outlet
	at      time.Time
}

// cachedOutlets returns the property's outlets (see Store.OutletsByProperty), from the cache
// when read less than outletCacheTTL ago; the slice is shared and must not be modified.
// It returns the store's error.
func (s *Service) cachedOutlets(ctx context.Context, propertyID int64) ([]Outlet, error) {
	c := &s.outletCache
	c.mu.Lock()
	e, ok := c.m[propertyID]
	gen := c.gen
	c.mu.Unlock()
	// time.Now, not s.now: the TTL measures real elapsed time (monotonic), whatever the
	// Service's clock says.
	if ok && time.Since(e.at) < outletCacheTTL {
		return e.outlets, nil
	}
	start := time.Now()
	outlets, err := s.store.OutletsByProperty(ctx, propertyID)
	if err != nil {
		return nil, err
	}
	outlets = outlets[:len(outlets):len(outlets)]
	c.mu.Lock()
	if c.gen == gen {
		if c.m == nil {
			c.m = map[int64]outletCacheEntry{}
		}
		c.m[propertyID] = outletCacheEntry{outlets: outlets, at: start}
	}
	c.mu.Unlock()
	return outlets, nil
}

// invalidateOutlets drops the cached outlets of the property, after this node changed them.
func (s *Service) invalidateOutlets(propertyID int64) {
	c := &s.outletCache
	c.mu.Lock()
	c.gen++
	delete(c.m, propertyID)
	c.mu.Unlock()
}
