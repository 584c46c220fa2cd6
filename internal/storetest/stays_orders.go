package storetest

import (
	"strings"
	"sync"
	"testing"
	"time"

	"concierge/internal/concierge"
)

// testStaysOrders checks UpsertStays, StayByReference, ListStays, the domain's order writes
// (concierge.Orders) over the store, ListOrders and ConversationsByOrder.
func testStaysOrders(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	pl := mustPlace(t, s, code("P"))
	other := mustPlace(t, s, code("P"))
	pid := pl.Property.ID

	stay := func(ref, room string) *concierge.Stay {
		return &concierge.Stay{PropertyID: pid, RoomNumber: room, FirstName: "Ana", LastName: "García",
			Language: "es", Arrival: "2025-01-10", Departure: "2025-01-15", BookingReference: ref}
	}
	a, b := stay("BK-A", "101"), stay("BK-B", "102")
	res, err := s.UpsertStays(ctx, []*concierge.Stay{a, b})
	noErr(t, "UpsertStays", err)
	wantEqual(t, "first upsert", res, []concierge.UpsertResult{concierge.UpsertCreated, concierge.UpsertCreated})
	if a.ID <= 0 || b.ID <= 0 || a.ID == b.ID {
		t.Fatalf("ids %d, %d", a.ID, b.ID)
	}

	// Same values: unchanged; a changed field and another case of the reference: updated.
	a2, b2 := stay("BK-A", "101"), stay("bk-b", "202")
	res, err = s.UpsertStays(ctx, []*concierge.Stay{a2, b2})
	noErr(t, "UpsertStays again", err)
	wantEqual(t, "second upsert", res, []concierge.UpsertResult{concierge.UpsertUnchanged, concierge.UpsertUpdated})
	wantEqual(t, "unchanged id", a2.ID, a.ID)
	wantEqual(t, "updated id", b2.ID, b.ID)
	got, err := s.StayByReference(ctx, pid, "Bk-B")
	noErr(t, "StayByReference", err)
	wantEqual(t, "updated stay", got, *b2)
	wantEqual(t, "stored spelling of the reference", b2.BookingReference, "BK-B")
	res, err = s.UpsertStays(ctx, []*concierge.Stay{stay("bk-a", "101")})
	noErr(t, "UpsertStays other case", err)
	wantEqual(t, "another case of the reference only", res, []concierge.UpsertResult{concierge.UpsertUnchanged})

	// Another property has its own references.
	_, err = s.StayByReference(ctx, other.Property.ID, "BK-A")
	wantErr(t, "StayByReference at another property", err, concierge.ErrNotFound)
	c := stay("BK-A", "101")
	c.PropertyID = other.Property.ID
	res, err = s.UpsertStays(ctx, []*concierge.Stay{c})
	noErr(t, "UpsertStays other property", err)
	wantEqual(t, "other property", res, []concierge.UpsertResult{concierge.UpsertCreated})

	// A repeated reference in one batch: created then updated.
	d1, d2 := stay("BK-D", "103"), stay("BK-D", "104")
	res, err = s.UpsertStays(ctx, []*concierge.Stay{d1, d2})
	noErr(t, "UpsertStays repeated", err)
	wantEqual(t, "repeated", res, []concierge.UpsertResult{concierge.UpsertCreated, concierge.UpsertUpdated})
	wantEqual(t, "repeated id", d2.ID, d1.ID)

	// Lists: by id, paged, filtered.
	list, err := s.ListStays(ctx, pid, concierge.StayFilter{}, 0, 0)
	noErr(t, "ListStays", err)
	if len(list) != 3 || list[0].ID != a.ID || list[1].ID != b.ID || list[2].ID != d1.ID {
		t.Fatalf("ListStays: %+v", list)
	}
	list, err = s.ListStays(ctx, pid, concierge.StayFilter{}, a.ID, 1)
	noErr(t, "ListStays page", err)
	if len(list) != 1 || list[0].ID != b.ID {
		t.Fatalf("ListStays page: %+v", list)
	}
	list, err = s.ListStays(ctx, pid, concierge.StayFilter{Room: " 202 "}, 0, 0)
	noErr(t, "ListStays room", err)
	if len(list) != 1 || list[0].ID != b.ID {
		t.Fatalf("ListStays room: %+v", list)
	}
	list, err = s.ListStays(ctx, pid, concierge.StayFilter{CurrentOn: "2025-01-16"}, 0, 0)
	noErr(t, "ListStays current", err)
	wantEqual(t, "ListStays current on a later day", len(list), 0)
	list, err = s.ListStays(ctx, pid, concierge.StayFilter{CurrentOn: "2025-01-15"}, 0, 0)
	noErr(t, "ListStays current", err)
	wantEqual(t, "ListStays current on departure day", len(list), 3)

	// Orders are written by the domain's Orders over the store's transactions.
	writes := concierge.NewOrders(s, nil)
	save := func(what string, when time.Time, want ...concierge.Order) []concierge.SavedOrder {
		t.Helper()
		saved, err := writes.Save(ctx, want, when)
		noErr(t, what, err)
		return saved
	}

	// An insert; the same order again, its code in another case, is unchanged.
	saved := save("Save insert", at(0), concierge.Order{PropertyID: pid, Code: code("ORD"), StayID: &a.ID,
		OutletID: &pl.Outlet.ID, Status: concierge.OrderPending})
	o := saved[0].Order
	if saved[0].Result != concierge.UpsertCreated || o.ID <= 0 || !o.UpdatedAt.Equal(at(0)) || len(saved[0].Messages) != 0 {
		t.Fatalf("Save of a new order: %+v", saved[0])
	}
	wantEqual(t, "stored new order", mustOrder(t, s, o.ID), o)
	same := o
	same.ID, same.Code = 0, strings.ToLower(o.Code)
	saved = save("Save unchanged", at(1), same)
	wantEqual(t, "Save of an unchanged order", saved[0], concierge.SavedOrder{Order: o, Result: concierge.UpsertUnchanged})

	conv := conversation(pl.Outlet, &a.ID, nil)
	conv.OrderID = &o.ID
	noErr(t, "CreateConversation", concierge.NewConversations(s).Create(ctx, &conv, nil))
	unlinked := conversation(pl.Outlet, &a.ID, nil)
	noErr(t, "CreateConversation", concierge.NewConversations(s).Create(ctx, &unlinked, nil))
	convs, err := s.ConversationsByOrder(ctx, o.ID)
	noErr(t, "ConversationsByOrder", err)
	if len(convs) != 1 || convs[0].ID != conv.ID {
		t.Fatalf("ConversationsByOrder: %+v", convs)
	}

	// A status change: the order updated, a System message in the linked conversation's guest
	// language, the conversation's updated time moved.
	upd := o
	upd.Status = concierge.OrderDelivering
	saved = save("Save status change", at(5), upd)
	upd.UpdatedAt = at(5)
	if saved[0].Result != concierge.UpsertUpdated || len(saved[0].Messages) != 1 {
		t.Fatalf("Save of a status change: %+v", saved[0])
	}
	wantEqual(t, "updated order", saved[0].Order, upd)
	wantEqual(t, "stored updated order", mustOrder(t, s, o.ID), upd)
	msg := saved[0].Messages[0]
	wantText, _ := concierge.OrderStatusText("es", concierge.OrderDelivering, o.Code)
	if msg.ID <= 0 || msg.Seq != 1 || msg.ConversationID != conv.ID || msg.Type != concierge.MessageSystem ||
		msg.Content != wantText || msg.Language != "es" || msg.TranslateTo != "" {
		t.Fatalf("posted message %+v", msg)
	}
	c2, err := s.ConversationByCode(ctx, conv.Code)
	noErr(t, "ConversationByCode", err)
	if !c2.UpdatedAt.Equal(at(5)) {
		t.Errorf("conversation updated at %v, want %v", c2.UpdatedAt, at(5))
	}
	msgs, err := s.ConversationMessages(ctx, conv.ID, true)
	noErr(t, "ConversationMessages", err)
	wantEqual(t, "messages after a status change", msgs, []concierge.Message{*msg})

	// A stay change alone posts nothing.
	moved := upd
	moved.StayID = &b.ID
	saved = save("Save stay change", at(6), moved)
	if saved[0].Result != concierge.UpsertUpdated || len(saved[0].Messages) != 0 {
		t.Fatalf("Save of a stay change: %+v", saved[0])
	}
	upd = saved[0].Order

	// A batch that fails half-way writes nothing.
	fresh := concierge.Order{PropertyID: pid, Code: code("ORD"), StayID: &b.ID, Status: concierge.OrderPending}
	done := upd
	done.Status = concierge.OrderCompleted
	bad := concierge.Order{PropertyID: pid + other.Property.ID + 1000, Code: code("ORD"), Status: concierge.OrderPending}
	if _, err := writes.Save(ctx, []concierge.Order{fresh, done, bad}, at(7)); err == nil {
		t.Fatal("Save of an order of no property succeeded")
	}
	_, err = s.OrderByCode(ctx, pid, fresh.Code)
	wantErr(t, "order of a failed batch", err, concierge.ErrNotFound)
	wantEqual(t, "order changed in a failed batch", mustOrder(t, s, o.ID), upd)
	msgs, err = s.ConversationMessages(ctx, conv.ID, true)
	noErr(t, "ConversationMessages", err)
	wantEqual(t, "messages after a failed batch", len(msgs), 1)
	fresh = save("Save", at(7), fresh)[0].Order

	// Concurrent writers of one order each post exactly the messages of the change they made.
	posted := make([]int, 8)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			next := upd
			next.Status = []concierge.OrderStatus{concierge.OrderAcknowledged, concierge.OrderCompleted}[i%2]
			saved, err := writes.Save(ctx, []concierge.Order{next}, at(8))
			if err != nil {
				t.Errorf("concurrent Save: %v", err)
				return
			}
			posted[i] = len(saved[0].Messages)
		})
	}
	wg.Wait()
	msgs, err = s.ConversationMessages(ctx, conv.ID, true)
	noErr(t, "ConversationMessages", err)
	total := 1
	for _, n := range posted {
		total += n
	}
	if len(msgs) != total || total < 2 {
		t.Errorf("concurrent Saves posted %v messages, the conversation has %d", posted, len(msgs))
	}
	for i, m := range msgs {
		if m.Seq != int64(i+1) {
			t.Errorf("message %d has sequence number %d", i, m.Seq)
		}
	}
	save("reset", at(9), upd)

	orders, err := s.ListOrders(ctx, pid, concierge.OrderFilter{}, 0, 0)
	noErr(t, "ListOrders", err)
	if len(orders) != 2 || orders[0].ID != o.ID || orders[1].ID != fresh.ID {
		t.Fatalf("ListOrders: %+v", orders)
	}
	orders, err = s.ListOrders(ctx, pid, concierge.OrderFilter{Status: concierge.OrderPending}, 0, 0)
	noErr(t, "ListOrders status", err)
	if len(orders) != 1 || orders[0].ID != fresh.ID {
		t.Fatalf("ListOrders status: %+v", orders)
	}
	orders, err = s.ListOrders(ctx, pid, concierge.OrderFilter{}, o.ID, 5)
	noErr(t, "ListOrders page", err)
	if len(orders) != 1 || orders[0].ID != fresh.ID {
		t.Fatalf("ListOrders page: %+v", orders)
	}
	orders, err = s.ListOrders(ctx, other.Property.ID, concierge.OrderFilter{}, 0, 0)
	noErr(t, "ListOrders other", err)
	wantEqual(t, "orders of another property", len(orders), 0)
}

// mustOrder reads an order.
func mustOrder(t *testing.T, s concierge.Store, id int64) concierge.Order {
	t.Helper()
	o, err := s.OrderByID(t.Context(), id)
	noErr(t, "OrderByID", err)
	return o
}
