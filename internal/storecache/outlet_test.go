package storecache

import (
	"context"
	"errors"
	"testing"

	"concierge/internal/concierge"
)

// outletStore is a Store whose OutletsByProperty returns outlets (or err) and counts reads,
// and whose CreateOutlet and UpdateOutlet change outlets; its other methods panic.
type outletStore struct {
	concierge.Store
	outlets []concierge.Outlet
	err     error
	reads   int
}

func (f *outletStore) OutletsByProperty(_ context.Context, propertyID int64) ([]concierge.Outlet, error) {
	f.reads++
	if f.err != nil {
		return nil, f.err
	}
	out := make([]concierge.Outlet, 0, len(f.outlets)+4) // spare capacity, as a store's may have
	for _, o := range f.outlets {
		if o.PropertyID == propertyID {
			out = append(out, o)
		}
	}
	return out, nil
}

func (f *outletStore) CreateOutlet(_ context.Context, o *concierge.Outlet) error {
	o.ID = int64(len(f.outlets) + 1)
	f.outlets = append(f.outlets, *o)
	return nil
}

func (f *outletStore) UpdateOutlet(_ context.Context, o concierge.Outlet) error {
	for i := range f.outlets {
		if f.outlets[i].ID == o.ID {
			f.outlets[i] = o
			return nil
		}
	}
	return concierge.ErrNotFound
}

// TestOutletCache checks that a property's outlets are read from the store once, that each
// property has its own entry, that CreateOutlet and UpdateOutlet through the decorator make
// the next read see the change, and that a failed read is not cached.
func TestOutletCache(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	store := &outletStore{outlets: []concierge.Outlet{
		{ID: 1, PropertyID: 1, Code: "FRONTDESK", AllowGuestMessages: true},
		{ID: 2, PropertyID: 2, Code: "SPA", AllowGuestMessages: true},
	}}
	c := New(store, Options{})
	for range 3 {
		got, err := c.OutletsByProperty(ctx, 1)
		if err != nil || len(got) != 1 || got[0].Code != "FRONTDESK" {
			t.Fatalf("OutletsByProperty(1) = %v, %v", got, err)
		}
		if cap(got) != len(got) {
			t.Fatalf("cached outlets have spare capacity: appending would write into the cache")
		}
	}
	if store.reads != 1 {
		t.Errorf("%d store reads for three calls, want 1", store.reads)
	}
	if got, err := c.OutletsByProperty(ctx, 2); err != nil || len(got) != 1 || got[0].Code != "SPA" {
		t.Fatalf("OutletsByProperty(2) = %v, %v", got, err)
	}
	if err := c.CreateOutlet(ctx, &concierge.Outlet{PropertyID: 1, Code: "BAR"}); err != nil {
		t.Fatalf("CreateOutlet: %v", err)
	}
	if got, err := c.OutletsByProperty(ctx, 1); err != nil || len(got) != 2 {
		t.Fatalf("after CreateOutlet: %v, %v; want 2 outlets", got, err)
	}
	reads := store.reads
	if _, err := c.OutletsByProperty(ctx, 2); err != nil || store.reads != reads {
		t.Errorf("property 2 was read again (%v)", err)
	}

	if err := c.UpdateOutlet(ctx, concierge.Outlet{ID: 3, PropertyID: 1, Code: "BAR", Name: "Bar"}); err != nil {
		t.Fatalf("UpdateOutlet: %v", err)
	}
	if got, err := c.OutletsByProperty(ctx, 1); err != nil || len(got) != 2 || got[1].Name != "Bar" {
		t.Fatalf("after UpdateOutlet: %v, %v; want BAR named Bar", got, err)
	}

	c.outlets.invalidate(1)
	store.err = errors.New("disk on fire")
	if _, err := c.OutletsByProperty(ctx, 1); !errors.Is(err, store.err) {
		t.Fatalf("err = %v, want the store's", err)
	}
	store.err = nil
	if got, err := c.OutletsByProperty(ctx, 1); err != nil || len(got) != 2 {
		t.Fatalf("after a failed read: %v, %v", got, err)
	}
}
