package concierge

import (
	"context"
	"log/slog"
	"testing"
	"time"
)

// credStore is a Store of staff users, API keys and interface tokens that records the writes
// made with their audit entries, and fails the test on a separate AppendAudit (the change and
// its entry, and the change and the end of the sessions, must be one write: one transaction
// through Write, recorded as one credWrite). Its other methods panic.
type credStore struct {
	Store
	t        *testing.T
	users    map[string]StaffUser
	props    map[int64]Property
	ended    int   // what UpdateStaffUser reports as sessions ended when asked to end them
	writeErr error // what the writes return

	writes []credWrite
}

// credWrite is one write that credStore received.
type credWrite struct {
	op            string
	user          StaffUser
	endSessionsAt time.Time
	audit         *AuditEntry
}

func (f *credStore) record(op string, u StaffUser, end time.Time, audit *AuditEntry) {
	var cp *AuditEntry
	if audit != nil {
		e := *audit
		cp = &e
	}
	f.writes = append(f.writes, credWrite{op: op, user: u, endSessionsAt: end, audit: cp})
}

func (f *credStore) StaffUserByUsername(_ context.Context, username string) (StaffUser, error) {
	if u, ok := f.users[username]; ok {
		return u, nil
	}
	return StaffUser{}, ErrNotFound
}

func (f *credStore) ServiceCentersByIDs(context.Context, []int64) ([]ServiceCenter, error) {
	return nil, nil
}

func (f *credStore) PropertyByID(_ context.Context, id int64) (Property, error) {
	if p, ok := f.props[id]; ok {
		return p, nil
	}
	return Property{}, ErrNotFound
}

func (f *credStore) PropertyByCode(_ context.Context, code string) (Property, error) {
	for _, p := range f.props {
		if p.Code == code {
			return p, nil
		}
	}
	return Property{}, ErrNotFound
}

// Write runs fn in a recorded transaction (credTx) and records what it wrote as one write,
// then answers writeErr (the transaction failed: nothing else is recorded).
func (f *credStore) Write(_ context.Context, fn func(Tx) error) error {
	tx := &credTx{ended: f.ended}
	if err := fn(tx); err != nil {
		return err
	}
	f.record(tx.op, tx.user, tx.endSessionsAt, tx.audit)
	return f.writeErr
}

// credTx records the operations of one transaction of credStore; its other methods panic.
type credTx struct {
	Tx
	ended         int // what RevokeStaffSessionsOfUser reports
	op            string
	user          StaffUser
	endSessionsAt time.Time
	audit         *AuditEntry
}

func (tx *credTx) InsertStaffUser(_ context.Context, u *StaffUser) (int64, error) {
	tx.op, tx.user = "CreateStaffUser", *u
	return 42, nil
}

func (tx *credTx) InsertAPIKey(context.Context, *APIKey) (int64, error) {
	tx.op = "CreateAPIKey"
	return 43, nil
}

func (tx *credTx) InsertInterfaceToken(context.Context, *InterfaceToken) (int64, error) {
	tx.op = "CreateInterfaceToken"
	return 44, nil
}

func (tx *credTx) UpdateStaffUser(_ context.Context, u *StaffUser) error {
	tx.op, tx.user = "UpdateStaffUser", *u
	return nil
}

func (tx *credTx) RevokeStaffSessionsOfUser(_ context.Context, _ int64, at time.Time) (int, error) {
	tx.endSessionsAt = at
	return tx.ended, nil
}

func (tx *credTx) RevokeAPIKey(context.Context, int64, time.Time) error {
	tx.op = "RevokeAPIKey"
	return nil
}

func (tx *credTx) RevokeInterfaceToken(context.Context, int64, time.Time) error {
	tx.op = "RevokeInterfaceToken"
	return nil
}

func (tx *credTx) RevokeSessionsOfToken(context.Context, int64, time.Time) error { return nil }

func (tx *credTx) AppendAccessEnded(context.Context, AccessSubject, time.Time) error { return nil }

func (tx *credTx) InsertAudit(_ context.Context, e *AuditEntry) error {
	cp := *e
	tx.audit = &cp
	return nil
}

func (f *credStore) APIKeyByID(_ context.Context, id int64) (APIKey, error) {
	return APIKey{ID: id, Name: "PMS", Role: RoleAdmin}, nil
}

func (f *credStore) InterfaceTokenByID(_ context.Context, id int64) (InterfaceToken, error) {
	return InterfaceToken{ID: id, Name: "App"}, nil
}

func (f *credStore) AppendAudit(_ context.Context, e *AuditEntry) error {
	f.t.Errorf("a separate AppendAudit of %s: the entry must go with its change", e.Action)
	return nil
}

