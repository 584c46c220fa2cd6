package storetest

import (
	"slices"
	"testing"
	"time"

	"concierge/internal/concierge"
)

func testStaffUserLookups(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	pl := mustPlace(t, s, "P1")
	q := mustProperty(t, s, "P2")
	rs := mustServiceCenter(t, s, pl.Property.ID, "RS", "Room Service")

	// Grants given out of order and twice come back once each, ascending.
	u := concierge.StaffUser{Username: "FrontDesk", DisplayName: "Zoë Ñúñez", PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		Role: concierge.RoleAgent, ServiceCenterIDs: []int64{rs.ID, pl.ServiceCenter.ID, rs.ID},
		PropertyIDs: []int64{q.ID, pl.Property.ID}, CreatedAt: t0}
	noErr(t, "CreateStaffUser", concierge.NewCredentials(s, nil).CreateStaffUser(ctx, &u, nil))
	admin := concierge.StaffUser{Username: "admin", DisplayName: "Admin", PasswordHash: "x", Role: concierge.RoleAdmin, CreatedAt: at(1)}
	noErr(t, "CreateStaffUser admin", concierge.NewCredentials(s, nil).CreateStaffUser(ctx, &admin, nil))

	want := u
	want.ServiceCenterIDs = sortedPair(pl.ServiceCenter.ID, rs.ID)
	want.PropertyIDs = sortedPair(pl.Property.ID, q.ID)
	for _, name := range []string{"FrontDesk", "frontdesk", "FRONTDESK", "fRoNtDeSk"} {
		got, err := s.StaffUserByUsername(ctx, name)
		noErr(t, "StaffUserByUsername "+name, err)
		wantEqual(t, "StaffUserByUsername "+name, got, want)
	}
	got, err := s.StaffUserByID(ctx, u.ID)
	noErr(t, "StaffUserByID", err)
	wantEqual(t, "StaffUserByID", got, want)

	got, err = s.StaffUserByUsername(ctx, "ADMIN")
	noErr(t, "StaffUserByUsername admin", err)
	wantEqual(t, "a user without grants", got, admin)

	got, err = s.StaffUserByID(ctx, admin.ID)
	noErr(t, "StaffUserByID admin", err)
	wantEqual(t, "a user without grants by id", got, admin)

	// A third user's grants are theirs alone: three service centers given out of order come
	// back ascending, with one property.
	spa := mustServiceCenter(t, s, q.ID, "SPA", "Spa")
	v := concierge.StaffUser{Username: "spa", DisplayName: "Spa", PasswordHash: "y", Role: concierge.RoleAgent,
		ServiceCenterIDs: []int64{spa.ID, pl.ServiceCenter.ID, rs.ID}, PropertyIDs: []int64{q.ID}, CreatedAt: at(2)}
	noErr(t, "CreateStaffUser spa", concierge.NewCredentials(s, nil).CreateStaffUser(ctx, &v, nil))
	wantV := v
	wantV.ServiceCenterIDs = slices.Sorted(slices.Values(v.ServiceCenterIDs))
	got, err = s.StaffUserByID(ctx, v.ID)
	noErr(t, "StaffUserByID spa", err)
	wantEqual(t, "StaffUserByID with three service centers", got, wantV)
	got, err = s.StaffUserByUsername(ctx, "SPA")
	noErr(t, "StaffUserByUsername spa", err)
	wantEqual(t, "StaffUserByUsername with three service centers", got, wantV)
	for _, c := range []struct {
		id   int64
		want concierge.StaffUser
	}{{u.ID, want}, {admin.ID, admin}} {
		got, err = s.StaffUserByID(ctx, c.id)
		noErr(t, "StaffUserByID after another user's grants", err)
		wantEqual(t, "StaffUserByID after another user's grants", got, c.want)
	}

	_, err = s.StaffUserByUsername(ctx, "frontdesk2")
	wantErr(t, "StaffUserByUsername unknown", err, concierge.ErrNotFound)
	_, err = s.StaffUserByUsername(ctx, "")
	wantErr(t, "StaffUserByUsername empty", err, concierge.ErrNotFound)
	_, err = s.StaffUserByID(ctx, u.ID+admin.ID+v.ID+100)
	wantErr(t, "StaffUserByID unknown", err, concierge.ErrNotFound)
}

// sortedPair returns a and b ascending.
func sortedPair(a, b int64) []int64 {
	if a > b {
		a, b = b, a
	}
	return []int64{a, b}
}

