package storetest

import (
	"testing"

	"concierge/internal/concierge"
)

// eventLog reads the events a test's writes append, in order.
type eventLog struct {
	s     concierge.Store
	after int64
}

// kindOf is an event reduced to what a write decides: kind, conversation and message (0: none).
type kindOf struct {
	Kind         concierge.EventKind
	Conversation int64
	Message      int64
}

// next returns the events appended since the last call, checking their seqs increase and
// their property is the conversation's.
func (l *eventLog) next(t *testing.T, propertyID int64) []kindOf {
	t.Helper()
	evs, err := l.s.EventsAfter(t.Context(), l.after, 0)
	noErr(t, "EventsAfter", err)
	out := []kindOf{}
	for _, e := range evs {
		if e.Seq <= l.after {
			t.Fatalf("event seq %d after %d", e.Seq, l.after)
		}
		l.after = e.Seq
		if e.PropertyID != propertyID {
			t.Errorf("event %d: property %d, want %d", e.Seq, e.PropertyID, propertyID)
		}
		k := kindOf{Kind: e.Kind, Conversation: e.ConversationID}
		if e.MessageID != nil {
			k.Message = *e.MessageID
		}
		out = append(out, k)
	}
	return out
}

func testEvents(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	l := &eventLog{s: s}
	for name, f := range map[string]func() (int64, error){
		"LatestEventSeq": func() (int64, error) { return s.LatestEventSeq(ctx) },
		"OldestEventSeq": func() (int64, error) { return s.OldestEventSeq(ctx) },
	} {
		n, err := f()
		noErr(t, name, err)
		if n != 0 {
			t.Errorf("%s on an empty log = %d, want 0", name, n)
		}
	}
	pl := mustPlace(t, s, "EV")
	pid := pl.Property.ID
	st := mustStay(t, s, pid, "101", "2025-01-10", "2025-01-20")
	wantEqual(t, "events of configuration writes", l.next(t, pid), []kindOf{})

	// CreateConversation: conversation.updated, then message.created.
	c := conversation(pl.Outlet, &st.ID, nil)
	first := message(concierge.MessageGuest, 1)
	noErr(t, "CreateConversation", concierge.NewConversations(s).Create(ctx, &c, &first))
	wantEqual(t, "CreateConversation events", l.next(t, pid), []kindOf{
		{concierge.EventConversationUpdated, c.ID, 0}, {concierge.EventMessageCreated, c.ID, first.ID}})
	empty := conversation(pl.Outlet, &st.ID, nil)
	noErr(t, "CreateConversation without message", concierge.NewConversations(s).Create(ctx, &empty, nil))
	wantEqual(t, "CreateConversation without message events", l.next(t, pid), []kindOf{
		{concierge.EventConversationUpdated, empty.ID, 0}})
	// Events carry their conversation's owners: a stay's, a guest identity's.
	g := mustGuest(t, s, pid, "device-ev")
	gc := conversation(pl.Outlet, nil, &g.ID)
	noErr(t, "CreateConversation of a guest identity", concierge.NewConversations(s).Create(ctx, &gc, nil))
	wantEqual(t, "guest identity conversation events", l.next(t, pid), []kindOf{
		{concierge.EventConversationUpdated, gc.ID, 0}})
	owned, err := s.EventsAfter(ctx, 0, 0)
	noErr(t, "EventsAfter", err)
	for _, e := range owned {
		switch e.ConversationID {
		case c.ID, empty.ID:
			wantEqual(t, "owner of a stay's conversation event", e.Owner, &concierge.EventOwner{StayID: &st.ID})
		case gc.ID:
			wantEqual(t, "owner of a guest identity's conversation event", e.Owner, &concierge.EventOwner{GuestID: &g.ID})
		default:
			t.Errorf("event %d of an unexpected conversation %d", e.Seq, e.ConversationID)
		}
	}
	got, err := s.ConversationByID(ctx, c.ID)
	noErr(t, "ConversationByID", err)
	if got.Code != c.Code {
		t.Errorf("ConversationByID = %q, want %q", got.Code, c.Code)
	}
	_, err = s.ConversationByID(ctx, c.ID+1000)
	wantErr(t, "ConversationByID of an unknown id", err, concierge.ErrNotFound)

	// AddMessage: message.created; conversation.updated too when the status changes.
	reply := message(concierge.MessageStaff, 2)
	reply.ConversationID = c.ID
	noErr(t, "AddMessage", concierge.NewConversations(s).AddMessage(ctx, &reply, concierge.ConversationOpen, at(2)))
	wantEqual(t, "AddMessage events", l.next(t, pid), []kindOf{{concierge.EventMessageCreated, c.ID, reply.ID}})
	noErr(t, "SetConversationStatus", concierge.NewConversations(s).SetStatus(ctx, c.Ref(), concierge.ConversationClosed, at(3)))
	wantEqual(t, "SetConversationStatus events", l.next(t, pid), []kindOf{{concierge.EventConversationUpdated, c.ID, 0}})
	again := message(concierge.MessageGuest, 4)
	again.ConversationID = c.ID
	noErr(t, "AddMessage reopening", concierge.NewConversations(s).AddMessage(ctx, &again, concierge.ConversationOpen, at(4)))
	wantEqual(t, "AddMessage reopening events", l.next(t, pid), []kindOf{
		{concierge.EventMessageCreated, c.ID, again.ID}, {concierge.EventConversationUpdated, c.ID, 0}})

	// MarkRead: message.read only when a message changed.
	n, err := concierge.NewConversations(s).MarkRead(ctx, c.Ref(), []concierge.MessageType{concierge.MessageStaff}, 0, at(5))
	noErr(t, "MarkRead", err)
	if n != 1 {
		t.Errorf("MarkRead changed %d, want 1", n)
	}
	wantEqual(t, "MarkRead events", l.next(t, pid), []kindOf{{concierge.EventMessageRead, c.ID, 0}})
	_, err = concierge.NewConversations(s).MarkRead(ctx, c.Ref(), []concierge.MessageType{concierge.MessageStaff}, 0, at(5))
	noErr(t, "MarkRead again", err)
	wantEqual(t, "MarkRead with nothing to read events", l.next(t, pid), []kindOf{})

	// Assignment and moves: conversation.updated.
	agent := concierge.StaffUser{Username: "ev-agent", DisplayName: "Ev Agent", PasswordHash: "x", Role: concierge.RoleAgent, CreatedAt: t0}
	noErr(t, "CreateStaffUser", concierge.NewCredentials(s, nil).CreateStaffUser(ctx, &agent, nil))
	noErr(t, "SetAssignee", concierge.NewConversations(s).Assign(ctx, c.Ref(), &agent.ID, at(6)))
	other := mustOutlet(t, s, pl.ServiceCenter, "SPA", 2)
	noErr(t, "SetOutlet", concierge.NewConversations(s).Move(ctx, c.Ref(), other.ID, true, at(7)))
	wantEqual(t, "SetAssignee and SetOutlet events", l.next(t, pid), []kindOf{
		{concierge.EventConversationUpdated, c.ID, 0}, {concierge.EventConversationUpdated, c.ID, 0}})

	// Orders.Save: message.created per System message, order.updated per linked conversation
	// of a status change; an insert appends nothing.
	orders := concierge.NewOrders(s, nil)
	saved, err := orders.Save(ctx, []concierge.Order{{PropertyID: pid, Code: code("ORD"), StayID: &st.ID,
		Status: concierge.OrderPending}}, t0)
	noErr(t, "Save insert", err)
	order := saved[0].Order
	wantEqual(t, "order insert events", l.next(t, pid), []kindOf{})
	linked := conversation(pl.Outlet, &st.ID, nil)
	linked.OrderID = &order.ID
	noErr(t, "CreateConversation linked", concierge.NewConversations(s).Create(ctx, &linked, nil))
	l.next(t, pid)
	changed := order
	changed.Status = concierge.OrderDelivering
	saved, err = orders.Save(ctx, []concierge.Order{changed}, at(8))
	noErr(t, "Save status change", err)
	if len(saved[0].Messages) != 1 {
		t.Fatalf("Save status change posted %+v", saved[0].Messages)
	}
	wantEqual(t, "order status change events", l.next(t, pid), []kindOf{
		{concierge.EventMessageCreated, linked.ID, saved[0].Messages[0].ID}, {concierge.EventOrderUpdated, linked.ID, 0}})

	// Writes that fail append nothing.
	lost := message(concierge.MessageGuest, 9)
	lost.ConversationID = linked.ID + c.ID + 1000
	wantErr(t, "AddMessage to an unknown conversation", concierge.NewConversations(s).AddMessage(ctx, &lost, concierge.ConversationOpen, at(9)), concierge.ErrNotFound)
	dup := conversation(pl.Outlet, &st.ID, nil)
	dup.Code = c.Code
	dupMsg := message(concierge.MessageGuest, 9)
	wantErr(t, "CreateConversation with a taken code", concierge.NewConversations(s).Create(ctx, &dup, &dupMsg), concierge.ErrConflict)
	stale := changed
	stale.Status = concierge.OrderCompleted
	noOrder := concierge.Order{PropertyID: pid + 1000, Code: code("ORD"), Status: concierge.OrderPending}
	if _, err := orders.Save(ctx, []concierge.Order{stale, noOrder}, at(9)); err == nil {
		t.Error("Save of an order of no property succeeded")
	}
	wantErr(t, "SetAssignee of an unknown conversation", concierge.NewConversations(s).Assign(ctx, concierge.ConversationRef{ID: lost.ConversationID}, nil, at(9)), concierge.ErrNotFound)
	wantEqual(t, "events of failed writes", l.next(t, pid), []kindOf{})

	// Paging, latest and oldest.
	latest, err := s.LatestEventSeq(ctx)
	noErr(t, "LatestEventSeq", err)
	if latest != l.after {
		t.Errorf("LatestEventSeq = %d, want %d", latest, l.after)
	}
	all, err := s.EventsAfter(ctx, 0, 0)
	noErr(t, "EventsAfter all", err)
	page, err := s.EventsAfter(ctx, all[1].Seq, 2)
	noErr(t, "EventsAfter page", err)
	if len(page) != 2 || page[0].Seq != all[2].Seq || page[1].Seq != all[3].Seq {
		t.Errorf("EventsAfter(%d, 2) = %+v, want events 3 and 4 of %+v", all[1].Seq, page, all)
	}
	if !all[0].CreatedAt.Equal(c.CreatedAt) {
		t.Errorf("first event created at %v, want %v", all[0].CreatedAt, c.CreatedAt)
	}

	// Pruning keeps the newer events, and the latest seq.
	pruned, err := s.PruneEvents(ctx, at(3))
	noErr(t, "PruneEvents", err)
	kept, err := s.EventsAfter(ctx, 0, 0)
	noErr(t, "EventsAfter after pruning", err)
	if pruned == 0 || pruned+len(kept) != len(all) {
		t.Errorf("PruneEvents removed %d of %d, %d kept", pruned, len(all), len(kept))
	}
	for _, e := range kept {
		if e.CreatedAt.Before(at(3)) {
			t.Errorf("event %d created at %v survived pruning before %v", e.Seq, e.CreatedAt, at(3))
		}
	}
	oldest, err := s.OldestEventSeq(ctx)
	noErr(t, "OldestEventSeq", err)
	if oldest != kept[0].Seq {
		t.Errorf("OldestEventSeq = %d, want %d", oldest, kept[0].Seq)
	}
	_, err = s.PruneEvents(ctx, at(1000))
	noErr(t, "PruneEvents all", err)
	if n, _ := s.LatestEventSeq(ctx); n != latest {
		t.Errorf("LatestEventSeq after pruning everything = %d, want %d", n, latest)
	}
	if n, _ := s.OldestEventSeq(ctx); n != 0 {
		t.Errorf("OldestEventSeq of an empty log = %d, want 0", n)
	}
	next := message(concierge.MessageGuest, 1001)
	next.ConversationID = c.ID
	noErr(t, "AddMessage after pruning", concierge.NewConversations(s).AddMessage(ctx, &next, concierge.ConversationOpen, at(1001)))
	if evs := l.next(t, pid); len(evs) != 1 {
		t.Errorf("events after pruning everything: %+v", evs)
	}
	if l.after <= latest {
		t.Errorf("seq after pruning everything = %d, want above %d", l.after, latest)
	}
}
