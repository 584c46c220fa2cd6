package concierge

import "context"

// propertyCacheTTL is how long a property is read from the cache before the store is read
// again: like centerCacheTTL, it bounds how late another node's change (a new time zone,
// default language or staff-name setting) is seen; this node's own changes (UpdateProperty)
// clear the entry at once.
const propertyCacheTTL = centerCacheTTL

// propertyCacheMax is how many properties the cache holds before starting afresh.
const propertyCacheMax = centerCacheMax

// cachedProperty returns the property with this id (see Store.PropertyByID), from the cache
// when read less than propertyCacheTTL ago, so that authenticating a guest (Authenticate, on
// every guest request) does not read it every time. It returns the store's errors
// (ErrNotFound when there is no such property); an error is not cached.
func (s *Service) cachedProperty(ctx context.Context, id int64) (Property, error) {
	return s.propertyCache.get(id, propertyCacheTTL, propertyCacheMax, func() (Property, error) {
		return s.store.PropertyByID(ctx, id)
	})
}

// invalidateProperty drops the cached property, after this node changed it.
func (s *Service) invalidateProperty(id int64) { s.propertyCache.invalidate(id) }
