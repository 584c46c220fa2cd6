package storetest

import (
	"testing"
	"time"

	"concierge/internal/concierge"
)

// testGuestConversations checks a guest's conversation list: its owners, order, status
// filter, paging and total, the unread Staff and System messages, and the last message's time
// (Notes left out, sequence order deciding when a later message carries an earlier time).
func testGuestConversations(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	p := mustPlace(t, s, "GC")
	stayA := mustStay(t, s, p.Property.ID, "101", "2025-01-10", "2025-01-15")
	stayB := mustStay(t, s, p.Property.ID, "102", "2025-01-10", "2025-01-15")
	guestG := mustGuest(t, s, p.Property.ID, "device-G")
	create := func(stay, guest *int64, updated time.Time, first *concierge.Message) concierge.Conversation {
		t.Helper()
		c := conversation(p.Outlet, stay, guest)
		c.UpdatedAt = updated
		noErr(t, "CreateConversation", concierge.NewConversations(s).Create(ctx, &c, first))
		return c
	}
	add := func(c concierge.Conversation, typ concierge.MessageType, created, at time.Time) {
		t.Helper()
		m := message(typ, 0)
		m.ConversationID, m.CreatedAt = c.ID, created
		noErr(t, "AddMessage", concierge.NewConversations(s).AddMessage(ctx, &m, concierge.ConversationOpen, at))
	}
	first := message(concierge.MessageGuest, 1)
	c1 := create(&stayA.ID, nil, t0, &first)
	add(c1, concierge.MessageStaff, at(2), at(2))
	add(c1, concierge.MessageNote, at(5), at(5)) // a note: not the guest's last message
	c2 := create(&stayA.ID, nil, t0, nil)
	noErr(t, "SetConversationStatus", concierge.NewConversations(s).SetStatus(ctx, c2.Ref(), concierge.ConversationClosed, at(6)))
	third := message(concierge.MessageGuest, 4)
	c3 := create(nil, &guestG.ID, at(4), &third)
	other := message(concierge.MessageGuest, 7)
	c4 := create(&stayB.ID, nil, at(7), &other)

	type row struct {
		Code   string
		Unread int
		Last   time.Time
	}
	list := func(what string, owner concierge.Owner, status concierge.ConversationStatus, page concierge.Page, wantTotal int, want ...row) {
		t.Helper()
		got, total, err := s.GuestConversations(ctx, owner, status, page)
		noErr(t, "GuestConversations "+what, err)
		rows := []row{}
		for _, c := range got {
			rows = append(rows, row{c.Code, c.UnreadCount, c.LastMessageAt})
		}
		if want == nil {
			want = []row{}
		}
		wantEqual(t, "GuestConversations "+what, rows, want)
		if total != wantTotal {
			t.Errorf("GuestConversations %s: total %d, want %d", what, total, wantTotal)
		}
	}
	ag := concierge.Owner{PropertyID: p.Property.ID, StayID: &stayA.ID, GuestID: &guestG.ID}
	r1, r2, r3 := row{c1.Code, 1, at(2)}, row{c2.Code, 0, time.Time{}}, row{c3.Code, 0, at(4)}
	list("of stay A and guest G", ag, "", concierge.Page{}, 3, r2, r1, r3)
	list("open", ag, concierge.ConversationOpen, concierge.Page{}, 2, r1, r3)
	list("closed", ag, concierge.ConversationClosed, concierge.Page{}, 1, r2)
	list("second page of one", ag, "", concierge.Page{Offset: 1, Limit: 1}, 3, r1)
	list("of stay B", concierge.Owner{PropertyID: p.Property.ID, StayID: &stayB.ID}, "", concierge.Page{}, 1, row{c4.Code, 0, at(7)})
	list("of nobody", concierge.Owner{PropertyID: p.Property.ID}, "", concierge.Page{}, 0)

	// A message written last with an earlier time (clocks of two nodes, say) is the last one:
	// sequence order decides, as for the inbox's last message.
	add(c1, concierge.MessageGuest, at(2).Add(-30*time.Second), at(8))
	r1.Last = at(2).Add(-30 * time.Second)
	list("after a late message with an earlier time", ag, "", concierge.Page{}, 3, r1, r2, r3)
	_, err := concierge.NewConversations(s).MarkRead(ctx, c1.Ref(), []concierge.MessageType{concierge.MessageStaff, concierge.MessageSystem}, 0, at(9))
	noErr(t, "MarkRead", err)
	r1.Unread = 0
	list("after reading", ag, "", concierge.Page{}, 3, r1, r2, r3)
}