func testServiceCentersByIDs(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	pl := mustPlace(t, s, "P1")
	q := mustProperty(t, s, "P2")
	rs := mustServiceCenter(t, s, pl.Property.ID, "RS", "Room Service")
	other := mustServiceCenter(t, s, q.ID, "FO", "Front Office P2")
	unknown := pl.ServiceCenter.ID + rs.ID + other.ID + 100

	got, err := s.ServiceCentersByIDs(ctx, []int64{other.ID, unknown, pl.ServiceCenter.ID, rs.ID, other.ID})
	noErr(t, "ServiceCentersByIDs", err)
	want := []concierge.ServiceCenter{pl.ServiceCenter, rs, other} // ascending by id: created in this order
	wantEqual(t, "ServiceCentersByIDs", got, want)

	got, err = s.ServiceCentersByIDs(ctx, []int64{unknown})
	noErr(t, "ServiceCentersByIDs unknown", err)
	wantEqual(t, "ServiceCentersByIDs unknown", got, nil)
	got, err = s.ServiceCentersByIDs(ctx, nil)
	noErr(t, "ServiceCentersByIDs none", err)
	wantEqual(t, "ServiceCentersByIDs none", got, nil)
}

func testStaffSessions(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	u := concierge.StaffUser{Username: "agent", DisplayName: "Agent", PasswordHash: "x", Role: concierge.RoleAgent, CreatedAt: t0}
	noErr(t, "CreateStaffUser", concierge.NewCredentials(s, nil).CreateStaffUser(ctx, &u, nil))

	a := concierge.StaffSession{UserID: u.ID, Hash: hash("session-a"), CreatedAt: t0, ExpiresAt: t0.Add(12 * time.Hour)}
	b := concierge.StaffSession{UserID: u.ID, Hash: hash("session-b"), CreatedAt: at(1), ExpiresAt: at(1).Add(12 * time.Hour)}
	noErr(t, "CreateStaffSession a", s.CreateStaffSession(ctx, &a))
	noErr(t, "CreateStaffSession b", s.CreateStaffSession(ctx, &b))
	if a.ID == 0 || b.ID == 0 || a.ID == b.ID {
		t.Fatalf("CreateStaffSession set ids %d and %d", a.ID, b.ID)
	}
	for _, want := range []concierge.StaffSession{a, b} {
		got, err := s.StaffSessionByHash(ctx, want.Hash)
		noErr(t, "StaffSessionByHash", err)
		wantEqual(t, "StaffSessionByHash", got, want)
	}

	dup := concierge.StaffSession{UserID: u.ID, Hash: hash("session-a"), CreatedAt: at(2), ExpiresAt: at(3)}
	wantErr(t, "CreateStaffSession with a taken hash", s.CreateStaffSession(ctx, &dup), concierge.ErrConflict)
	_, err := s.StaffSessionByHash(ctx, hash("session-c"))
	wantErr(t, "StaffSessionByHash unknown", err, concierge.ErrNotFound)
	_, err = s.StaffSessionByHash(ctx, nil)
	wantErr(t, "StaffSessionByHash nil", err, concierge.ErrNotFound)

	// Revoke, twice.
	noErr(t, "RevokeStaffSession", concierge.NewCredentials(s, nil).RevokeStaffSession(ctx, a.ID, at(30)))
	a.RevokedAt = new(at(30))
	got, err := s.StaffSessionByHash(ctx, a.Hash)
	noErr(t, "StaffSessionByHash revoked", err)
	wantEqual(t, "StaffSessionByHash revoked", got, a)
	wantErr(t, "RevokeStaffSession twice", concierge.NewCredentials(s, nil).RevokeStaffSession(ctx, a.ID, at(40)), concierge.ErrNotFound)
	got, err = s.StaffSessionByHash(ctx, a.Hash)
	noErr(t, "StaffSessionByHash revoked twice", err)
	wantEqual(t, "a second revocation changes nothing", got, a)
	wantErr(t, "RevokeStaffSession unknown", concierge.NewCredentials(s, nil).RevokeStaffSession(ctx, a.ID+b.ID+100, at(40)), concierge.ErrNotFound)

	// The other session is untouched.
	got, err = s.StaffSessionByHash(ctx, b.Hash)
	noErr(t, "StaffSessionByHash b", err)
	wantEqual(t, "untouched staff session", got, b)
}

