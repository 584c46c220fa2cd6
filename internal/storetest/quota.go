package storetest

import (
	"testing"

	"concierge/internal/concierge"
)

// testGuestUsage counts a non-verified guest's conversations and Guest messages in a window,
// and one conversation's Guest messages; other guests', Staff messages and older ones do not
// count.
func testGuestUsage(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	pl := mustPlace(t, s, code("QU"))
	g := mustGuest(t, s, pl.Property.ID, code("guest"))
	other := mustGuest(t, s, pl.Property.ID, code("guest"))

	u, err := s.GuestUsage(ctx, g.ID, t0, 0)
	noErr(t, "GuestUsage of a new guest", err)
	wantEqual(t, "usage of a new guest", u, concierge.GuestUsage{})

	old := conversation(pl.Outlet, nil, &g.ID) // created at t0, before the window
	m0 := message(concierge.MessageGuest, 0)
	noErr(t, "CreateConversation", concierge.NewConversations(s).Create(ctx, &old, &m0))
	c := conversation(pl.Outlet, nil, &g.ID)
	c.CreatedAt, c.UpdatedAt = at(10), at(10)
	m1 := message(concierge.MessageGuest, 10)
	noErr(t, "CreateConversation", concierge.NewConversations(s).Create(ctx, &c, &m1))
	for i, typ := range []concierge.MessageType{concierge.MessageGuest, concierge.MessageStaff, concierge.MessageGuest} {
		m := message(typ, 11+i)
		m.ConversationID = c.ID
		noErr(t, "AddMessage", concierge.NewConversations(s).AddMessage(ctx, &m, concierge.ConversationOpen, at(11+i)))
	}
	m := message(concierge.MessageGuest, 20) // a new message in the old conversation counts for the day
	m.ConversationID = old.ID
	noErr(t, "AddMessage", concierge.NewConversations(s).AddMessage(ctx, &m, concierge.ConversationOpen, at(20)))
	oc := conversation(pl.Outlet, nil, &other.ID)
	oc.CreatedAt = at(10)
	om := message(concierge.MessageGuest, 10)
	noErr(t, "CreateConversation", concierge.NewConversations(s).Create(ctx, &oc, &om))

	u, err = s.GuestUsage(ctx, g.ID, at(5), c.ID)
	noErr(t, "GuestUsage", err)
	wantEqual(t, "usage", u, concierge.GuestUsage{ConversationsSince: 1, FirstConversationAt: at(10),
		MessagesSince: 4, FirstMessageAt: at(10), MessagesInConversation: 3})
	u, err = s.GuestUsage(ctx, g.ID, at(5), old.ID)
	noErr(t, "GuestUsage", err)
	wantEqual(t, "messages of the old conversation", u.MessagesInConversation, 2)
}
