package storetest

import (
	"fmt"
	"testing"
	"time"

	"concierge/internal/concierge"
)

// auditLog returns every audit entry of s, oldest first.
func auditLog(t *testing.T, s concierge.Store) []concierge.AuditEntry {
	t.Helper()
	newest, err := s.ListAudit(t.Context(), concierge.AuditFilter{})
	noErr(t, "ListAudit", err)
	out := make([]concierge.AuditEntry, len(newest))
	for i, e := range newest {
		out[len(newest)-1-i] = e
	}
	return out
}

// wantAudited checks that the audit log is before followed by exactly want, each stored as
// given but for its ID (positive) and ObjectRef (as in want).
func wantAudited(t *testing.T, what string, s concierge.Store, before []concierge.AuditEntry, want ...concierge.AuditEntry) []concierge.AuditEntry {
	t.Helper()
	log := auditLog(t, s)
	if len(log) != len(before)+len(want) {
		t.Fatalf("%s: audit log holds %d entries, want %d: %+v", what, len(log), len(before)+len(want), log)
	}
	wantEqual(t, what+": earlier entries", log[:len(before)], before)
	for i, w := range want {
		got := log[len(before)+i]
		if got.ID <= 0 {
			t.Errorf("%s: entry id %d", what, got.ID)
		}
		w.ID = got.ID
		wantEqual(t, what+": entry", got, w)
	}
	return log
}

// credEntry returns an audit entry of an admin doing action to an object of kind, with ref as
// its ObjectRef.
func credEntry(n int, action concierge.AuditAction, kind, ref string, propertyID *int64) concierge.AuditEntry {
	admin := int64(900 + n)
	return concierge.AuditEntry{At: at(n), ActorKind: concierge.ActorStaff, ActorID: &admin, ActorName: "boss",
		Action: action, ObjectKind: kind, ObjectRef: ref, PropertyID: propertyID, Client: "192.0.2.7",
		Detail: fmt.Sprintf("n=%d", n)}
}