func testAPIKeys(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	p := mustProperty(t, s, "P1")
	q := mustProperty(t, s, "P2")

	keys := []concierge.APIKey{
		{Name: "PMS – Opera ✓", Hash: hash("key-1"), Role: concierge.RoleManager,
			PropertyIDs: []int64{q.ID, p.ID, q.ID}, CreatedAt: t0},
		{Name: "Backoffice", Hash: hash("key-2"), Role: concierge.RoleAdmin, CreatedAt: at(1)},
		{Name: "POS", Hash: hash("key-3"), Role: concierge.RoleManager, PropertyIDs: []int64{p.ID}, CreatedAt: at(2)},
	}
	for i := range keys {
		noErr(t, "CreateAPIKey", concierge.NewCredentials(s, nil).CreateAPIKey(ctx, &keys[i], nil))
		if keys[i].ID == 0 || (i > 0 && keys[i].ID <= keys[i-1].ID) {
			t.Fatalf("CreateAPIKey set id %d after %d: ids must increase", keys[i].ID, keys[max(i-1, 0)].ID)
		}
	}
	keys[0].PropertyIDs = sortedPair(p.ID, q.ID)
	for _, want := range keys {
		got, err := s.APIKeyByHash(ctx, want.Hash)
		noErr(t, "APIKeyByHash", err)
		wantEqual(t, "APIKeyByHash", got, want)
		got, err = s.APIKeyByID(ctx, want.ID)
		noErr(t, "APIKeyByID", err)
		wantEqual(t, "APIKeyByID", got, want)
	}

	dup := concierge.APIKey{Name: "dup", Hash: hash("key-1"), Role: concierge.RoleAdmin, CreatedAt: at(3)}
	wantErr(t, "CreateAPIKey with a taken hash", concierge.NewCredentials(s, nil).CreateAPIKey(ctx, &dup, nil), concierge.ErrConflict)
	unknown := keys[2].ID + 100
	_, err := s.APIKeyByHash(ctx, hash("key-4"))
	wantErr(t, "APIKeyByHash unknown", err, concierge.ErrNotFound)
	_, err = s.APIKeyByID(ctx, unknown)
	wantErr(t, "APIKeyByID unknown", err, concierge.ErrNotFound)

	// Revoke, twice.
	noErr(t, "RevokeAPIKey", concierge.NewCredentials(s, nil).RevokeAPIKey(ctx, keys[1].ID, at(10), nil))
	keys[1].RevokedAt = new(at(10))
	got, err := s.APIKeyByHash(ctx, keys[1].Hash)
	noErr(t, "APIKeyByHash revoked", err)
	wantEqual(t, "APIKeyByHash revoked", got, keys[1])
	wantErr(t, "RevokeAPIKey twice", concierge.NewCredentials(s, nil).RevokeAPIKey(ctx, keys[1].ID, at(20), nil), concierge.ErrNotFound)
	wantErr(t, "RevokeAPIKey unknown", concierge.NewCredentials(s, nil).RevokeAPIKey(ctx, unknown, at(20), nil), concierge.ErrNotFound)
	got, err = s.APIKeyByID(ctx, keys[1].ID)
	noErr(t, "APIKeyByID revoked twice", err)
	wantEqual(t, "a second revocation changes nothing", got, keys[1])

	// Listing: ascending by id, revoked keys included, paged by the last id seen.
	all, err := s.ListAPIKeys(ctx, 0, 0)
	noErr(t, "ListAPIKeys", err)
	wantEqual(t, "ListAPIKeys all", all, keys)
	page, err := s.ListAPIKeys(ctx, 0, 2)
	noErr(t, "ListAPIKeys first page", err)
	wantEqual(t, "ListAPIKeys first page", page, keys[:2])
	page, err = s.ListAPIKeys(ctx, keys[1].ID, 2)
	noErr(t, "ListAPIKeys second page", err)
	wantEqual(t, "ListAPIKeys second page", page, keys[2:])
	page, err = s.ListAPIKeys(ctx, keys[2].ID, 2)
	noErr(t, "ListAPIKeys past the end", err)
	wantEqual(t, "ListAPIKeys past the end", page, nil)
	page, err = s.ListAPIKeys(ctx, keys[0].ID, 1)
	noErr(t, "ListAPIKeys middle", err)
	wantEqual(t, "ListAPIKeys middle", page, keys[1:2])
}

