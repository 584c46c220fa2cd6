package storetest

import (
	"cmp"
	"fmt"
	"slices"
	"testing"

	"concierge/internal/concierge"
)

// guestWorld is a set of conversations of several owners at two properties.
type guestWorld struct {
	p, q        place
	spa         concierge.ServiceCenter
	stayA       concierge.Stay // at p
	stayB       concierge.Stay // at p, same room, later
	stayC       concierge.Stay // at q
	guestG      concierge.Guest
	guestH      concierge.Guest
	byOwner     map[string][]concierge.GuestMessage // what each named owner must see
	allMessages int
}

// buildGuestWorld creates the conversations; each has at most one message, minute m after t0.
func buildGuestWorld(t *testing.T, s concierge.Store) *guestWorld {
	w := &guestWorld{byOwner: map[string][]concierge.GuestMessage{}}
	w.p = mustPlace(t, s, "P1")
	w.q = mustPlace(t, s, "P2")
	w.spa = mustServiceCenter(t, s, w.p.Property.ID, "SPA", "Spa ✓")
	spaOutlet := mustOutlet(t, s, w.spa, "SPA", 2)
	w.stayA = mustStay(t, s, w.p.Property.ID, "101", "2025-01-10", "2025-01-15")
	w.stayB = mustStay(t, s, w.p.Property.ID, "101", "2025-01-15", "2025-01-20")
	w.stayC = mustStay(t, s, w.q.Property.ID, "101", "2025-01-10", "2025-01-20")
	w.guestG = mustGuest(t, s, w.p.Property.ID, "device-G")
	w.guestH = mustGuest(t, s, w.p.Property.ID, "device-H")

	add := func(outlet concierge.Outlet, center string, stay, guest *int64, typ concierge.MessageType, minute int, owners ...string) {
		t.Helper()
		c := conversation(outlet, stay, guest)
		if typ == "" {
			noErr(t, "CreateConversation", concierge.NewConversations(s).Create(t.Context(), &c, nil))
			return
		}
		m := message(typ, minute)
		noErr(t, "CreateConversation", concierge.NewConversations(s).Create(t.Context(), &c, &m))
		w.allMessages++
		for _, o := range owners {
			w.byOwner[o] = append(w.byOwner[o], concierge.GuestMessage{Message: m, ConversationCode: c.Code, ServiceCenterName: center})
		}
	}
	fo, spa := w.p.ServiceCenter.Name, w.spa.Name
	a, b, c := &w.stayA.ID, &w.stayB.ID, &w.stayC.ID
	g, h := &w.guestG.ID, &w.guestH.ID
	add(w.p.Outlet, fo, a, nil, concierge.MessageGuest, 1, "A", "AG")
	add(w.p.Outlet, fo, a, nil, concierge.MessageNote, 2) // notes: nobody
	add(spaOutlet, spa, a, nil, concierge.MessageStaff, 3, "A", "AG")
	add(w.p.Outlet, fo, b, nil, concierge.MessageGuest, 4, "B")
	add(w.p.Outlet, fo, a, nil, concierge.MessageSystem, 5, "A", "AG")
	add(w.p.Outlet, fo, a, nil, "", 0)
	add(w.p.Outlet, fo, nil, g, concierge.MessageGuest, 6, "G", "AG")
	add(w.p.Outlet, fo, a, g, concierge.MessageGuest, 7, "A", "G", "AG") // a guest later verified
	add(w.p.Outlet, fo, nil, g, concierge.MessageNote, 7)
	add(w.p.Outlet, fo, nil, h, concierge.MessageGuest, 8, "H")
	add(w.q.Outlet, w.q.ServiceCenter.Name, c, nil, concierge.MessageGuest, 9, "C")
	// Ids of p's stay and guest on a conversation of q: only an owner at q sees it.
	add(w.q.Outlet, w.q.ServiceCenter.Name, a, g, concierge.MessageGuest, 10, "qAG")
	// Two messages at the same instant: ordered by id.
	add(spaOutlet, spa, a, nil, concierge.MessageGuest, 11, "A", "AG")
	add(w.p.Outlet, fo, nil, g, concierge.MessageStaff, 11, "G", "AG")
	add(w.p.Outlet, fo, a, nil, concierge.MessageGuest, 11, "A", "AG")
	for _, list := range w.byOwner {
		slices.SortFunc(list, func(x, y concierge.GuestMessage) int {
			return cmp.Or(x.CreatedAt.Compare(y.CreatedAt), cmp.Compare(x.ID, y.ID))
		})
	}
	return w
}

