package concierge

import "context"

// centerCacheTTL is how long a service center is read from the cache before the store is read
// again: like outletCacheTTL, it bounds how late another node's change (a new staff language)
// is seen; this node's own changes clear the entry at once.
const centerCacheTTL = outletCacheTTL

// centerCacheMax is how many service centers the cache holds before starting afresh.
const centerCacheMax = 1 << 16

// cachedServiceCenter returns the service center (see Store.ServiceCenterByID), from the cache
// when read less than centerCacheTTL ago, so that creating and describing a conversation do
// not read it every time. It returns the store's errors (ErrNotFound when there is none).
func (s *Service) cachedServiceCenter(ctx context.Context, id int64) (ServiceCenter, error) {
	return s.centerCache.get(id, centerCacheTTL, centerCacheMax, func() (ServiceCenter, error) {
		return s.store.ServiceCenterByID(ctx, id)
	})
}

// invalidateServiceCenter drops the cached service center, after this node changed it.
func (s *Service) invalidateServiceCenter(id int64) { s.centerCache.invalidate(id) }