// testStaffSessionWithUser checks that StaffSessionWithUser reads a session with its own user
// and the user's grants, as StaffSessionByHash and StaffUserByID read them apart; that it
// returns revoked and expired sessions and disabled users (the service decides about them);
// and that an unknown hash is ErrNotFound.
func testStaffSessionWithUser(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	pl := mustPlace(t, s, "P1")
	q := mustProperty(t, s, "P2")
	rs := mustServiceCenter(t, s, pl.Property.ID, "RS", "Room Service")

	agent := concierge.StaffUser{Username: "Agent", DisplayName: "Zoë Ñúñez", PasswordHash: "h1", Role: concierge.RoleAgent,
		ServiceCenterIDs: []int64{rs.ID, pl.ServiceCenter.ID, rs.ID}, PropertyIDs: []int64{q.ID, pl.Property.ID}, CreatedAt: t0}
	admin := concierge.StaffUser{Username: "admin", DisplayName: "Admin", PasswordHash: "h2", Role: concierge.RoleAdmin, CreatedAt: at(1)}
	noErr(t, "CreateStaffUser agent", concierge.NewCredentials(s, nil).CreateStaffUser(ctx, &agent, nil))
	noErr(t, "CreateStaffUser admin", concierge.NewCredentials(s, nil).CreateStaffUser(ctx, &admin, nil))
	wantAgent := agent
	wantAgent.ServiceCenterIDs = sortedPair(pl.ServiceCenter.ID, rs.ID)
	wantAgent.PropertyIDs = sortedPair(pl.Property.ID, q.ID)

	live := concierge.StaffSession{UserID: agent.ID, Hash: hash("agent-live"), CreatedAt: t0, ExpiresAt: at(720)}
	revoked := concierge.StaffSession{UserID: agent.ID, Hash: hash("agent-revoked"), CreatedAt: at(1), ExpiresAt: at(721)}
	expired := concierge.StaffSession{UserID: admin.ID, Hash: hash("admin-expired"), CreatedAt: at(-60), ExpiresAt: at(-30)}
	adminLive := concierge.StaffSession{UserID: admin.ID, Hash: hash("admin-live"), CreatedAt: at(2), ExpiresAt: at(722)}
	for _, ss := range []*concierge.StaffSession{&live, &revoked, &expired, &adminLive} {
		noErr(t, "CreateStaffSession", s.CreateStaffSession(ctx, ss))
	}
	noErr(t, "RevokeStaffSession", concierge.NewCredentials(s, nil).RevokeStaffSession(ctx, revoked.ID, at(5)))
	revoked.RevokedAt = new(at(5))

	check := func(what string, want concierge.StaffSession, wantUser concierge.StaffUser) {
		t.Helper()
		gotS, gotU, err := s.StaffSessionWithUser(ctx, want.Hash)
		noErr(t, "StaffSessionWithUser "+what, err)
		wantEqual(t, "StaffSessionWithUser "+what+": session", gotS, want)
		wantEqual(t, "StaffSessionWithUser "+what+": user", gotU, wantUser)
		apartS, err := s.StaffSessionByHash(ctx, want.Hash)
		noErr(t, "StaffSessionByHash "+what, err)
		apartU, err := s.StaffUserByID(ctx, apartS.UserID)
		noErr(t, "StaffUserByID "+what, err)
		wantEqual(t, "StaffSessionWithUser "+what+" against the separate reads: session", gotS, apartS)
		wantEqual(t, "StaffSessionWithUser "+what+" against the separate reads: user", gotU, apartU)
	}
	check("live agent session", live, wantAgent)
	check("revoked session", revoked, wantAgent)
	check("expired session", expired, admin)
	check("user without grants", adminLive, admin)

	// A disabled user comes back with DisabledAt and their grants as they now are.
	disabled := wantAgent
	disabled.DisabledAt = new(at(10))
	disabled.ServiceCenterIDs, disabled.PropertyIDs = []int64{rs.ID}, nil
	_, err := concierge.NewCredentials(s, nil).UpdateStaffUser(ctx, disabled, time.Time{}, nil)
	noErr(t, "UpdateStaffUser disable", err)
	check("disabled user", live, disabled)

	for _, h := range [][]byte{hash("unknown"), nil, {}} {
		gotS, gotU, err := s.StaffSessionWithUser(ctx, h)
		wantErr(t, "StaffSessionWithUser unknown hash", err, concierge.ErrNotFound)
		if gotS.ID != 0 || gotU.ID != 0 {
			t.Errorf("StaffSessionWithUser unknown hash returned %+v, %+v; want zero values", gotS, gotU)
		}
	}
}