// lastWrite returns the only write recorded since the previous call and forgets it.
func (f *credStore) lastWrite(t *testing.T, what string) credWrite {
	t.Helper()
	if len(f.writes) != 1 {
		t.Fatalf("%s: %d writes %+v, want 1", what, len(f.writes), f.writes)
	}
	w := f.writes[0]
	f.writes = nil
	return w
}

// wantEntry checks the audit entry of a write.
func wantEntry(t *testing.T, what string, w credWrite, action AuditAction, kind, ref string, prop int64, now time.Time) {
	t.Helper()
	e := w.audit
	if e == nil {
		t.Fatalf("%s: no audit entry with the write", what)
	}
	var gotProp int64
	if e.PropertyID != nil {
		gotProp = *e.PropertyID
	}
	if e.Action != action || e.ObjectKind != kind || e.ObjectRef != ref || gotProp != prop || !e.At.Equal(now) ||
		e.ActorKind != ActorStaff || e.ActorName != "admin" || e.ActorID == nil || *e.ActorID != 1 || e.Client != "192.0.2.9" {
		t.Errorf("%s: entry %+v, want %s of %s %q (property %d) by staff admin (1) from 192.0.2.9 at %v",
			what, *e, action, kind, ref, prop, now)
	}
}

// TestStaffUserWritesCarryTheirAudit: creating, updating, setting the password of, disabling
// and enabling a staff user write the audit entry in the change's transaction (a created
// user's entry names "id:username"), and setting a password or disabling
// ends the user's sessions in that same write; a failed write is no success.
func TestStaffUserWritesCarryTheirAudit(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	st := &credStore{t: t, ended: 3,
		users: map[string]StaffUser{"bob": {ID: 7, Username: "bob", DisplayName: "Bob", PasswordHash: "old",
			Role: RoleManager, PropertyIDs: []int64{5}, CreatedAt: now.Add(-time.Hour)}},
		props: map[int64]Property{5: {ID: 5, Code: "P5"}}}
	s := &Service{store: st, credentials: NewCredentials(st, nil), logger: slog.New(slog.DiscardHandler),
		now: func() time.Time { return now }}
	admin := &Principal{User: &StaffUser{ID: 1, Username: "admin", Role: RoleAdmin}, Role: RoleAdmin}
	ctx := WithClient(t.Context(), "192.0.2.9")

	if _, err := s.CreateStaffUser(ctx, admin, StaffUserInput{Username: "carol", DisplayName: "Carol",
		Password: "a-long-password", Role: RoleManager, Properties: []string{"P5"}}); err != nil {
		t.Fatalf("CreateStaffUser: %v", err)
	}
	w := st.lastWrite(t, "CreateStaffUser")
	wantEntry(t, "CreateStaffUser", w, AuditStaffUserCreated, "staff_user", "42:carol", 5, now)
	if w.audit.Detail != "role=manager properties=5 service_centers=" {
		t.Errorf("CreateStaffUser: detail %q", w.audit.Detail)
	}

	name := "Bobby"
	if _, err := s.UpdateStaffUser(ctx, admin, "bob", StaffUserPatch{DisplayName: &name}); err != nil {
		t.Fatalf("UpdateStaffUser: %v", err)
	}
	w = st.lastWrite(t, "UpdateStaffUser")
	wantEntry(t, "UpdateStaffUser", w, AuditStaffUserUpdated, "staff_user", "7:bob", 5, now)
	if !w.endSessionsAt.IsZero() || w.user.DisplayName != "Bobby" {
		t.Errorf("UpdateStaffUser: wrote %+v ending sessions at %v, want Bobby keeping sessions", w.user, w.endSessionsAt)
	}

	if _, err := s.SetStaffPassword(ctx, admin, "bob", "another-long-password"); err != nil {
		t.Fatalf("SetStaffPassword: %v", err)
	}
	w = st.lastWrite(t, "SetStaffPassword")
	wantEntry(t, "SetStaffPassword", w, AuditStaffPasswordSet, "staff_user", "7:bob", 5, now)
	if !w.endSessionsAt.Equal(now) || w.user.PasswordHash == "old" || w.user.PasswordHash == "" {
		t.Errorf("SetStaffPassword: wrote hash %q ending sessions at %v, want a new hash ending them at %v",
			w.user.PasswordHash, w.endSessionsAt, now)
	}

	if _, err := s.SetStaffUserDisabled(ctx, admin, "bob", true); err != nil {
		t.Fatalf("SetStaffUserDisabled: %v", err)
	}
	w = st.lastWrite(t, "disabling")
	wantEntry(t, "disabling", w, AuditStaffUserDisabled, "staff_user", "7:bob", 5, now)
	if !w.endSessionsAt.Equal(now) || w.user.DisabledAt == nil || !w.user.DisabledAt.Equal(now) {
		t.Errorf("disabling: wrote DisabledAt %v ending sessions at %v, want both %v", w.user.DisabledAt, w.endSessionsAt, now)
	}

	bob := st.users["bob"]
	bob.DisabledAt = new(now)
	st.users["bob"] = bob
	if _, err := s.SetStaffUserDisabled(ctx, admin, "bob", false); err != nil {
		t.Fatalf("enabling: %v", err)
	}
	w = st.lastWrite(t, "enabling")
	wantEntry(t, "enabling", w, AuditStaffUserEnabled, "staff_user", "7:bob", 5, now)
	if !w.endSessionsAt.IsZero() || w.user.DisabledAt != nil {
		t.Errorf("enabling: wrote DisabledAt %v ending sessions at %v, want neither", w.user.DisabledAt, w.endSessionsAt)
	}

	st.writeErr = ErrNotFound
	_, err := s.SetStaffPassword(ctx, admin, "bob", "a-third-long-password")
	if ErrorCode(err) != CodeStaffUserNotFound {
		t.Errorf("SetStaffPassword of a user deleted meanwhile: %v, want StaffUserNotFound", err)
	}
	st.lastWrite(t, "SetStaffPassword of a user deleted meanwhile")
	st.writeErr = ErrConflict
	_, err = s.CreateStaffUser(ctx, admin, StaffUserInput{Username: "BOB", DisplayName: "Bob", Password: "a-long-password", Role: RoleAdmin})
	if ErrorCode(err) != CodeAlreadyExists {
		t.Errorf("CreateStaffUser with a taken username: %v, want AlreadyExists", err)
	}
	st.lastWrite(t, "CreateStaffUser with a taken username")
}

