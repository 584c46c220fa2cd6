package storetest

import (
	"testing"
	"time"

	"concierge/internal/concierge"
)

// testAdmin covers the AdminStore methods: lists with their paging, updates and revocations.
func testAdmin(t *testing.T, s concierge.Store) {
	t.Run("Properties", func(t *testing.T) { testAdminProperties(t, s) })
	t.Run("ServiceCenters", func(t *testing.T) { testAdminServiceCenters(t, s) })
	t.Run("Outlets", func(t *testing.T) { testAdminOutlets(t, s) })
	t.Run("StaffUsers", func(t *testing.T) { testAdminStaffUsers(t, s) })
	t.Run("InterfaceTokens", func(t *testing.T) { testAdminInterfaceTokens(t, s) })
}

func testAdminProperties(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	before, err := s.ListProperties(ctx, 0, 0)
	noErr(t, "ListProperties", err)
	var after int64
	if len(before) > 0 {
		after = before[len(before)-1].ID
	}
	a, b, c := mustProperty(t, s, code("AP")), mustProperty(t, s, code("AP")), mustProperty(t, s, code("AP"))

	got, err := s.ListProperties(ctx, after, 2)
	noErr(t, "ListProperties page 1", err)
	wantEqual(t, "ListProperties page 1", got, []concierge.Property{a, b})
	got, err = s.ListProperties(ctx, b.ID, 2)
	noErr(t, "ListProperties page 2", err)
	wantEqual(t, "ListProperties page 2", got, []concierge.Property{c})
	got, err = s.ListProperties(ctx, c.ID, 0)
	noErr(t, "ListProperties past the end", err)
	wantEqual(t, "ListProperties past the end", got, nil)

	// Everything but the id, code and creation time changes.
	upd := b
	upd.Code, upd.CreatedAt = "IGNORED", at(99)
	upd.Name, upd.BrandCode, upd.GroupCode = "Renamed ✓", "B2", "G2"
	upd.TimeZone, upd.DefaultLanguage, upd.HideStaffNames = "America/New_York", "es", true
	noErr(t, "UpdateProperty", s.UpdateProperty(ctx, upd))
	want := upd
	want.Code, want.CreatedAt = b.Code, b.CreatedAt
	gotP, err := s.PropertyByID(ctx, b.ID)
	noErr(t, "PropertyByID", err)
	wantEqual(t, "updated property", gotP, want)
	gotP, err = s.PropertyByID(ctx, a.ID)
	noErr(t, "PropertyByID a", err)
	wantEqual(t, "untouched property", gotP, a)

	upd.ID = c.ID + 1000
	wantErr(t, "UpdateProperty unknown", s.UpdateProperty(ctx, upd), concierge.ErrNotFound)
}

func testAdminServiceCenters(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	p, q := mustProperty(t, s, code("SCP")), mustProperty(t, s, code("SCP"))
	fo := mustServiceCenter(t, s, p.ID, "FO", "Front Office")
	other := mustServiceCenter(t, s, q.ID, "FO", "Front Office Q")
	rs := mustServiceCenter(t, s, p.ID, "RS", "Room Service")
	spa := mustServiceCenter(t, s, p.ID, "Spa", "Spa")

	for _, c := range []string{"FO", "fo", "Fo"} {
		got, err := s.ServiceCenterByCode(ctx, p.ID, c)
		noErr(t, "ServiceCenterByCode "+c, err)
		wantEqual(t, "ServiceCenterByCode "+c, got, fo)
	}
	got, err := s.ServiceCenterByCode(ctx, q.ID, "fo")
	noErr(t, "ServiceCenterByCode other property", err)
	wantEqual(t, "ServiceCenterByCode other property", got, other)
	_, err = s.ServiceCenterByCode(ctx, q.ID, "RS")
	wantErr(t, "ServiceCenterByCode at another property", err, concierge.ErrNotFound)

	list, err := s.ListServiceCenters(ctx, p.ID, 0, 2)
	noErr(t, "ListServiceCenters", err)
	wantEqual(t, "ListServiceCenters page 1", list, []concierge.ServiceCenter{fo, rs})
	list, err = s.ListServiceCenters(ctx, p.ID, rs.ID, 2)
	noErr(t, "ListServiceCenters", err)
	wantEqual(t, "ListServiceCenters page 2", list, []concierge.ServiceCenter{spa})
	list, err = s.ListServiceCenters(ctx, q.ID, 0, 0)
	noErr(t, "ListServiceCenters q", err)
	wantEqual(t, "ListServiceCenters q", list, []concierge.ServiceCenter{other})

	// Only the name and the staff language change.
	upd := rs
	upd.Code, upd.PropertyID, upd.Name, upd.StaffLanguage = "XX", q.ID, "In-Room Dining", "de"
	noErr(t, "UpdateServiceCenter", s.UpdateServiceCenter(ctx, upd))
	want := rs
	want.Name, want.StaffLanguage = "In-Room Dining", "de"
	got, err = s.ServiceCenterByID(ctx, rs.ID)
	noErr(t, "ServiceCenterByID", err)
	wantEqual(t, "updated service center", got, want)
	upd.ID = spa.ID + other.ID + 1000
	wantErr(t, "UpdateServiceCenter unknown", s.UpdateServiceCenter(ctx, upd), concierge.ErrNotFound)
}

