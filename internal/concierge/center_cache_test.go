package concierge

import (
	"context"
	"testing"
)

// centerStore is a Store whose ServiceCenterByID returns centers and counts reads; its other
// methods panic.
type centerStore struct {
	Store
	centers map[int64]ServiceCenter
	reads   int
}

func (f *centerStore) ServiceCenterByID(_ context.Context, id int64) (ServiceCenter, error) {
	f.reads++
	sc, ok := f.centers[id]
	if !ok {
		return ServiceCenter{}, ErrNotFound
	}
	return sc, nil
}

// TestCenterCache checks that a service center is read from the store once, that
// invalidateServiceCenter makes the next read see a change (a new staff language), and that
// a missing center is not cached.
func TestCenterCache(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	store := &centerStore{centers: map[int64]ServiceCenter{1: {ID: 1, Code: "FO", StaffLanguage: "es"}}}
	s := &Service{store: store}
	for range 3 {
		if sc, err := s.cachedServiceCenter(ctx, 1); err != nil || sc.StaffLanguage != "es" {
			t.Fatalf("cachedServiceCenter(1) = %+v, %v", sc, err)
		}
	}
	if store.reads != 1 {
		t.Errorf("%d store reads for three calls, want 1", store.reads)
	}
	store.centers[1] = ServiceCenter{ID: 1, Code: "FO", StaffLanguage: "de"}
	s.invalidateServiceCenter(1)
	if sc, err := s.cachedServiceCenter(ctx, 1); err != nil || sc.StaffLanguage != "de" {
		t.Fatalf("after invalidateServiceCenter: %+v, %v; want staff language de", sc, err)
	}
	for range 2 {
		if _, err := s.cachedServiceCenter(ctx, 2); err != ErrNotFound {
			t.Fatalf("cachedServiceCenter(2) = %v, want ErrNotFound", err)
		}
	}
	if store.reads != 4 {
		t.Errorf("%d store reads, want 4 (one, one after invalidation, two misses)", store.reads)
	}
}
