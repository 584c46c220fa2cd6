package concierge

import (
	"context"
	"errors"
	"testing"
)

// outletStore is a Store whose OutletsByProperty returns outlets (or err) and counts reads;
// its other methods panic.
type outletStore struct {
	Store
	outlets []Outlet
	err     error
	reads   int
}

func (f *outletStore) OutletsByProperty(_ context.Context, propertyID int64) ([]Outlet, error) {
	f.reads++
	if f.err != nil {
		return nil, f.err
	}
	var out []Outlet
	for _, o := range f.outlets {
		if o.PropertyID == propertyID {
			out = append(out, o)
		}
	}
	return out, nil
}

// TestOutletCache checks that a property's outlets are read from the store once, that each
// property has its own entry, that invalidateOutlets makes the next read see a change, and
// that a failed read is not cached.
func TestOutletCache(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	store := &outletStore{outlets: []Outlet{
		{ID: 1, PropertyID: 1, Code: "FRONTDESK", AllowGuestMessages: true},
		{ID: 2, PropertyID: 2, Code: "SPA", AllowGuestMessages: true},
	}}
	s := &Service{store: store}
	for range 3 {
		got, err := s.cachedOutlets(ctx, 1)
		if err != nil || len(got) != 1 || got[0].Code != "FRONTDESK" {
			t.Fatalf("cachedOutlets(1) = %v, %v", got, err)
		}
		if cap(got) != len(got) {
			t.Fatalf("cached outlets have spare capacity: appending would write into the cache")
		}
	}
	if store.reads != 1 {
		t.Errorf("%d store reads for three calls, want 1", store.reads)
	}
	if got, err := s.cachedOutlets(ctx, 2); err != nil || len(got) != 1 || got[0].Code != "SPA" {
		t.Fatalf("cachedOutlets(2) = %v, %v", got, err)
	}
	store.outlets = append(store.outlets, Outlet{ID: 3, PropertyID: 1, Code: "BAR"})
	s.invalidateOutlets(1)
	if got, err := s.cachedOutlets(ctx, 1); err != nil || len(got) != 2 {
		t.Fatalf("after invalidateOutlets: %v, %v; want 2 outlets", got, err)
	}
	reads := store.reads
	if _, err := s.cachedOutlets(ctx, 2); err != nil || store.reads != reads {
		t.Errorf("property 2 was read again (%v)", err)
	}

	s.invalidateOutlets(1)
	store.err = errors.New("disk on fire")
	if _, err := s.cachedOutlets(ctx, 1); !errors.Is(err, store.err) {
		t.Fatalf("err = %v, want the store's", err)
	}
	store.err = nil
	if got, err := s.cachedOutlets(ctx, 1); err != nil || len(got) != 2 {
		t.Fatalf("after a failed read: %v, %v", got, err)
	}
}
