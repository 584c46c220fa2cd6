package storetest

import (
	"testing"

	"concierge/internal/concierge"
)

// accessEnded returns the subjects of the access.ended events appended since the log's last
// read, checking that they name no conversation nor property.
func (l *eventLog) accessEnded(t *testing.T) []concierge.AccessSubject {
	t.Helper()
	evs, err := l.s.EventsAfter(t.Context(), l.after, 0)
	noErr(t, "EventsAfter", err)
	out := []concierge.AccessSubject{}
	for _, e := range evs {
		l.after = e.Seq
		if e.Kind != concierge.EventAccessEnded {
			continue
		}
		if e.ConversationID != 0 || e.PropertyID != 0 || e.MessageID != nil || e.Owner != nil {
			t.Errorf("access.ended event %+v names a conversation or property", e)
		}
		out = append(out, concierge.AccessSubject(e.Subject))
	}
	return out
}

// testAccessEnded: every write that ends (or may end) a session's or login's right appends,
// in its transaction, an access.ended event naming whose right (concierge.AccessSubject), and
// nothing when it fails; revoking an interface token revokes the sessions opened with it, and
// a revoked token opens no session.
func testAccessEnded(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	pl := mustPlace(t, s, code("AE"))
	p := pl.Property.ID
	l := &eventLog{s: s}
	want := func(what string, subjects ...concierge.AccessSubject) {
		t.Helper()
		if subjects == nil {
			subjects = []concierge.AccessSubject{}
		}
		wantEqual(t, what, l.accessEnded(t), subjects)
	}

	// Guest sessions, and the interface token they were opened with.
	tok := concierge.InterfaceToken{Name: "app", Hash: hash(code("it")), PropertyIDs: []int64{p}, CreatedAt: t0}
	noErr(t, "CreateInterfaceToken", concierge.NewCredentials(s, nil).CreateInterfaceToken(ctx, &tok, nil))
	other := concierge.InterfaceToken{Name: "other", Hash: hash(code("it2")), PropertyIDs: []int64{p}, CreatedAt: t0}
	noErr(t, "CreateInterfaceToken", concierge.NewCredentials(s, nil).CreateInterfaceToken(ctx, &other, nil))
	stay := mustStay(t, s, p, "101", "2026-11-20", "2026-11-30")
	session := func(token *concierge.InterfaceToken) concierge.Session {
		t.Helper()
		ss := concierge.Session{PropertyID: p, StayID: &stay.ID, Language: "en", IssuedAt: t0, ExpiresAt: at(60), LastSeenAt: t0}
		if token != nil {
			ss.InterfaceTokenID = &token.ID
		}
		noErr(t, "CreateSession", concierge.NewGuestSessions(s).Create(ctx, &ss))
		got, err := s.SessionByID(ctx, ss.ID)
		noErr(t, "SessionByID", err)
		wantEqual(t, "stored session", got, ss)
		gs, err := s.GuestSessionByID(ctx, ss.ID)
		noErr(t, "GuestSessionByID", err)
		wantEqual(t, "GuestSessionByID's session", gs.Session, ss)
		return ss
	}
	a, b, c, d := session(&tok), session(&tok), session(&other), session(nil)
	want("creating sessions")
	noErr(t, "RevokeSession", concierge.NewGuestSessions(s).Revoke(ctx, a.ID, at(1)))
	want("RevokeSession", concierge.SessionSubject(a.ID))
	wantErr(t, "RevokeSession again", concierge.NewGuestSessions(s).Revoke(ctx, a.ID, at(2)), concierge.ErrNotFound)
	want("RevokeSession again")
	next := b
	noErr(t, "ReplaceSession", concierge.NewGuestSessions(s).Replace(ctx, b.ID, at(2), &next))
	want("ReplaceSession", concierge.SessionSubject(b.ID))
	if got, err := s.SessionByID(ctx, next.ID); err != nil || got.InterfaceTokenID == nil || *got.InterfaceTokenID != tok.ID {
		t.Errorf("the replacement session %+v (%v) lost its interface token %d", got, err, tok.ID)
	}

	noErr(t, "RevokeInterfaceToken", concierge.NewCredentials(s, nil).RevokeInterfaceToken(ctx, tok.ID, at(3), nil))
	want("RevokeInterfaceToken", concierge.InterfaceTokenSubject(tok.ID))
	for _, tc := range []struct {
		id      int64
		revoked bool
	}{{a.ID, true}, {next.ID, true}, {c.ID, false}, {d.ID, false}} {
		got, err := s.SessionByID(ctx, tc.id)
		noErr(t, "SessionByID", err)
		if (got.RevokedAt != nil) != tc.revoked {
			t.Errorf("session %d after revoking token %d: revoked at %v, want revoked %v", tc.id, tok.ID, got.RevokedAt, tc.revoked)
		}
	}
	if got, _ := s.SessionByID(ctx, next.ID); got.RevokedAt == nil || !got.RevokedAt.Equal(at(3)) {
		t.Errorf("session of the revoked token revoked at %v, want %v", got.RevokedAt, at(3))
	}
	late := concierge.Session{PropertyID: p, StayID: &stay.ID, Language: "en", IssuedAt: t0, ExpiresAt: at(60),
		LastSeenAt: t0, InterfaceTokenID: &tok.ID}
	wantErr(t, "CreateSession with a revoked token", concierge.NewGuestSessions(s).Create(ctx, &late), concierge.ErrNotFound)
	replaced := c
	replaced.InterfaceTokenID = &tok.ID
	wantErr(t, "ReplaceSession with a revoked token", concierge.NewGuestSessions(s).Replace(ctx, c.ID, at(4), &replaced), concierge.ErrNotFound)
	if got, _ := s.SessionByID(ctx, c.ID); got.RevokedAt != nil {
		t.Errorf("a failed ReplaceSession revoked session %d", c.ID)
	}
	wantErr(t, "RevokeInterfaceToken again", concierge.NewCredentials(s, nil).RevokeInterfaceToken(ctx, tok.ID, at(4), nil), concierge.ErrNotFound)
	want("failed writes")

	// Stays: a changed departure only.
	moved := stay
	moved.RoomNumber = "102"
	_, err := s.UpsertStays(ctx, []*concierge.Stay{&moved})
	noErr(t, "UpsertStays (room)", err)
	want("UpsertStays changing the room")
	moved.Departure = "2026-11-21"
	fresh := concierge.Stay{PropertyID: p, RoomNumber: "103", LastName: "New", Arrival: "2026-11-20", Departure: "2026-11-22", BookingReference: code("new")}
	_, err = s.UpsertStays(ctx, []*concierge.Stay{&moved, &fresh})
	noErr(t, "UpsertStays (departure)", err)
	want("UpsertStays moving the departure", concierge.StaySubject(stay.ID))

	// Staff logins, users and API keys.
	u := concierge.StaffUser{Username: code("agent"), DisplayName: "Agent", PasswordHash: "h", Role: concierge.RoleAgent,
		ServiceCenterIDs: []int64{pl.ServiceCenter.ID}, PropertyIDs: []int64{p}, CreatedAt: t0}
	noErr(t, "CreateStaffUser", concierge.NewCredentials(s, nil).CreateStaffUser(ctx, &u, nil))
	ss := concierge.StaffSession{UserID: u.ID, Hash: hash(code("ss")), CreatedAt: t0, ExpiresAt: at(600)}
	noErr(t, "CreateStaffSession", s.CreateStaffSession(ctx, &ss))
	want("creating a user and a login")
	noErr(t, "RevokeStaffSession", concierge.NewCredentials(s, nil).RevokeStaffSession(ctx, ss.ID, at(5)))
	want("RevokeStaffSession", concierge.StaffSessionSubject(ss.ID))
	wantErr(t, "RevokeStaffSession again", concierge.NewCredentials(s, nil).RevokeStaffSession(ctx, ss.ID, at(5)), concierge.ErrNotFound)
	want("RevokeStaffSession again")
	u.ServiceCenterIDs = nil
	_, err = concierge.NewCredentials(s, nil).UpdateStaffUser(ctx, u, at(6), nil)
	noErr(t, "UpdateStaffUser", err)
	want("UpdateStaffUser", concierge.StaffUserSubject(u.ID))
	unknown := u
	unknown.ID = u.ID + 1000
	_, err = concierge.NewCredentials(s, nil).UpdateStaffUser(ctx, unknown, at(6), nil)
	wantErr(t, "UpdateStaffUser unknown", err, concierge.ErrNotFound)
	want("UpdateStaffUser unknown")
	_, err = concierge.NewCredentials(s, nil).RevokeStaffSessionsOfUser(ctx, u.ID, at(7))
	noErr(t, "RevokeStaffSessionsOfUser", err)
	want("RevokeStaffSessionsOfUser", concierge.StaffUserSubject(u.ID))
	k := concierge.APIKey{Name: "PMS", Hash: hash(code("key")), Role: concierge.RoleManager, PropertyIDs: []int64{p}, CreatedAt: t0}
	noErr(t, "CreateAPIKey", concierge.NewCredentials(s, nil).CreateAPIKey(ctx, &k, nil))
	noErr(t, "RevokeAPIKey", concierge.NewCredentials(s, nil).RevokeAPIKey(ctx, k.ID, at(8), nil))
	want("RevokeAPIKey", concierge.APIKeySubject(k.ID))
	wantErr(t, "RevokeAPIKey again", concierge.NewCredentials(s, nil).RevokeAPIKey(ctx, k.ID, at(8), nil), concierge.ErrNotFound)
	want("RevokeAPIKey again")

	// Erasure: the stay or guest goes with its sessions.
	g := mustGuest(t, s, p, code("guest"))
	_, err = concierge.NewErasures(s, nil).Erase(ctx, concierge.Owner{PropertyID: p, GuestID: &g.ID}, nil)
	noErr(t, "EraseGuestData guest", err)
	want("EraseGuestData guest", concierge.GuestSubject(g.ID))
	_, err = concierge.NewErasures(s, nil).Erase(ctx, concierge.Owner{PropertyID: p, StayID: &stay.ID}, nil)
	noErr(t, "EraseGuestData stay", err)
	want("EraseGuestData stay", concierge.StaySubject(stay.ID))
	if _, err := s.SessionByID(ctx, d.ID); err == nil {
		t.Errorf("session %d outlived its erased stay", d.ID)
	}
}