// TestCredentialWritesCarryTheirAudit: creating and revoking API keys and interface tokens
// hand the audit entry to the store's write (a created one's entry with an empty ObjectRef,
// the store putting the id there); revoking a revoked one appends nothing either.
func TestCredentialWritesCarryTheirAudit(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	st := &credStore{t: t, props: map[int64]Property{5: {ID: 5, Code: "P5"}}}
	s := &Service{store: st, credentials: NewCredentials(st, nil), logger: slog.New(slog.DiscardHandler),
		now: func() time.Time { return now }}
	admin := &Principal{User: &StaffUser{ID: 1, Username: "admin", Role: RoleAdmin}, Role: RoleAdmin}
	ctx := WithClient(t.Context(), "192.0.2.9")

	if _, _, err := s.CreateAPIKey(ctx, admin, APIKeyInput{Name: "PMS", Role: RoleManager, PropertyCodes: []string{"P5"}}); err != nil {
		t.Fatalf("CreateAPIKey: %v", err)
	}
	w := st.lastWrite(t, "CreateAPIKey")
	wantEntry(t, "CreateAPIKey", w, AuditAPIKeyCreated, "api_key", "43", 0, now)
	if w.audit.Detail != "role=manager" {
		t.Errorf("CreateAPIKey: detail %q", w.audit.Detail)
	}
	if _, err := s.RevokeAPIKey(ctx, admin, 43); err != nil {
		t.Fatalf("RevokeAPIKey: %v", err)
	}
	wantEntry(t, "RevokeAPIKey", st.lastWrite(t, "RevokeAPIKey"), AuditAPIKeyRevoked, "api_key", "43", 0, now)

	if _, _, err := s.CreateInterfaceToken(ctx, admin, InterfaceTokenInput{Name: "App", PropertyCodes: []string{"P5"}}); err != nil {
		t.Fatalf("CreateInterfaceToken: %v", err)
	}
	wantEntry(t, "CreateInterfaceToken", st.lastWrite(t, "CreateInterfaceToken"), AuditInterfaceTokenMade, "interface_token", "44", 0, now)
	if _, err := s.RevokeInterfaceToken(ctx, admin, 44); err != nil {
		t.Fatalf("RevokeInterfaceToken: %v", err)
	}
	wantEntry(t, "RevokeInterfaceToken", st.lastWrite(t, "RevokeInterfaceToken"), AuditInterfaceTokenRevoke, "interface_token", "44", 0, now)

	// Already revoked: the store reports ErrNotFound and stores nothing; the service answers
	// with the credential as it is and appends nothing on its own (credStore.AppendAudit).
	st.writeErr = ErrNotFound
	if _, err := s.RevokeAPIKey(ctx, admin, 43); err != nil {
		t.Fatalf("RevokeAPIKey of a revoked key: %v", err)
	}
	st.lastWrite(t, "RevokeAPIKey of a revoked key")
	if _, err := s.RevokeInterfaceToken(ctx, admin, 44); err != nil {
		t.Fatalf("RevokeInterfaceToken of a revoked token: %v", err)
	}
	st.lastWrite(t, "RevokeInterfaceToken of a revoked token")
}
