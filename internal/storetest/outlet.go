package storetest

import (
	"testing"
	"time"

	"concierge/internal/concierge"
)

func testOutlets(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	p := mustProperty(t, s, "P1")
	q := mustProperty(t, s, "P2")
	empty := mustProperty(t, s, "P3")
	fo := mustServiceCenter(t, s, p.ID, "FO", "Front Office")
	spa := mustServiceCenter(t, s, p.ID, "SPA", "Spa")

	// Created out of order; listed by sort order, then code.
	create := []concierge.Outlet{
		{PropertyID: p.ID, Code: "SPA", Name: "Spa & Wellness ✓", Description: "Massages – 按摩",
			ServiceCenterID: spa.ID, AllowGuestMessages: true, SortOrder: 2,
			Hours: []concierge.OpeningHours{
				{Day: time.Sunday, Open: 0, Close: 1440},
				{Day: time.Monday, Open: 9 * 60, Close: 13 * 60},
				{Day: time.Monday, Open: 16 * 60, Close: 21 * 60},
				{Day: time.Saturday, Open: 22 * 60, Close: 2 * 60}, // past midnight
			}},
		{PropertyID: p.ID, Code: "FRONTDESK", Name: "Front Desk", ServiceCenterID: fo.ID,
			AllowGuestMessages: true, AllowNonVerifiedGuests: true, SortOrder: 1},
		{PropertyID: p.ID, Code: "BAR", Name: "Bar", ServiceCenterID: fo.ID, SortOrder: 2,
			Hours: []concierge.OpeningHours{{Day: time.Friday, Open: 18 * 60, Close: 1440}}},
		{PropertyID: p.ID, Code: "ROOMSERVICE", Name: "In-Room Dining", ServiceCenterID: fo.ID,
			AllowGuestMessages: true, SortOrder: 1},
	}
	for i := range create {
		noErr(t, "CreateOutlet "+create[i].Code, s.CreateOutlet(ctx, &create[i]))
		if create[i].ID == 0 {
			t.Fatalf("CreateOutlet %s left ID 0", create[i].Code)
		}
	}
	otherSC := mustServiceCenter(t, s, q.ID, "FO", "Other FO")
	other := mustOutlet(t, s, otherSC, "SPA", 0) // same code, other property: fine

	got, err := s.OutletsByProperty(ctx, p.ID)
	noErr(t, "OutletsByProperty", err)
	want := []concierge.Outlet{create[1], create[3], create[2], create[0]}
	wantEqual(t, "OutletsByProperty", got, want)

	got, err = s.OutletsByProperty(ctx, q.ID)
	noErr(t, "OutletsByProperty other", err)
	wantEqual(t, "OutletsByProperty other", got, []concierge.Outlet{other})

	got, err = s.OutletsByProperty(ctx, empty.ID)
	noErr(t, "OutletsByProperty empty", err)
	if len(got) != 0 {
		t.Errorf("OutletsByProperty of a property without outlets = %+v", got)
	}

	dup := concierge.Outlet{PropertyID: p.ID, Code: "spa", Name: "dup", ServiceCenterID: fo.ID}
	wantErr(t, "CreateOutlet with a taken code in another case", s.CreateOutlet(ctx, &dup), concierge.ErrConflict)
	got, err = s.OutletsByProperty(ctx, p.ID)
	noErr(t, "OutletsByProperty after conflict", err)
	wantEqual(t, "OutletsByProperty after conflict", got, want)
}
