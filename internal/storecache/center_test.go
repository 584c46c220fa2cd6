package storecache

import (
	"context"
	"testing"

	"concierge/internal/concierge"
)

// centerStore is a Store whose ServiceCenterByID returns centers and counts reads, and whose
// UpdateServiceCenter changes them; its other methods panic.
type centerStore struct {
	concierge.Store
	centers map[int64]concierge.ServiceCenter
	reads   int
}

func (f *centerStore) ServiceCenterByID(_ context.Context, id int64) (concierge.ServiceCenter, error) {
	f.reads++
	sc, ok := f.centers[id]
	if !ok {
		return concierge.ServiceCenter{}, concierge.ErrNotFound
	}
	return sc, nil
}

func (f *centerStore) UpdateServiceCenter(_ context.Context, sc concierge.ServiceCenter) error {
	if _, ok := f.centers[sc.ID]; !ok {
		return concierge.ErrNotFound
	}
	f.centers[sc.ID] = sc
	return nil
}

// TestCenterCache checks that a service center is read from the store once, that
// UpdateServiceCenter through the decorator makes the next read see the change (a new staff
// language), and that a missing center is not cached.
func TestCenterCache(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	store := &centerStore{centers: map[int64]concierge.ServiceCenter{1: {ID: 1, Code: "FO", StaffLanguage: "es"}}}
	c := New(store, Options{})
	for range 3 {
		if sc, err := c.ServiceCenterByID(ctx, 1); err != nil || sc.StaffLanguage != "es" {
			t.Fatalf("ServiceCenterByID(1) = %+v, %v", sc, err)
		}
	}
	if store.reads != 1 {
		t.Errorf("%d store reads for three calls, want 1", store.reads)
	}
	if err := c.UpdateServiceCenter(ctx, concierge.ServiceCenter{ID: 1, Code: "FO", StaffLanguage: "de"}); err != nil {
		t.Fatalf("UpdateServiceCenter: %v", err)
	}
	if sc, err := c.ServiceCenterByID(ctx, 1); err != nil || sc.StaffLanguage != "de" {
		t.Fatalf("after UpdateServiceCenter: %+v, %v; want staff language de", sc, err)
	}
	for range 2 {
		if _, err := c.ServiceCenterByID(ctx, 2); err != concierge.ErrNotFound {
			t.Fatalf("ServiceCenterByID(2) = %v, want ErrNotFound", err)
		}
	}
	if store.reads != 4 {
		t.Errorf("%d store reads, want 4 (one, one after the update, two misses)", store.reads)
	}
}
