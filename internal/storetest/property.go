package storetest

import (
	"slices"
	"testing"

	"concierge/internal/concierge"
)

func testProperties(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	n, err := s.CountProperties(ctx)
	noErr(t, "CountProperties", err)
	if n != 0 {
		t.Fatalf("CountProperties on an empty store = %d, want 0", n)
	}

	p := concierge.Property{Code: "DEMO", Name: "Hôtel Démo – 酒店 ✓", BrandCode: "DEMOBRAND",
		GroupCode: "DEMOGROUP", TimeZone: "Europe/Madrid", DefaultLanguage: "en",
		HideStaffNames: true, CreatedAt: t0}
	noErr(t, "CreateProperty", s.CreateProperty(ctx, &p))
	if p.ID == 0 {
		t.Fatal("CreateProperty left ID 0")
	}
	got, err := s.PropertyByID(ctx, p.ID)
	noErr(t, "PropertyByID", err)
	wantEqual(t, "PropertyByID", got, p)
	for _, c := range []string{"DEMO", "demo", "Demo"} {
		got, err := s.PropertyByCode(ctx, c)
		noErr(t, "PropertyByCode "+c, err)
		wantEqual(t, "PropertyByCode "+c, got, p)
	}

	dup := concierge.Property{Code: "demo", Name: "Duplicate", TimeZone: "UTC", DefaultLanguage: "en", CreatedAt: t0}
	wantErr(t, "CreateProperty with a taken code in another case", s.CreateProperty(ctx, &dup), concierge.ErrConflict)

	// A second property: every flag off, zero creation time.
	q := concierge.Property{Code: "OTHER", Name: "Other", TimeZone: "UTC", DefaultLanguage: "de"}
	noErr(t, "CreateProperty", s.CreateProperty(ctx, &q))
	if q.ID == 0 || q.ID == p.ID {
		t.Fatalf("second property id %d (first %d)", q.ID, p.ID)
	}
	got, err = s.PropertyByCode(ctx, "other")
	noErr(t, "PropertyByCode", err)
	wantEqual(t, "PropertyByCode other", got, q)
	if !got.CreatedAt.IsZero() {
		t.Errorf("zero CreatedAt came back as %v", got.CreatedAt)
	}
	n, err = s.CountProperties(ctx)
	noErr(t, "CountProperties", err)
	if n != 2 {
		t.Errorf("CountProperties = %d, want 2", n)
	}

	_, err = s.PropertyByCode(ctx, "NOPE")
	wantErr(t, "PropertyByCode unknown", err, concierge.ErrNotFound)
	_, err = s.PropertyByID(ctx, p.ID+q.ID+1000)
	wantErr(t, "PropertyByID unknown", err, concierge.ErrNotFound)
}

func testInterfaceTokens(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	p := mustProperty(t, s, "P1")
	q := mustProperty(t, s, "P2")

	live := concierge.InterfaceToken{Name: "Integrator ✓ app", Hash: hash("secret-1"),
		PropertyIDs: []int64{q.ID, p.ID}, CreatedAt: t0}
	noErr(t, "CreateInterfaceToken", concierge.NewCredentials(s, nil).CreateInterfaceToken(ctx, &live, nil))
	if live.ID == 0 {
		t.Fatal("CreateInterfaceToken left ID 0")
	}
	got, err := s.InterfaceTokenByHash(ctx, hash("secret-1"))
	noErr(t, "InterfaceTokenByHash", err)
	slices.Sort(got.PropertyIDs)
	want := live
	want.PropertyIDs = []int64{min(p.ID, q.ID), max(p.ID, q.ID)}
	wantEqual(t, "live token", got, want)

	revoked := concierge.InterfaceToken{Name: "old", Hash: hash("secret-2"), RevokedAt: new(at(90)), CreatedAt: at(-90)}
	noErr(t, "CreateInterfaceToken", concierge.NewCredentials(s, nil).CreateInterfaceToken(ctx, &revoked, nil))
	if revoked.ID == 0 || revoked.ID == live.ID {
		t.Fatalf("second token id %d (first %d)", revoked.ID, live.ID)
	}
	got, err = s.InterfaceTokenByHash(ctx, hash("secret-2"))
	noErr(t, "InterfaceTokenByHash revoked", err)
	wantEqual(t, "revoked token", got, revoked)

	dup := concierge.InterfaceToken{Name: "dup", Hash: hash("secret-1"), PropertyIDs: []int64{p.ID}, CreatedAt: t0}
	wantErr(t, "CreateInterfaceToken with a taken hash", concierge.NewCredentials(s, nil).CreateInterfaceToken(ctx, &dup, nil), concierge.ErrConflict)
	_, err = s.InterfaceTokenByHash(ctx, hash("secret-3"))
	wantErr(t, "InterfaceTokenByHash unknown", err, concierge.ErrNotFound)
}

