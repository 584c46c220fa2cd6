package storecache

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"concierge/internal/concierge"
)

// propertyStore is a Store with properties (PropertyByID, counting reads; PropertyByCode;
// UpdateProperty, failing with updateErr when set) and guest sessions (GuestSessionByID,
// which like the real stores leaves Property empty); its other methods panic.
type propertyStore struct {
	concierge.Store
	props     map[int64]concierge.Property
	sessions  map[int64]concierge.GuestSession
	reads     int
	updateErr error
}

func (f *propertyStore) PropertyByID(_ context.Context, id int64) (concierge.Property, error) {
	f.reads++
	p, ok := f.props[id]
	if !ok {
		return concierge.Property{}, concierge.ErrNotFound
	}
	return p, nil
}

func (f *propertyStore) PropertyByCode(_ context.Context, code string) (concierge.Property, error) {
	for _, p := range f.props {
		if strings.EqualFold(p.Code, code) {
			return p, nil
		}
	}
	return concierge.Property{}, concierge.ErrNotFound
}

func (f *propertyStore) UpdateProperty(_ context.Context, p concierge.Property) error {
	old, ok := f.props[p.ID]
	if !ok {
		return concierge.ErrNotFound
	}
	p.Code, p.CreatedAt = old.Code, old.CreatedAt
	f.props[p.ID] = p
	return f.updateErr
}

func (f *propertyStore) GuestSessionByID(_ context.Context, id int64) (concierge.GuestSession, error) {
	gs, ok := f.sessions[id]
	if !ok {
		return concierge.GuestSession{}, concierge.ErrNotFound
	}
	return gs, nil
}

// idTokens signs a session id as its decimal form.
type idTokens struct{}

func (idTokens) Sign(id int64, _ time.Time) string  { return strconv.FormatInt(id, 10) }
func (idTokens) Verify(token string) (int64, error) { return strconv.ParseInt(token, 10, 64) }

// twoProperties returns two properties that differ in every field.
func twoProperties() map[int64]concierge.Property {
	return map[int64]concierge.Property{
		1: {ID: 1, Code: "MADRID", Name: "Madrid", BrandCode: "B1", GroupCode: "G1",
			TimeZone: "Europe/Madrid", DefaultLanguage: "es", HideStaffNames: true,
			CreatedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		2: {ID: 2, Code: "TOKYO", Name: "Tokyo", BrandCode: "B2", GroupCode: "G2",
			TimeZone: "Asia/Tokyo", DefaultLanguage: "ja", HideStaffNames: false,
			CreatedAt: time.Date(2024, 2, 2, 0, 0, 0, 0, time.UTC)},
	}
}

// TestPropertyCache checks that each id gets its own property (never another's), read from the
// store once; that UpdateProperty through the decorator makes the next read see the change to
// that property only, even when the write reports an error; and that a missing property is
// not cached.
func TestPropertyCache(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	want := twoProperties()
	store := &propertyStore{props: twoProperties()}
	c := New(store, Options{})
	for range 3 {
		for _, id := range []int64{1, 2} {
			if p, err := c.PropertyByID(ctx, id); err != nil || !reflect.DeepEqual(p, want[id]) {
				t.Fatalf("PropertyByID(%d) = %+v, %v; want %+v", id, p, err, want[id])
			}
		}
	}
	if store.reads != 2 {
		t.Errorf("%d store reads for six calls on two properties, want 2", store.reads)
	}

	changed := want[1]
	changed.TimeZone, changed.DefaultLanguage, changed.HideStaffNames = "Atlantic/Canary", "en", false
	if err := c.UpdateProperty(ctx, changed); err != nil {
		t.Fatalf("UpdateProperty: %v", err)
	}
	if p, err := c.PropertyByID(ctx, 1); err != nil || !reflect.DeepEqual(p, changed) {
		t.Fatalf("after UpdateProperty(1): %+v, %v; want %+v", p, err, changed)
	}
	if p, err := c.PropertyByID(ctx, 2); err != nil || !reflect.DeepEqual(p, want[2]) {
		t.Fatalf("PropertyByID(2) after updating 1 = %+v, %v; want %+v", p, err, want[2])
	}
	if store.reads != 3 {
		t.Errorf("%d store reads, want 3 (two, one after the update)", store.reads)
	}

	// A write that reports an error may still have committed: the entry goes all the same.
	store.updateErr = errors.New("commit outcome unknown")
	changed.Name = "Madrid Centro"
	if err := c.UpdateProperty(ctx, changed); !errors.Is(err, store.updateErr) {
		t.Fatalf("UpdateProperty = %v, want the store's error", err)
	}
	if p, err := c.PropertyByID(ctx, 1); err != nil || p.Name != changed.Name {
		t.Fatalf("after a failed UpdateProperty(1): %+v, %v; want name %q", p, err, changed.Name)
	}

	reads := store.reads
	for range 2 {
		if _, err := c.PropertyByID(ctx, 3); !errors.Is(err, concierge.ErrNotFound) {
			t.Fatalf("PropertyByID(3) = %v, want ErrNotFound", err)
		}
	}
	if store.reads != reads+2 {
		t.Errorf("%d store reads for two misses, want 2 (misses are not cached)", store.reads-reads)
	}
}

// TestAuthenticatePropertyFromCache checks, on a Service over the decorator, that Authenticate
// fills the session's own property (the store leaves it empty), that the stay expiry uses
// that property's time zone, and that UpdateProperty on this node is seen by the next
// Authenticate at once.
func TestAuthenticatePropertyFromCache(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	// The departure day 2025-01-20 ends at 15:00 UTC in Tokyo, 24:00 UTC in UTC and 08:00 UTC
	// the next day in Los Angeles; now is 16:00 UTC, and there is no grace period.
	now := time.Date(2025, 1, 20, 16, 0, 0, 0, time.UTC)
	stayID := int64(7)
	stay := &concierge.Stay{ID: stayID, PropertyID: 2, RoomNumber: "101", LastName: "Sato",
		Arrival: "2025-01-18", Departure: "2025-01-20"}
	store := &propertyStore{props: twoProperties(), sessions: map[int64]concierge.GuestSession{
		10: {Session: concierge.Session{ID: 10, PropertyID: 1, IssuedAt: now, LastSeenAt: now,
			ExpiresAt: now.Add(time.Hour)}},
		20: {Session: concierge.Session{ID: 20, PropertyID: 2, StayID: &stayID, IssuedAt: now,
			LastSeenAt: now}, Stay: stay},
	}}
	c := New(store, Options{})
	s, err := concierge.NewService(concierge.Config{Store: c, Tokens: idTokens{},
		Now: func() time.Time { return now }, StayGrace: time.Nanosecond, TimeZones: new(Zones)})
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
	if concierge.ErrorCode(err) != concierge.CodeIdentityTokenExpired {
		t.Fatalf("Authenticate(session 20) in Tokyo = %v, want IdentityTokenExpired", err)
	}

	admin := &concierge.Principal{Role: concierge.RoleAdmin}
	la := "America/Los_Angeles"
	if _, err := s.UpdateProperty(ctx, admin, "TOKYO", concierge.PropertyPatch{TimeZone: &la}); err != nil {
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
	c.properties.invalidate(1)
	_, err = s.Authenticate(ctx, "10")
	if concierge.ErrorCode(err) != concierge.CodeIdentityTokenInvalid {
		t.Fatalf("Authenticate(session 10) without its property = %v, want IdentityTokenInvalid", err)
	}
}