func testAdminOutlets(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	pl := mustPlace(t, s, code("OP"))
	rs := mustServiceCenter(t, s, pl.Property.ID, "RS", "Room Service")
	hours := []concierge.OpeningHours{{Day: time.Monday, Open: 360, Close: 1380}, {Day: time.Sunday, Open: 1200, Close: 120}}
	dining := concierge.Outlet{PropertyID: pl.Property.ID, Code: "Dining", Name: "In-Room Dining", Description: "Food",
		ServiceCenterID: rs.ID, AllowGuestMessages: true, SortOrder: -5, Hours: hours}
	noErr(t, "CreateOutlet", s.CreateOutlet(ctx, &dining))
	shop := mustOutlet(t, s, pl.ServiceCenter, "SHOP", 3)
	other := mustPlace(t, s, code("OP"))

	for _, c := range []string{"DINING", "dining"} {
		got, err := s.OutletByCode(ctx, pl.Property.ID, c)
		noErr(t, "OutletByCode "+c, err)
		wantEqual(t, "OutletByCode "+c, got, dining)
	}
	_, err := s.OutletByCode(ctx, other.Property.ID, "dining")
	wantErr(t, "OutletByCode at another property", err, concierge.ErrNotFound)

	list, err := s.ListOutlets(ctx, pl.Property.ID, 0, 2)
	noErr(t, "ListOutlets", err)
	wantEqual(t, "ListOutlets page 1 (by id)", list, []concierge.Outlet{pl.Outlet, dining})
	list, err = s.ListOutlets(ctx, pl.Property.ID, dining.ID, 0)
	noErr(t, "ListOutlets", err)
	wantEqual(t, "ListOutlets page 2", list, []concierge.Outlet{shop})

	// Hours are replaced as a whole, in the order given; none means always open.
	upd := dining
	upd.Code, upd.PropertyID = "IGNORED", other.Property.ID
	upd.Name, upd.Description, upd.ServiceCenterID = "Dining ✓", "", pl.ServiceCenter.ID
	upd.AllowGuestMessages, upd.AllowNonVerifiedGuests, upd.SortOrder = false, true, 7
	upd.Hours = []concierge.OpeningHours{{Day: time.Friday, Open: 0, Close: 1440}}
	noErr(t, "UpdateOutlet", s.UpdateOutlet(ctx, upd))
	want := upd
	want.Code, want.PropertyID = dining.Code, dining.PropertyID
	got, err := s.OutletByCode(ctx, pl.Property.ID, "dining")
	noErr(t, "OutletByCode updated", err)
	wantEqual(t, "updated outlet", got, want)
	upd.Hours = nil
	noErr(t, "UpdateOutlet without hours", s.UpdateOutlet(ctx, upd))
	got, err = s.OutletByCode(ctx, pl.Property.ID, "dining")
	noErr(t, "OutletByCode updated", err)
	wantEqual(t, "outlet without hours", got.Hours, nil)
	shopNow, err := s.OutletByCode(ctx, pl.Property.ID, "SHOP")
	noErr(t, "OutletByCode shop", err)
	wantEqual(t, "untouched outlet", shopNow, shop)

	upd.ID = shop.ID + other.Outlet.ID + 1000
	wantErr(t, "UpdateOutlet unknown", s.UpdateOutlet(ctx, upd), concierge.ErrNotFound)
}