func testGuestMessagesOwnership(t *testing.T, s concierge.Store) {
	w := buildGuestWorld(t, s)
	p, q := w.p.Property.ID, w.q.Property.ID
	owners := []struct {
		name  string
		owner concierge.Owner
	}{
		{"A", concierge.Owner{PropertyID: p, StayID: &w.stayA.ID}},
		{"B", concierge.Owner{PropertyID: p, StayID: &w.stayB.ID}},
		{"G", concierge.Owner{PropertyID: p, GuestID: &w.guestG.ID}},
		{"H", concierge.Owner{PropertyID: p, GuestID: &w.guestH.ID}},
		{"AG", concierge.Owner{PropertyID: p, StayID: &w.stayA.ID, GuestID: &w.guestG.ID}},
		{"C", concierge.Owner{PropertyID: q, StayID: &w.stayC.ID}},
		{"qAG", concierge.Owner{PropertyID: q, StayID: &w.stayA.ID, GuestID: &w.guestG.ID}},
		{"C at p", concierge.Owner{PropertyID: p, StayID: &w.stayC.ID}},
		{"nobody", concierge.Owner{PropertyID: p}},
		{"A at an unknown property", concierge.Owner{PropertyID: p + q + 1000, StayID: &w.stayA.ID}},
	}
	for _, o := range owners {
		want := w.byOwner[o.name]
		got, total, err := s.GuestMessages(t.Context(), o.owner, concierge.Page{})
		noErr(t, "GuestMessages "+o.name, err)
		wantEqual(t, "GuestMessages of owner "+o.name, got, want)
		if total != len(want) {
			t.Errorf("GuestMessages of owner %s: total %d, want %d", o.name, total, len(want))
		}
		for _, m := range got {
			if m.Type == concierge.MessageNote {
				t.Errorf("owner %s sees note %s", o.name, m.Code)
			}
		}
	}
	if n := len(w.byOwner["AG"]); n != 8 {
		t.Fatalf("the world's owner AG should see 8 messages, sees %d", n)
	}
}

func testGuestMessagesPaging(t *testing.T, s concierge.Store) {
	w := buildGuestWorld(t, s)
	owner := concierge.Owner{PropertyID: w.p.Property.ID, StayID: &w.stayA.ID, GuestID: &w.guestG.ID}
	all := w.byOwner["AG"]
	rev := slices.Clone(all)
	slices.Reverse(rev)
	cases := []struct {
		page concierge.Page
		want []concierge.GuestMessage
	}{
		{concierge.Page{}, all},
		{concierge.Page{Limit: 3}, all[:3]},
		{concierge.Page{Offset: 2, Limit: 3}, all[2:5]},
		{concierge.Page{Offset: 7}, all[7:]},
		{concierge.Page{Offset: 7, Limit: 5}, all[7:]},
		{concierge.Page{Offset: len(all)}, nil},
		{concierge.Page{Offset: len(all) + 5, Limit: 2}, nil},
		{concierge.Page{Descending: true}, rev},
		{concierge.Page{Descending: true, Limit: 2}, rev[:2]},
		{concierge.Page{Descending: true, Offset: 3, Limit: 4}, rev[3:7]},
		{concierge.Page{Descending: true, Offset: len(all) - 1, Limit: 4}, rev[len(all)-1:]},
	}
	for _, c := range cases {
		what := fmt.Sprintf("GuestMessages page %+v", c.page)
		got, total, err := s.GuestMessages(t.Context(), owner, c.page)
		noErr(t, what, err)
		wantEqual(t, what, got, c.want)
		if total != len(all) {
			t.Errorf("%s: total %d, want %d", what, total, len(all))
		}
	}
}
