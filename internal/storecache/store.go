// Package storecache keeps what the domain reads on nearly every request and rarely changes
// (properties, a property's outlets, service centers, time zones) in memory for a short time,
// as a decorator of concierge.Store (Store) and a concierge.TimeZones (Zones). What is cached,
// for how long and why: docs/benchmarks.md, "Caches in front of the store".
package storecache

import (
	"context"
	"time"

	"concierge/internal/concierge"
)

// Default options of New.
const (
	defaultTTL        = 2 * time.Second
	defaultMaxEntries = 1 << 16
)

// Options configures a Store; a zero field takes its default.
type Options struct {
	// TTL is how long a property, a property's outlets or a service center is answered from
	// memory before the store is read again. It bounds how late a change written through
	// another Store (another node on the same database) is seen; changes written through this
	// Store are seen at once. Default 2 s.
	TTL time.Duration
	// MaxEntries is how many keys each of the three caches holds before it starts afresh.
	// Default 65,536.
	MaxEntries int
}

// Store is a concierge.Store that answers PropertyByID, OutletsByProperty and
// ServiceCenterByID from memory when it read them less than Options.TTL ago, and forgets an
// entry as soon as its own UpdateProperty, CreateOutlet, UpdateOutlet or UpdateServiceCenter
// returns (even with an error: the write may have committed). Errors are never cached. Every
// other method is the wrapped store's. It is safe for concurrent use.
type Store struct {
	concierge.Store
	properties ttlCache[int64, concierge.Property]
	outlets    ttlCache[int64, []concierge.Outlet]
	centers    ttlCache[int64, concierge.ServiceCenter]
}

// New returns store with the caches of opts in front of it.
func New(store concierge.Store, opts Options) *Store {
	if opts.TTL <= 0 {
		opts.TTL = defaultTTL
	}
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = defaultMaxEntries
	}
	s := &Store{Store: store}
	s.properties = ttlCache[int64, concierge.Property]{ttl: opts.TTL, max: opts.MaxEntries, now: time.Now}
	s.outlets = ttlCache[int64, []concierge.Outlet]{ttl: opts.TTL, max: opts.MaxEntries, now: time.Now}
	s.centers = ttlCache[int64, concierge.ServiceCenter]{ttl: opts.TTL, max: opts.MaxEntries, now: time.Now}
	return s
}

// PropertyByID returns the property (see concierge.Store), from memory when read less than
// the TTL ago. It returns the store's errors (ErrNotFound when there is none).
func (s *Store) PropertyByID(ctx context.Context, id int64) (concierge.Property, error) {
	return s.properties.get(id, func() (concierge.Property, error) {
		return s.Store.PropertyByID(ctx, id)
	})
}

// OutletsByProperty returns the property's outlets (see concierge.Store), from memory when read
// less than the TTL ago. The slice is shared between callers and must not be modified; its
// capacity is its length, so appending to it copies. It returns the store's errors.
func (s *Store) OutletsByProperty(ctx context.Context, propertyID int64) ([]concierge.Outlet, error) {
	return s.outlets.get(propertyID, func() ([]concierge.Outlet, error) {
		outlets, err := s.Store.OutletsByProperty(ctx, propertyID)
		return outlets[:len(outlets):len(outlets)], err
	})
}

// ServiceCenterByID returns the service center (see concierge.Store), from memory when read
// less than the TTL ago. It returns the store's errors (ErrNotFound when there is none).
func (s *Store) ServiceCenterByID(ctx context.Context, id int64) (concierge.ServiceCenter, error) {
	return s.centers.get(id, func() (concierge.ServiceCenter, error) {
		return s.Store.ServiceCenterByID(ctx, id)
	})
}

// UpdateProperty writes p through the store and forgets the cached property. It returns the
// store's error.
func (s *Store) UpdateProperty(ctx context.Context, p concierge.Property) error {
	err := s.Store.UpdateProperty(ctx, p)
	s.properties.invalidate(p.ID)
	return err
}

// CreateOutlet writes o through the store and forgets the cached outlets of its property. It
// returns the store's error.
func (s *Store) CreateOutlet(ctx context.Context, o *concierge.Outlet) error {
	err := s.Store.CreateOutlet(ctx, o)
	s.outlets.invalidate(o.PropertyID)
	return err
}

// UpdateOutlet writes o through the store and forgets the cached outlets of its property. It
// returns the store's error.
func (s *Store) UpdateOutlet(ctx context.Context, o concierge.Outlet) error {
	err := s.Store.UpdateOutlet(ctx, o)
	s.outlets.invalidate(o.PropertyID)
	return err
}

// UpdateServiceCenter writes sc through the store and forgets the cached service center. It
// returns the store's error.
func (s *Store) UpdateServiceCenter(ctx context.Context, sc concierge.ServiceCenter) error {
	err := s.Store.UpdateServiceCenter(ctx, sc)
	s.centers.invalidate(sc.ID)
	return err
}
