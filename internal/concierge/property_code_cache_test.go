package concierge

import (
	"context"
	"testing"
)

// propertyStore is a Store whose PropertyByID returns props and counts reads; its other
// methods panic.
type propertyStore struct {
	Store
	props map[int64]Property
	reads int
}

func (f *propertyStore) PropertyByID(_ context.Context, id int64) (Property, error) {
	f.reads++
	p, ok := f.props[id]
	if !ok {
		return Property{}, ErrNotFound
	}
	return p, nil
}

// TestPropertyCodeCache checks that each property's own code comes back (never another
// property's), that it is read from the store once, and that a missing property is not cached:
// once it exists its code is returned.
func TestPropertyCodeCache(t *testing.T) {
	ctx := t.Context()
	store := &propertyStore{props: map[int64]Property{
		1: {ID: 1, Code: "MADRID"},
		2: {ID: 2, Code: "LISBON"},
	}}
	s := &Service{store: store}
	for range 3 {
		for id, want := range map[int64]string{1: "MADRID", 2: "LISBON"} {
			if code, err := s.cachedPropertyCode(ctx, id); err != nil || code != want {
				t.Fatalf("cachedPropertyCode(%d) = %q, %v; want %q", id, code, err, want)
			}
		}
	}
	if store.reads != 2 {
		t.Errorf("%d store reads for six calls on two properties, want 2", store.reads)
	}
	for range 2 {
		if code, err := s.cachedPropertyCode(ctx, 3); err != ErrNotFound || code != "" {
			t.Fatalf("cachedPropertyCode(3) = %q, %v; want ErrNotFound", code, err)
		}
	}
	store.props[3] = Property{ID: 3, Code: "PORTO"}
	if code, err := s.cachedPropertyCode(ctx, 3); err != nil || code != "PORTO" {
		t.Fatalf("cachedPropertyCode(3) once it exists = %q, %v; want PORTO", code, err)
	}
	if store.reads != 5 {
		t.Errorf("%d store reads, want 5 (two, two misses, one after the property exists)", store.reads)
	}
}