func testServiceCenters(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	p := mustProperty(t, s, "P1")
	q := mustProperty(t, s, "P2")
	sc := concierge.ServiceCenter{PropertyID: p.ID, Code: "RS", Name: "Room Service – Servicio ✓", StaffLanguage: "es"}
	noErr(t, "CreateServiceCenter", s.CreateServiceCenter(ctx, &sc))
	if sc.ID == 0 {
		t.Fatal("CreateServiceCenter left ID 0")
	}
	got, err := s.ServiceCenterByID(ctx, sc.ID)
	noErr(t, "ServiceCenterByID", err)
	wantEqual(t, "ServiceCenterByID", got, sc)

	dup := concierge.ServiceCenter{PropertyID: p.ID, Code: "rs", Name: "dup", StaffLanguage: "en"}
	wantErr(t, "CreateServiceCenter with a taken code", s.CreateServiceCenter(ctx, &dup), concierge.ErrConflict)
	other := concierge.ServiceCenter{PropertyID: q.ID, Code: "RS", Name: "Other RS", StaffLanguage: "en"}
	noErr(t, "CreateServiceCenter same code at another property", s.CreateServiceCenter(ctx, &other))
	if other.ID == sc.ID {
		t.Errorf("two service centers share id %d", sc.ID)
	}
	_, err = s.ServiceCenterByID(ctx, sc.ID+other.ID+1000)
	wantErr(t, "ServiceCenterByID unknown", err, concierge.ErrNotFound)
}

func testStaffUsers(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	pl := mustPlace(t, s, "P1")
	rs := mustServiceCenter(t, s, pl.Property.ID, "RS", "Room Service")
	u := concierge.StaffUser{Username: "frontdesk", DisplayName: "Zoë Ñúñez", PasswordHash: "$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA",
		Role: concierge.RoleAgent, ServiceCenterIDs: []int64{pl.ServiceCenter.ID, rs.ID},
		PropertyIDs: []int64{pl.Property.ID}, CreatedAt: t0}
	noErr(t, "CreateStaffUser", concierge.NewCredentials(s, nil).CreateStaffUser(ctx, &u, nil))
	if u.ID == 0 {
		t.Fatal("CreateStaffUser left ID 0")
	}
	admin := concierge.StaffUser{Username: "admin", DisplayName: "Admin", PasswordHash: "x", Role: concierge.RoleAdmin, CreatedAt: t0}
	noErr(t, "CreateStaffUser without centers", concierge.NewCredentials(s, nil).CreateStaffUser(ctx, &admin, nil))
	if admin.ID == 0 || admin.ID == u.ID {
		t.Errorf("second staff user id %d (first %d)", admin.ID, u.ID)
	}
	dup := concierge.StaffUser{Username: "FrontDesk", DisplayName: "dup", PasswordHash: "x", Role: concierge.RoleAgent, CreatedAt: t0}
	wantErr(t, "CreateStaffUser with a taken username in another case", concierge.NewCredentials(s, nil).CreateStaffUser(ctx, &dup, nil), concierge.ErrConflict)
}
