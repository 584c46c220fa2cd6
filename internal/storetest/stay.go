package storetest

import (
	"testing"
	"time"

	"concierge/internal/concierge"
)

func testStays(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	p := mustProperty(t, s, "P1")
	st := concierge.Stay{PropertyID: p.ID, RoomNumber: "101", FirstName: "Lena", LastName: "Müller-Łukasz",
		Language: "de", Arrival: "2025-01-10", Departure: "2025-01-15", BookingReference: "BK-Ω-1"}
	noErr(t, "CreateStay", s.CreateStay(ctx, &st))
	if st.ID == 0 {
		t.Fatal("CreateStay left ID 0")
	}
	got, err := s.StayByID(ctx, st.ID)
	noErr(t, "StayByID", err)
	wantEqual(t, "StayByID", got, st)

	second := mustStay(t, s, p.ID, "101", "2025-01-15", "2025-01-20")
	if second.ID == st.ID {
		t.Errorf("two stays share id %d", st.ID)
	}
	_, err = s.StayByID(ctx, st.ID+second.ID+1000)
	wantErr(t, "StayByID unknown", err, concierge.ErrNotFound)
}

func testStaysInRoom(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	p := mustProperty(t, s, "P1")
	q := mustProperty(t, s, "P2")
	early := mustStay(t, s, p.ID, "101", "2025-01-10", "2025-01-15")
	late := mustStay(t, s, p.ID, "101", "2025-01-15", "2025-01-20") // same-day turnover
	mustStay(t, s, p.ID, "102", "2025-01-10", "2025-01-20")         // other room
	mustStay(t, s, q.ID, "101", "2025-01-10", "2025-01-20")         // other property
	padded := mustStay(t, s, p.ID, " 12A ", "2025-01-10", "2025-01-20")

	cases := []struct {
		room string
		day  concierge.Date
		want []concierge.Stay
	}{
		{"101", "2025-01-09", nil},                           // day before arrival
		{"101", "2025-01-10", []concierge.Stay{early}},       // arrival day
		{"101", "2025-01-12", []concierge.Stay{early}},       // during
		{"101", "2025-01-15", []concierge.Stay{late, early}}, // departure day of one, arrival of the other
		{"101", "2025-01-16", []concierge.Stay{late}},        // day after departure
		{"101", "2025-01-21", nil},                           // after both
		{"  101 ", "2025-01-12", []concierge.Stay{early}},    // spaces trimmed
		{"1010", "2025-01-12", nil},                          // exact match only
		{"10", "2025-01-12", nil},                            //
		{"12A", "2025-01-12", []concierge.Stay{padded}},      // stored with spaces
		{"12a", "2025-01-12", nil},                           // exact, so case matters
		{"999", "2025-01-12", nil},                           // unknown room
	}
	for _, c := range cases {
		got, err := s.StaysInRoom(ctx, p.ID, c.room, c.day)
		noErr(t, "StaysInRoom", err)
		wantEqual(t, "StaysInRoom "+c.room+" on "+string(c.day), got, c.want)
	}
}

func testGuests(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	p := mustProperty(t, s, "P1")
	q := mustProperty(t, s, "P2")
	g, err := s.EnsureGuest(ctx, p.ID, "device-Ω-1", t0)
	noErr(t, "EnsureGuest", err)
	want := concierge.Guest{ID: g.ID, PropertyID: p.ID, Identifier: "device-Ω-1", CreatedAt: t0}
	if g.ID == 0 {
		t.Fatal("EnsureGuest returned ID 0")
	}
	wantEqual(t, "EnsureGuest", g, want)

	again, err := s.EnsureGuest(ctx, p.ID, "device-Ω-1", t0.Add(time.Hour))
	noErr(t, "EnsureGuest again", err)
	wantEqual(t, "EnsureGuest again keeps the first guest", again, want)

	got, err := s.GuestByID(ctx, g.ID)
	noErr(t, "GuestByID", err)
	wantEqual(t, "GuestByID", got, want)

	ids := map[int64]string{g.ID: "P1 device-Ω-1"}
	for _, c := range []struct {
		property int64
		id       string
	}{{p.ID, "device-2"}, {q.ID, "device-Ω-1"}, {p.ID, "DEVICE-Ω-1"}} {
		other, err := s.EnsureGuest(ctx, c.property, c.id, t0)
		noErr(t, "EnsureGuest "+c.id, err)
		if prev, ok := ids[other.ID]; ok {
			t.Errorf("EnsureGuest(%d, %q) returned the guest of %s", c.property, c.id, prev)
		}
		ids[other.ID] = c.id
		if other.PropertyID != c.property || other.Identifier != c.id {
			t.Errorf("EnsureGuest(%d, %q) = %+v", c.property, c.id, other)
		}
	}
	_, err = s.GuestByID(ctx, g.ID+10000)
	wantErr(t, "GuestByID unknown", err, concierge.ErrNotFound)
}

func testOrders(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	pl := mustPlace(t, s, "P1")
	q := mustProperty(t, s, "P2")
	st := mustStay(t, s, pl.Property.ID, "101", "2025-01-10", "2025-01-20")

	linked := concierge.Order{PropertyID: pl.Property.ID, Code: "ORD-1001", StayID: &st.ID,
		OutletID: &pl.Outlet.ID, Status: concierge.OrderPending, UpdatedAt: t0}
	noErr(t, "CreateOrder", s.CreateOrder(ctx, &linked))
	bare := concierge.Order{PropertyID: pl.Property.ID, Code: "ord-2", Status: concierge.OrderAcknowledged, UpdatedAt: at(5)}
	noErr(t, "CreateOrder without stay and outlet", s.CreateOrder(ctx, &bare))
	if linked.ID == 0 || bare.ID == 0 || linked.ID == bare.ID {
		t.Fatalf("order ids %d, %d", linked.ID, bare.ID)
	}
	for _, c := range []struct {
		code string
		want concierge.Order
	}{{"ORD-1001", linked}, {"ord-1001", linked}, {"ORD-2", bare}, {"ord-2", bare}} {
		got, err := s.OrderByCode(ctx, pl.Property.ID, c.code)
		noErr(t, "OrderByCode "+c.code, err)
		wantEqual(t, "OrderByCode "+c.code, got, c.want)
	}
	got, _ := s.OrderByCode(ctx, pl.Property.ID, "ORD-2")
	if got.StayID != nil || got.OutletID != nil {
		t.Errorf("order without stay and outlet came back with %v, %v", got.StayID, got.OutletID)
	}

	_, err := s.OrderByCode(ctx, q.ID, "ORD-1001")
	wantErr(t, "OrderByCode at another property", err, concierge.ErrNotFound)
	_, err = s.OrderByCode(ctx, pl.Property.ID, "ORD-3")
	wantErr(t, "OrderByCode unknown", err, concierge.ErrNotFound)

	dup := concierge.Order{PropertyID: pl.Property.ID, Code: "Ord-1001", Status: concierge.OrderPending, UpdatedAt: t0}
	wantErr(t, "CreateOrder with a taken code in another case", s.CreateOrder(ctx, &dup), concierge.ErrConflict)
	elsewhere := concierge.Order{PropertyID: q.ID, Code: "ORD-1001", Status: concierge.OrderCompleted, UpdatedAt: t0}
	noErr(t, "CreateOrder same code at another property", s.CreateOrder(ctx, &elsewhere))
}
