package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"concierge/internal/concierge"
)

// composedGuestSession reads what GuestSessionByID must return the way Authenticate used to:
// SessionByID, then StayByID and GuestByID (nil when the row is gone). The property is not
// part of the result (Property stays the zero Property): the service caches it.
func composedGuestSession(ctx context.Context, s concierge.Store, id int64) (concierge.GuestSession, error) {
	sess, err := s.SessionByID(ctx, id)
	if err != nil {
		return concierge.GuestSession{}, err
	}
	gs := concierge.GuestSession{Session: sess}
	if sess.StayID != nil {
		st, err := s.StayByID(ctx, *sess.StayID)
		switch {
		case err == nil:
			gs.Stay = &st
		case !errors.Is(err, concierge.ErrNotFound):
			return concierge.GuestSession{}, err
		}
	}
	if sess.GuestID != nil {
		g, err := s.GuestByID(ctx, *sess.GuestID)
		switch {
		case err == nil:
			gs.Guest = &g
		case !errors.Is(err, concierge.ErrNotFound):
			return concierge.GuestSession{}, err
		}
	}
	return gs, nil
}

func testGuestSessionByID(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	other := mustProperty(t, s, code("GS")) // a second property, with a stay in the same room
	p := concierge.Property{Code: code("GS"), Name: "Hôtel ✓", BrandCode: "B", GroupCode: "G",
		TimeZone: "Asia/Tokyo", DefaultLanguage: "ja", HideStaffNames: true, CreatedAt: at(-5)}
	noErr(t, "CreateProperty", s.CreateProperty(ctx, &p))
	_ = mustStay(t, s, other.ID, "101", "2025-01-10", "2025-01-20")
	st := mustStay(t, s, p.ID, " 101 ", "2025-01-10", "2025-01-20")
	st2 := mustStay(t, s, p.ID, "102", "2025-01-11", "2025-01-21")
	g := mustGuest(t, s, p.ID, "device-✓")
	g2 := mustGuest(t, s, p.ID, "device-2")

	newSession := func(stayID, guestID *int64, minute int) concierge.Session {
		t.Helper()
		x := concierge.Session{PropertyID: p.ID, StayID: stayID, GuestID: guestID, Language: "de",
			LanguageExplicit: minute%2 == 0, Version: "4.0", IssuedAt: at(minute),
			ExpiresAt: at(minute).Add(24 * time.Hour), LastSeenAt: at(minute + 1)}
		noErr(t, "CreateSession", concierge.NewGuestSessions(s).Create(ctx, &x))
		return x
	}
	verified := newSession(&st.ID, nil, 1)
	guest := newSession(nil, &g.ID, 2)
	anonymous := newSession(nil, nil, 3)
	both := newSession(&st.ID, &g.ID, 4) // a guest session verified by room keeps its guest
	revoked := newSession(&st.ID, nil, 5)
	noErr(t, "RevokeSession", concierge.NewGuestSessions(s).Revoke(ctx, revoked.ID, at(6)))
	revoked.RevokedAt = new(at(6))
	erasedStay := newSession(&st2.ID, nil, 7)
	erasedGuest := newSession(nil, &g2.ID, 8)
	elsewhere := concierge.Session{PropertyID: other.ID, Language: "en", IssuedAt: at(9),
		ExpiresAt: at(9).Add(time.Hour), LastSeenAt: at(9)}
	noErr(t, "CreateSession elsewhere", concierge.NewGuestSessions(s).Create(ctx, &elsewhere))

	check := func(what string, id int64, want concierge.GuestSession) {
		t.Helper()
		got, err := s.GuestSessionByID(ctx, id)
		noErr(t, "GuestSessionByID "+what, err)
		wantEqual(t, "GuestSessionByID "+what, got, want)
		composed, err := composedGuestSession(ctx, s, id)
		noErr(t, "SessionByID+StayByID+GuestByID "+what, err)
		wantEqual(t, "GuestSessionByID "+what+" against the separate reads", got, composed)
	}
	check("verified", verified.ID, concierge.GuestSession{Session: verified, Stay: &st})
	check("non-verified", guest.ID, concierge.GuestSession{Session: guest, Guest: &g})
	check("anonymous", anonymous.ID, concierge.GuestSession{Session: anonymous})
	check("stay and guest", both.ID, concierge.GuestSession{Session: both, Stay: &st, Guest: &g})
	check("revoked", revoked.ID, concierge.GuestSession{Session: revoked, Stay: &st})
	check("stay before erasure", erasedStay.ID, concierge.GuestSession{Session: erasedStay, Stay: &st2})
	check("guest before erasure", erasedGuest.ID, concierge.GuestSession{Session: erasedGuest, Guest: &g2})
	// Only Session.PropertyID names the property: Property is left the zero Property.
	check("other property", elsewhere.ID, concierge.GuestSession{Session: elsewhere})

	// Erasing a stay or guest deletes the row, and its sessions with it: both reads then find
	// no session. (No store method deletes a stay or guest and keeps its sessions, so a session
	// whose StayID or GuestID names a missing row cannot be set up through the contract.)
	_, err := concierge.NewErasures(s, nil).Erase(ctx, concierge.Owner{PropertyID: p.ID, StayID: &st2.ID}, nil)
	noErr(t, "EraseGuestData stay", err)
	_, err = concierge.NewErasures(s, nil).Erase(ctx, concierge.Owner{PropertyID: p.ID, GuestID: &g2.ID}, nil)
	noErr(t, "EraseGuestData guest", err)
	for _, x := range []struct {
		what string
		id   int64
	}{{"stay erased", erasedStay.ID}, {"guest erased", erasedGuest.ID}} {
		_, err := s.SessionByID(ctx, x.id)
		wantErr(t, "SessionByID "+x.what, err, concierge.ErrNotFound)
		_, err = s.GuestSessionByID(ctx, x.id)
		wantErr(t, "GuestSessionByID "+x.what, err, concierge.ErrNotFound)
	}

	// The others are untouched.
	check("verified after erasures", verified.ID, concierge.GuestSession{Session: verified, Stay: &st})
	check("non-verified after erasures", guest.ID, concierge.GuestSession{Session: guest, Guest: &g})

	used := map[int64]bool{}
	for _, id := range []int64{verified.ID, guest.ID, anonymous.ID, both.ID, revoked.ID, erasedStay.ID, erasedGuest.ID, elsewhere.ID} {
		used[id] = true
	}
	unknown := int64(1)
	for used[unknown] {
		unknown++
	}
	_, err = s.GuestSessionByID(ctx, unknown)
	wantErr(t, "GuestSessionByID unknown", err, concierge.ErrNotFound)
}