// testStaffUserAudit: creating and updating a staff user appends the audit entry given in the
// same write (a created user's id put in front of the ObjectRef given), ending the user's
// sessions in that write when asked; a failing write appends nothing.
func testStaffUserAudit(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	pl := mustPlace(t, s, code("SA"))
	prop := pl.Property.ID

	name := code("alice")
	u := concierge.StaffUser{Username: name, DisplayName: "Alice", PasswordHash: "h1", Role: concierge.RoleAgent,
		ServiceCenterIDs: []int64{pl.ServiceCenter.ID}, CreatedAt: t0}
	created := credEntry(1, concierge.AuditStaffUserCreated, "staff_user", ":"+name, &prop)
	given := created
	noErr(t, "CreateStaffUser with an entry", concierge.NewCredentials(s, nil).CreateStaffUser(ctx, &u, &given))
	wantEqual(t, "the caller's entry after CreateStaffUser", given, created)
	got, err := s.StaffUserByID(ctx, u.ID)
	noErr(t, "StaffUserByID", err)
	wantEqual(t, "created user", got, u)
	created.ObjectRef = fmt.Sprintf("%d:%s", u.ID, name)
	log := wantAudited(t, "CreateStaffUser", s, nil, created)

	// A taken username (in another case) stores neither the user nor the entry.
	dup := concierge.StaffUser{Username: "ALICE" + name[5:], DisplayName: "Other", PasswordHash: "h", Role: concierge.RoleAdmin, CreatedAt: t0}
	e := credEntry(2, concierge.AuditStaffUserCreated, "staff_user", ":"+dup.Username, nil)
	wantErr(t, "CreateStaffUser with a taken username", concierge.NewCredentials(s, nil).CreateStaffUser(ctx, &dup, &e), concierge.ErrConflict)
	log = wantAudited(t, "CreateStaffUser with a taken username", s, log)

	// Sessions: two live ones of u, one u ended before, one of another user.
	other := concierge.StaffUser{Username: code("bob"), DisplayName: "Bob", PasswordHash: "h", Role: concierge.RoleAdmin, CreatedAt: t0}
	noErr(t, "CreateStaffUser", concierge.NewCredentials(s, nil).CreateStaffUser(ctx, &other, nil))
	log = wantAudited(t, "CreateStaffUser without an entry", s, log)
	sessions := []concierge.StaffSession{
		{UserID: u.ID, Hash: hash(code("s")), CreatedAt: t0, ExpiresAt: at(600)},
		{UserID: u.ID, Hash: hash(code("s")), CreatedAt: t0, ExpiresAt: at(600)},
		{UserID: u.ID, Hash: hash(code("s")), CreatedAt: t0, ExpiresAt: at(600)},
		{UserID: other.ID, Hash: hash(code("s")), CreatedAt: t0, ExpiresAt: at(600)},
	}
	for i := range sessions {
		noErr(t, "CreateStaffSession", s.CreateStaffSession(ctx, &sessions[i]))
	}
	noErr(t, "RevokeStaffSession", concierge.NewCredentials(s, nil).RevokeStaffSession(ctx, sessions[2].ID, at(3)))
	wantSessions := func(what string, want ...*time.Time) {
		t.Helper()
		for i, w := range want {
			got, err := s.StaffSessionByHash(ctx, sessions[i].Hash)
			noErr(t, "StaffSessionByHash", err)
			wantEqual(t, fmt.Sprintf("%s: session %d revoked at", what, i), got.RevokedAt, w)
		}
	}

	// An update without ending sessions keeps them.
	u.DisplayName = "Alice B."
	updated := credEntry(4, concierge.AuditStaffUserUpdated, "staff_user", fmt.Sprintf("%d:%s", u.ID, name), &prop)
	given = updated
	n, err := concierge.NewCredentials(s, nil).UpdateStaffUser(ctx, u, time.Time{}, &given)
	noErr(t, "UpdateStaffUser with an entry", err)
	wantEqual(t, "sessions ended by UpdateStaffUser without endSessionsAt", n, 0)
	wantEqual(t, "the caller's entry after UpdateStaffUser", given, updated)
	log = wantAudited(t, "UpdateStaffUser", s, log, updated)
	wantSessions("UpdateStaffUser without endSessionsAt", nil, nil, new(at(3)), nil)

	// A new password ends the user's live sessions, in the same write as the entry.
	u.PasswordHash = "h2"
	pwSet := credEntry(5, concierge.AuditStaffPasswordSet, "staff_user", fmt.Sprintf("%d:%s", u.ID, name), &prop)
	n, err = concierge.NewCredentials(s, nil).UpdateStaffUser(ctx, u, at(5), &pwSet)
	noErr(t, "UpdateStaffUser ending sessions", err)
	wantEqual(t, "sessions ended by UpdateStaffUser", n, 2)
	got, err = s.StaffUserByID(ctx, u.ID)
	noErr(t, "StaffUserByID", err)
	wantEqual(t, "user after the new password", got, u)
	log = wantAudited(t, "UpdateStaffUser ending sessions", s, log, pwSet)
	wantSessions("UpdateStaffUser ending sessions", new(at(5)), new(at(5)), new(at(3)), nil)

	// Disabling when no session is live ends none and still stores the change and entry.
	u.DisabledAt = new(at(6))
	disabled := credEntry(6, concierge.AuditStaffUserDisabled, "staff_user", fmt.Sprintf("%d:%s", u.ID, name), &prop)
	n, err = concierge.NewCredentials(s, nil).UpdateStaffUser(ctx, u, at(6), &disabled)
	noErr(t, "UpdateStaffUser disabling", err)
	wantEqual(t, "sessions ended by a second UpdateStaffUser", n, 0)
	got, err = s.StaffUserByID(ctx, u.ID)
	noErr(t, "StaffUserByID", err)
	wantEqual(t, "disabled user", got, u)
	log = wantAudited(t, "UpdateStaffUser disabling", s, log, disabled)
	wantSessions("UpdateStaffUser disabling", new(at(5)), new(at(5)), new(at(3)), nil)

	// An unknown user: no entry, no session ended.
	unknown := u
	unknown.ID = other.ID + 1000
	e = credEntry(7, concierge.AuditStaffPasswordSet, "staff_user", "x", nil)
	_, err = concierge.NewCredentials(s, nil).UpdateStaffUser(ctx, unknown, at(7), &e)
	wantErr(t, "UpdateStaffUser unknown", err, concierge.ErrNotFound)
	wantAudited(t, "UpdateStaffUser unknown", s, log)
	wantSessions("UpdateStaffUser unknown", new(at(5)), new(at(5)), new(at(3)), nil)
}

