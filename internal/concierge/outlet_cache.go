package concierge

import (
	"context"
	"time"
)

// outletCacheTTL is how long a property's outlets are read from the cache before the
// store is read again. It bounds how late another node sees an outlet change: this node's own
// admin outlet writes clear the cache at once.
const outletCacheTTL = 2 * time.Second

// outletCacheMax is how many properties the outlet cache holds before starting afresh.
const outletCacheMax = 1 << 16

// cachedOutlets returns the property's outlets (see Store.OutletsByProperty), from the cache
// when read less than outletCacheTTL ago, so that creating a conversation (chooseOutlet) and
// describing one (detail) do not read them from the store every time; the slice is shared and
// must not be modified (its capacity is capped, so appending to it copies). It returns the
// store's error.
func (s *Service) cachedOutlets(ctx context.Context, propertyID int64) ([]Outlet, error) {
	return s.outletCache.get(propertyID, outletCacheTTL, outletCacheMax, func() ([]Outlet, error) {
		outlets, err := s.store.OutletsByProperty(ctx, propertyID)
		return outlets[:len(outlets):len(outlets)], err
	})
}

// invalidateOutlets drops the cached outlets of the property, after this node changed them.
func (s *Service) invalidateOutlets(propertyID int64) { s.outletCache.invalidate(propertyID) }
