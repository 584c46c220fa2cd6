package concierge

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// propertyCacheStore is a Store with properties (PropertyByID, counting reads; PropertyByCode;
// UpdateProperty) and guest sessions (GuestSessionByID, which like the real stores leaves
// Property empty); its other methods panic.
type propertyCacheStore struct {
	Store
	props    map[int64]Property
	sessions map[int64]GuestSession
	reads    int
}

func (f *propertyCacheStore) PropertyByID(_ context.Context, id int64) (Property, error) {
	f.reads++
	p, ok := f.props[id]
	if !ok {
		return Property{}, ErrNotFound
	}
	return p, nil
}

func (f *propertyCacheStore) PropertyByCode(_ context.Context, code string) (Property, error) {
	for _, p := range f.props {
		if strings.EqualFold(p.Code, code) {
			return p, nil
		}
	}
	return Property{}, ErrNotFound
}

func (f *propertyCacheStore) UpdateProperty(_ context.Context, p Property) error {
	old, ok := f.props[p.ID]
	if !ok {
		return ErrNotFound
	}
	p.Code, p.CreatedAt = old.Code, old.CreatedAt
	f.props[p.ID] = p
	return nil
}

func (f *propertyCacheStore) GuestSessionByID(_ context.Context, id int64) (GuestSession, error) {
	gs, ok := f.sessions[id]
	if !ok {
		return GuestSession{}, ErrNotFound
	}
	return gs, nil
}

// idTokens signs a session id as its decimal form.
type idTokens struct{}

func (idTokens) Sign(id int64, _ time.Time) string  { return strconv.FormatInt(id, 10) }
func (idTokens) Verify(token string) (int64, error) { return strconv.ParseInt(token, 10, 64) }

// twoProperties returns two properties that differ in every field.
func twoProperties() map[int64]Property {
	return map[int64]Property{
		1: {ID: 1, Code: "MADRID", Name: "Madrid", BrandCode: "B1", GroupCode: "G1",
			TimeZone: "Europe/Madrid", DefaultLanguage: "es", HideStaffNames: true,
			CreatedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		2: {ID: 2, Code: "TOKYO", Name: "Tokyo", BrandCode: "B2", GroupCode: "G2",
			TimeZone: "Asia/Tokyo", DefaultLanguage: "ja", HideStaffNames: false,
			CreatedAt: time.Date(2024, 2, 2, 0, 0, 0, 0, time.UTC)},
	}
}

// TestPropertyCache checks that each id gets its own property (never another's), read from the
// store once; that invalidateProperty makes the next read see a change to that property only;
// and that a missing property is not cached.
func TestPropertyCache(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	want := twoProperties()
	store := &propertyCacheStore{props: twoProperties()}
	s := &Service{store: store}
	for range 3 {
		for _, id := range []int64{1, 2} {
			if p, err := s.cachedProperty(ctx, id); err != nil || !reflect.DeepEqual(p, want[id]) {
				t.Fatalf("cachedProperty(%d) = %+v, %v; want %+v", id, p, err, want[id])
			}
		}
	}
	if store.reads != 2 {
		t.Errorf("%d store reads for six calls on two properties, want 2", store.reads)
	}

	changed := want[1]
	changed.TimeZone, changed.DefaultLanguage, changed.HideStaffNames = "Atlantic/Canary", "en", false
	store.props[1] = changed
	s.invalidateProperty(1)
	if p, err := s.cachedProperty(ctx, 1); err != nil || !reflect.DeepEqual(p, changed) {
		t.Fatalf("after invalidateProperty(1): %+v, %v; want %+v", p, err, changed)
	}
	if p, err := s.cachedProperty(ctx, 2); err != nil || !reflect.DeepEqual(p, want[2]) {
		t.Fatalf("cachedProperty(2) after invalidating 1 = %+v, %v; want %+v", p, err, want[2])
	}
	if store.reads != 3 {
		t.Errorf("%d store reads, want 3 (two, one after the invalidation)", store.reads)
	}

	for range 2 {
		if _, err := s.cachedProperty(ctx, 3); !errors.Is(err, ErrNotFound) {
			t.Fatalf("cachedProperty(3) = %v, want ErrNotFound", err)
		}
	}
	if store.reads != 5 {
		t.Errorf("%d store reads, want 5 (misses are not cached)", store.reads)
	}
}

// TestAuthenticatePropertyFromCache checks that Authenticate fills the session's own property
// (the store leaves it empty), that the stay expiry uses that property's time zone, and that
// UpdateProperty on this node is seen by the next Authenticate at once.
func TestAuthenticatePropertyFromCache(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	// The departure day 2025-01-20 ends at 15:00 UTC in Tokyo, 24:00 UTC in UTC and 08:00 UTC
	// the next day in Los Angeles; now is 16:00 UTC, and there is no grace period.
	now := time.Date(2025, 1, 20, 16, 0, 0, 0, time.UTC)
	stayID := int64(7)
	stay := &Stay{ID: stayID, PropertyID: 2, RoomNumber: "101", LastName: "Sato",
		Arrival: "2025-01-18", Departure: "2025-01-20"}
	store := &propertyCacheStore{props: twoProperties(), sessions: map[int64]GuestSession{
		10: {Session: Session{ID: 10, PropertyID: 1, IssuedAt: now, LastSeenAt: now,
			ExpiresAt: now.Add(time.Hour)}},
		20: {Session: Session{ID: 20, PropertyID: 2, StayID: &stayID, IssuedAt: now,
			LastSeenAt: now}, Stay: stay},
	}}
	s, err := NewService(Config{Store: store, Tokens: idTokens{}, Now: func() time.Time { return now },
		StayGrace: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}

	gs, err := s.Authenticate(ctx, "10")
	if err != nil {
		t.Fatalf("Authenticate(session 10): %v", err)
	}
	if want := store.props[1]; !reflect.DeepEqual(gs.Property, want) {
		t.Errorf("Authenticate(session 10).Property = %+v, want %+v", gs.Property, want)
	}

	// Tokyo: the stay ended an hour ago (with the zero property, UTC, it would not have).
	_, err = s.Authenticate(ctx, "20")
	if ErrorCode(err) != CodeIdentityTokenExpired {
		t.Fatalf("Authenticate(session 20) in Tokyo = %v, want IdentityTokenExpired", err)
	}

	admin := &Principal{Role: RoleAdmin}
	la := "America/Los_Angeles"
	if _, err := s.UpdateProperty(ctx, admin, "TOKYO", PropertyPatch{TimeZone: &la}); err != nil {
		t.Fatalf("UpdateProperty: %v", err)
	}
	gs, err = s.Authenticate(ctx, "20")
	if err != nil {
		t.Fatalf("Authenticate(session 20) after moving the property to %s: %v", la, err)
	}
	if gs.Property.ID != 2 || gs.Property.TimeZone != la || gs.Stay == nil || gs.Stay.ID != stayID {
		t.Errorf("Authenticate(session 20) = property %+v, stay %+v; want property 2 in %s with stay %d",
			gs.Property, gs.Stay, la, stayID)
	}

	delete(store.props, 1) // cannot happen (the sessions would go with it), but must not pass
	s.invalidateProperty(1)
	_, err = s.Authenticate(ctx, "10")
	if ErrorCode(err) != CodeIdentityTokenInvalid {
		t.Fatalf("Authenticate(session 10) without its property = %v, want IdentityTokenInvalid", err)
	}
}
