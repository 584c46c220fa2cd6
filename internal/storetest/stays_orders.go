package storetest

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"concierge/internal/concierge"
)

// testStaysOrders checks UpsertStays, StayByReference, ListStays, WriteOrders, ListOrders and
// ConversationsByOrder.
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

	// save applies fixed changes through WriteOrders.
	save := func(changes []concierge.OrderChange) error {
		return s.WriteOrders(ctx, func(concierge.OrderReader) ([]concierge.OrderChange, error) { return changes, nil })
	}

	// Orders: insert, then an update with its System messages, atomically.
	o := &concierge.Order{PropertyID: pid, Code: code("ORD"), StayID: &a.ID, OutletID: &pl.Outlet.ID,
		Status: concierge.OrderPending, UpdatedAt: at(0)}
	noErr(t, "SaveOrders insert", save([]concierge.OrderChange{{Order: o}}))
	if o.ID <= 0 {
		t.Fatal("SaveOrders left the order's ID 0")
	}
	dup := *o
	dup.ID = 0
	wantErr(t, "SaveOrders duplicate code", save([]concierge.OrderChange{{Order: &dup}}), concierge.ErrConflict)

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

	upd := *o
	upd.Status, upd.UpdatedAt = concierge.OrderDelivering, at(5)
	msg := &concierge.Message{Code: code("M"), ConversationID: conv.ID, Type: concierge.MessageSystem,
		Content: "Su pedido está en camino.", Language: "es", CreatedAt: at(5)}
	noErr(t, "SaveOrders update", save([]concierge.OrderChange{
		{Order: &upd, PreviousStatus: concierge.OrderPending, Messages: []*concierge.Message{msg}}}))
	if msg.ID <= 0 || msg.Seq != 1 {
		t.Fatalf("message id %d seq %d", msg.ID, msg.Seq)
	}
	stored, err := s.OrderByID(ctx, o.ID)
	noErr(t, "OrderByID", err)
	wantEqual(t, "updated order", stored, upd)
	c2, err := s.ConversationByCode(ctx, conv.Code)
	noErr(t, "ConversationByCode", err)
	if !c2.UpdatedAt.Equal(at(5)) {
		t.Errorf("conversation updated at %v, want %v", c2.UpdatedAt, at(5))
	}
	msgs, err := s.ConversationMessages(ctx, conv.ID, true)
	noErr(t, "ConversationMessages", err)
	if len(msgs) != 1 || msgs[0].Content != msg.Content || msgs[0].Type != concierge.MessageSystem {
		t.Fatalf("messages %+v", msgs)
	}

	// A stale previous status is a conflict, and the messages of that write are not stored.
	stale := upd
	stale.Status = concierge.OrderCompleted
	lost := &concierge.Message{Code: code("M"), ConversationID: conv.ID, Type: concierge.MessageSystem,
		Content: "lost", Language: "en", CreatedAt: at(6)}
	wantErr(t, "SaveOrders stale", save([]concierge.OrderChange{
		{Order: &stale, PreviousStatus: concierge.OrderPending, Messages: []*concierge.Message{lost}}}), concierge.ErrConflict)
	msgs, err = s.ConversationMessages(ctx, conv.ID, true)
	noErr(t, "ConversationMessages", err)
	wantEqual(t, "messages after a conflict", len(msgs), 1)

	// A batch that fails half-way writes nothing.
	fresh := &concierge.Order{PropertyID: pid, Code: code("ORD"), StayID: &b.ID, Status: concierge.OrderPending, UpdatedAt: at(7)}
	bad := *o
	bad.ID = 0
	wantErr(t, "SaveOrders half-way", save([]concierge.OrderChange{{Order: fresh}, {Order: &bad}}), concierge.ErrConflict)
	_, err = s.OrderByCode(ctx, pid, fresh.Code)
	wantErr(t, "order of a failed batch", err, concierge.ErrNotFound)
	noErr(t, "SaveOrders", save([]concierge.OrderChange{{Order: fresh}}))

	// The plan reads inside the transaction; its error writes nothing.
	planErr := errors.New("plan failed")
	err = s.WriteOrders(ctx, func(r concierge.OrderReader) ([]concierge.OrderChange, error) {
		got, err := r.OrderByCode(ctx, pid, strings.ToLower(o.Code))
		if err != nil || got.ID != o.ID || got.Status != concierge.OrderDelivering {
			t.Errorf("OrderByCode in the plan: %+v, %v", got, err)
		}
		if _, err := r.OrderByCode(ctx, pid, "NOPE"); !errors.Is(err, concierge.ErrNotFound) {
			t.Errorf("OrderByCode of no order in the plan: %v", err)
		}
		convs, err := r.ConversationsByOrder(ctx, o.ID)
		if err != nil || len(convs) != 1 || convs[0].ID != conv.ID {
			t.Errorf("ConversationsByOrder in the plan: %+v, %v", convs, err)
		}
		return nil, planErr
	})
	wantErr(t, "WriteOrders with a failing plan", err, planErr)

	// Concurrent read-decide-write plans never see each other's stale state: no conflicts.
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			err := s.WriteOrders(ctx, func(r concierge.OrderReader) ([]concierge.OrderChange, error) {
				cur, err := r.OrderByCode(ctx, pid, o.Code)
				if err != nil {
					return nil, err
				}
				next := cur
				next.Status = []concierge.OrderStatus{concierge.OrderAcknowledged, concierge.OrderDelivering}[i%2]
				if next.Status == cur.Status {
					next.Status = concierge.OrderCompleted
				}
				return []concierge.OrderChange{{Order: &next, PreviousStatus: cur.Status}}, nil
			})
			if err != nil {
				t.Errorf("concurrent WriteOrders: %v", err)
			}
		})
	}
	wg.Wait()
	upd.Status = concierge.OrderDelivering
	noErr(t, "reset", save([]concierge.OrderChange{{Order: &upd, PreviousStatus: mustOrder(t, s, o.ID).Status}}))

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
