package concierge

import (
	"context"
	"math"
	"time"
)

// propertyCodeTTL is how long a property's code is read from the cache: for ever. A
// property's code never changes (UpdateProperty keeps it) and no property is ever deleted, so
// a cached code can never be stale; a conversation, which names its property by id, exists
// only while its property does (the foreign key cascades).
const propertyCodeTTL = time.Duration(math.MaxInt64)

// propertyCodeCacheMax is how many property codes the cache holds before starting afresh.
const propertyCodeCacheMax = 1 << 16

// cachedPropertyCode returns the code of the property with this id, read from the store
// (Store.PropertyByID) the first time only, so that finding a conversation for staff does not
// read its property every time. It returns the store's errors (ErrNotFound when there is no
// such property); an error is not cached.
func (s *Service) cachedPropertyCode(ctx context.Context, id int64) (string, error) {
	return s.propertyCodes.get(id, propertyCodeTTL, propertyCodeCacheMax, func() (string, error) {
		p, err := s.store.PropertyByID(ctx, id)
		return p.Code, err
	})
}