func testAdminStaffUsers(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	pl := mustPlace(t, s, code("UP"))
	q := mustProperty(t, s, code("UP"))
	rs := mustServiceCenter(t, s, pl.Property.ID, "RS", "Room Service")
	before, err := s.ListStaffUsers(ctx, 0, 0)
	noErr(t, "ListStaffUsers", err)
	var after int64
	if len(before) > 0 {
		after = before[len(before)-1].ID
	}
	disabled := at(5)
	users := []concierge.StaffUser{
		{Username: code("agent"), DisplayName: "Agent", PasswordHash: "h1", Role: concierge.RoleAgent,
			ServiceCenterIDs: []int64{pl.ServiceCenter.ID}, PropertyIDs: []int64{pl.Property.ID}, CreatedAt: t0},
		{Username: code("manager"), DisplayName: "Manager", PasswordHash: "h2", Role: concierge.RoleManager,
			PropertyIDs: sortedPair(pl.Property.ID, q.ID), CreatedAt: at(1), DisabledAt: &disabled},
		{Username: code("admin"), DisplayName: "Admin", PasswordHash: "h3", Role: concierge.RoleAdmin, CreatedAt: at(2)},
	}
	for i := range users {
		noErr(t, "CreateStaffUser", concierge.NewCredentials(s, nil).CreateStaffUser(ctx, &users[i], nil))
	}
	got, err := s.ListStaffUsers(ctx, after, 2)
	noErr(t, "ListStaffUsers page 1", err)
	wantEqual(t, "ListStaffUsers page 1", got, users[:2])
	got, err = s.ListStaffUsers(ctx, users[1].ID, 0)
	noErr(t, "ListStaffUsers page 2", err)
	wantEqual(t, "ListStaffUsers page 2", got, users[2:])
	u, err := s.StaffUserByID(ctx, users[1].ID)
	noErr(t, "StaffUserByID disabled", err)
	wantEqual(t, "a disabled user", u, users[1])

	// An update replaces the grants as a whole; the username and creation time stay.
	upd := users[0]
	upd.Username, upd.CreatedAt = "ignored", at(50)
	upd.DisplayName, upd.PasswordHash, upd.Role = "Agent Renamed", "h4", concierge.RoleManager
	upd.ServiceCenterIDs, upd.PropertyIDs, upd.DisabledAt = []int64{rs.ID}, []int64{q.ID}, &disabled
	_, err = concierge.NewCredentials(s, nil).UpdateStaffUser(ctx, upd, time.Time{}, nil)
	noErr(t, "UpdateStaffUser", err)
	want := upd
	want.Username, want.CreatedAt = users[0].Username, users[0].CreatedAt
	u, err = s.StaffUserByUsername(ctx, users[0].Username)
	noErr(t, "StaffUserByUsername", err)
	wantEqual(t, "updated user", u, want)
	upd.DisabledAt, upd.ServiceCenterIDs, upd.PropertyIDs = nil, nil, nil
	_, err = concierge.NewCredentials(s, nil).UpdateStaffUser(ctx, upd, time.Time{}, nil)
	noErr(t, "UpdateStaffUser enable", err)
	u, err = s.StaffUserByID(ctx, upd.ID)
	noErr(t, "StaffUserByID", err)
	if u.DisabledAt != nil || len(u.ServiceCenterIDs) != 0 || len(u.PropertyIDs) != 0 {
		t.Errorf("enabled user without grants: %+v", u)
	}
	upd.ID = users[2].ID + 1000
	_, err = concierge.NewCredentials(s, nil).UpdateStaffUser(ctx, upd, time.Time{}, nil)
	wantErr(t, "UpdateStaffUser unknown", err, concierge.ErrNotFound)

	// Revoking a user's sessions ends the live ones only, and only theirs.
	sessions := []concierge.StaffSession{
		{UserID: users[0].ID, Hash: hash(code("s")), CreatedAt: t0, ExpiresAt: at(600)},
		{UserID: users[0].ID, Hash: hash(code("s")), CreatedAt: t0, ExpiresAt: at(600)},
		{UserID: users[0].ID, Hash: hash(code("s")), CreatedAt: t0, ExpiresAt: at(600)},
		{UserID: users[2].ID, Hash: hash(code("s")), CreatedAt: t0, ExpiresAt: at(600)},
	}
	for i := range sessions {
		noErr(t, "CreateStaffSession", s.CreateStaffSession(ctx, &sessions[i]))
	}
	noErr(t, "RevokeStaffSession", concierge.NewCredentials(s, nil).RevokeStaffSession(ctx, sessions[2].ID, at(10)))
	n, err := concierge.NewCredentials(s, nil).RevokeStaffSessionsOfUser(ctx, users[0].ID, at(20))
	noErr(t, "RevokeStaffSessionsOfUser", err)
	if n != 2 {
		t.Errorf("RevokeStaffSessionsOfUser revoked %d, want 2", n)
	}
	for i, want := range []*time.Time{new(at(20)), new(at(20)), new(at(10)), nil} {
		got, err := s.StaffSessionByHash(ctx, sessions[i].Hash)
		noErr(t, "StaffSessionByHash", err)
		wantEqual(t, "session revoked at", got.RevokedAt, want)
	}
	n, err = concierge.NewCredentials(s, nil).RevokeStaffSessionsOfUser(ctx, users[0].ID, at(30))
	noErr(t, "RevokeStaffSessionsOfUser again", err)
	if n != 0 {
		t.Errorf("RevokeStaffSessionsOfUser again revoked %d, want 0", n)
	}
}