// testAPIKeyAudit: creating and revoking an API key appends the audit entry given in the same
// write (a created key's id as its ObjectRef); a failing or no-op write appends nothing.
func testAPIKeyAudit(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	p := mustProperty(t, s, code("KA"))
	k := concierge.APIKey{Name: "PMS", Hash: hash(code("k")), Role: concierge.RoleManager, PropertyIDs: []int64{p.ID}, CreatedAt: t0}
	created := credEntry(1, concierge.AuditAPIKeyCreated, "api_key", "", nil)
	given := created
	noErr(t, "CreateAPIKey with an entry", concierge.NewCredentials(s, nil).CreateAPIKey(ctx, &k, &given))
	wantEqual(t, "the caller's entry after CreateAPIKey", given, created)
	got, err := s.APIKeyByID(ctx, k.ID)
	noErr(t, "APIKeyByID", err)
	wantEqual(t, "created key", got, k)
	created.ObjectRef = fmt.Sprint(k.ID)
	log := wantAudited(t, "CreateAPIKey", s, nil, created)

	dup := concierge.APIKey{Name: "Other", Hash: k.Hash, Role: concierge.RoleAdmin, CreatedAt: t0}
	e := credEntry(2, concierge.AuditAPIKeyCreated, "api_key", "", nil)
	wantErr(t, "CreateAPIKey with a taken hash", concierge.NewCredentials(s, nil).CreateAPIKey(ctx, &dup, &e), concierge.ErrConflict)
	log = wantAudited(t, "CreateAPIKey with a taken hash", s, log)

	revoked := credEntry(3, concierge.AuditAPIKeyRevoked, "api_key", fmt.Sprint(k.ID), nil)
	noErr(t, "RevokeAPIKey with an entry", concierge.NewCredentials(s, nil).RevokeAPIKey(ctx, k.ID, at(3), &revoked))
	k.RevokedAt = new(at(3))
	got, err = s.APIKeyByID(ctx, k.ID)
	noErr(t, "APIKeyByID", err)
	wantEqual(t, "revoked key", got, k)
	log = wantAudited(t, "RevokeAPIKey", s, log, revoked)

	e = credEntry(4, concierge.AuditAPIKeyRevoked, "api_key", fmt.Sprint(k.ID), nil)
	wantErr(t, "RevokeAPIKey twice", concierge.NewCredentials(s, nil).RevokeAPIKey(ctx, k.ID, at(4), &e), concierge.ErrNotFound)
	wantErr(t, "RevokeAPIKey unknown", concierge.NewCredentials(s, nil).RevokeAPIKey(ctx, k.ID+1000, at(4), &e), concierge.ErrNotFound)
	wantAudited(t, "RevokeAPIKey twice and unknown", s, log)
}

// testInterfaceTokenAudit: creating and revoking an interface token appends the audit entry
// given in the same write (a created token's id as its ObjectRef); a failing or no-op write
// appends nothing.
func testInterfaceTokenAudit(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	p := mustProperty(t, s, code("TA"))
	tok := concierge.InterfaceToken{Name: "Guest app", Hash: hash(code("it")), PropertyIDs: []int64{p.ID}, CreatedAt: t0}
	created := credEntry(1, concierge.AuditInterfaceTokenMade, "interface_token", "", nil)
	given := created
	noErr(t, "CreateInterfaceToken with an entry", concierge.NewCredentials(s, nil).CreateInterfaceToken(ctx, &tok, &given))
	wantEqual(t, "the caller's entry after CreateInterfaceToken", given, created)
	got, err := s.InterfaceTokenByID(ctx, tok.ID)
	noErr(t, "InterfaceTokenByID", err)
	wantEqual(t, "created token", got, tok)
	created.ObjectRef = fmt.Sprint(tok.ID)
	log := wantAudited(t, "CreateInterfaceToken", s, nil, created)

	dup := concierge.InterfaceToken{Name: "Other", Hash: tok.Hash, PropertyIDs: []int64{p.ID}, CreatedAt: t0}
	e := credEntry(2, concierge.AuditInterfaceTokenMade, "interface_token", "", nil)
	wantErr(t, "CreateInterfaceToken with a taken hash", concierge.NewCredentials(s, nil).CreateInterfaceToken(ctx, &dup, &e), concierge.ErrConflict)
	log = wantAudited(t, "CreateInterfaceToken with a taken hash", s, log)

	revoked := credEntry(3, concierge.AuditInterfaceTokenRevoke, "interface_token", fmt.Sprint(tok.ID), nil)
	noErr(t, "RevokeInterfaceToken with an entry", concierge.NewCredentials(s, nil).RevokeInterfaceToken(ctx, tok.ID, at(3), &revoked))
	tok.RevokedAt = new(at(3))
	got, err = s.InterfaceTokenByID(ctx, tok.ID)
	noErr(t, "InterfaceTokenByID", err)
	wantEqual(t, "revoked token", got, tok)
	log = wantAudited(t, "RevokeInterfaceToken", s, log, revoked)

	e = credEntry(4, concierge.AuditInterfaceTokenRevoke, "interface_token", fmt.Sprint(tok.ID), nil)
	wantErr(t, "RevokeInterfaceToken twice", concierge.NewCredentials(s, nil).RevokeInterfaceToken(ctx, tok.ID, at(4), &e), concierge.ErrNotFound)
	wantErr(t, "RevokeInterfaceToken unknown", concierge.NewCredentials(s, nil).RevokeInterfaceToken(ctx, tok.ID+1000, at(4), &e), concierge.ErrNotFound)
	wantAudited(t, "RevokeInterfaceToken twice and unknown", s, log)
}