func testAdminInterfaceTokens(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	p, q := mustProperty(t, s, code("TP")), mustProperty(t, s, code("TP"))
	before, err := s.ListInterfaceTokens(ctx, 0, 0)
	noErr(t, "ListInterfaceTokens", err)
	var after int64
	if len(before) > 0 {
		after = before[len(before)-1].ID
	}
	tokens := []concierge.InterfaceToken{
		{Name: "Guest app ✓", Hash: hash(code("it")), PropertyIDs: []int64{q.ID, p.ID}, CreatedAt: t0},
		{Name: "Tablet", Hash: hash(code("it")), PropertyIDs: []int64{p.ID}, CreatedAt: at(1)},
	}
	for i := range tokens {
		noErr(t, "CreateInterfaceToken", concierge.NewCredentials(s, nil).CreateInterfaceToken(ctx, &tokens[i], nil))
	}
	tokens[0].PropertyIDs = sortedPair(p.ID, q.ID)
	for _, want := range tokens {
		got, err := s.InterfaceTokenByID(ctx, want.ID)
		noErr(t, "InterfaceTokenByID", err)
		wantEqual(t, "InterfaceTokenByID", got, want)
	}
	_, err = s.InterfaceTokenByID(ctx, tokens[1].ID+1000)
	wantErr(t, "InterfaceTokenByID unknown", err, concierge.ErrNotFound)

	got, err := s.ListInterfaceTokens(ctx, after, 1)
	noErr(t, "ListInterfaceTokens page 1", err)
	wantEqual(t, "ListInterfaceTokens page 1", got, tokens[:1])
	got, err = s.ListInterfaceTokens(ctx, tokens[0].ID, 0)
	noErr(t, "ListInterfaceTokens page 2", err)
	wantEqual(t, "ListInterfaceTokens page 2", got, tokens[1:])

	noErr(t, "RevokeInterfaceToken", concierge.NewCredentials(s, nil).RevokeInterfaceToken(ctx, tokens[0].ID, at(10), nil))
	wantErr(t, "RevokeInterfaceToken twice", concierge.NewCredentials(s, nil).RevokeInterfaceToken(ctx, tokens[0].ID, at(20), nil), concierge.ErrNotFound)
	wantErr(t, "RevokeInterfaceToken unknown", concierge.NewCredentials(s, nil).RevokeInterfaceToken(ctx, tokens[1].ID+1000, at(20), nil), concierge.ErrNotFound)
	tokens[0].RevokedAt = new(at(10))
	byHash, err := s.InterfaceTokenByHash(ctx, tokens[0].Hash)
	noErr(t, "InterfaceTokenByHash revoked", err)
	wantEqual(t, "a revoked token keeps its first revocation time", byHash, tokens[0])
	byID, err := s.InterfaceTokenByID(ctx, tokens[1].ID)
	noErr(t, "InterfaceTokenByID", err)
	wantEqual(t, "untouched token", byID, tokens[1])
}
