package storetest

import (
	"encoding/json"
	"testing"

	"concierge/internal/concierge"
)

func testConversations(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	pl := mustPlace(t, s, "P1")
	st := mustStay(t, s, pl.Property.ID, "101", "2025-01-10", "2025-01-20")
	g := mustGuest(t, s, pl.Property.ID, "device-1")
	order := concierge.Order{PropertyID: pl.Property.ID, Code: "ORD-1", StayID: &st.ID, Status: concierge.OrderPending, UpdatedAt: t0}
	noErr(t, "CreateOrder", s.CreateOrder(ctx, &order))
	agent := concierge.StaffUser{Username: "agent", DisplayName: "Agent Smith", PasswordHash: "x", Role: concierge.RoleAgent, CreatedAt: t0}
	noErr(t, "CreateStaffUser", concierge.NewCredentials(s, nil).CreateStaffUser(ctx, &agent, nil))
	owner := concierge.Owner{PropertyID: pl.Property.ID, StayID: &st.ID}

	// Every optional field set, no first message.
	full := conversation(pl.Outlet, &st.ID, &g.ID)
	full.OrderID, full.AssigneeID = &order.ID, &agent.ID
	full.Subject = "Outlet FRONTDESK – Order ORD-1 ✓"
	full.Type = "guest"
	full.GuestFirstName, full.GuestLastName = "Zoë", "Ñúñez"
	full.OrderForm = json.RawMessage(`{"firstName": "Zoë", "items": [1, 2, {"x": null}], "note": "sin gluten ✓"}`)
	full.UpdatedAt = at(1)
	noErr(t, "CreateConversation without a message", concierge.NewConversations(s).Create(ctx, &full, nil))
	if full.ID <= 0 {
		t.Fatalf("CreateConversation set ID %d", full.ID)
	}
	msgs, total, err := s.GuestMessages(ctx, owner, concierge.Page{})
	noErr(t, "GuestMessages", err)
	if total != 0 || len(msgs) != 0 {
		t.Errorf("GuestMessages of an empty conversation = %d, %+v", total, msgs)
	}

	// A first message: sequence 1, linked to the conversation, every field kept.
	plain := conversation(pl.Outlet, &st.ID, nil)
	first := message(concierge.MessageGuest, 2)
	first.AuthorFirstName, first.AuthorLastName = "Zoë", "Ñúñez"
	first.Content = "Hola 👋 ¿me traen toallas? 你好\nline two\t«quoted»"
	noErr(t, "CreateConversation with a message", concierge.NewConversations(s).Create(ctx, &plain, &first))
	if plain.ID <= 0 || plain.ID == full.ID {
		t.Fatalf("CreateConversation set ID %d (other conversation %d)", plain.ID, full.ID)
	}
	if first.ID == 0 || first.ConversationID != plain.ID || first.Seq != 1 {
		t.Fatalf("first message ID %d, ConversationID %d (want %d), Seq %d (want 1)",
			first.ID, first.ConversationID, plain.ID, first.Seq)
	}

	// A staff first message with a staff user and a read time.
	staffed := conversation(pl.Outlet, &st.ID, nil)
	reply := message(concierge.MessageStaff, 3)
	reply.StaffUserID = &agent.ID
	reply.AuthorFirstName, reply.AuthorLastName = "Agent", "Smith"
	reply.ReadAt = new(at(4))
	noErr(t, "CreateConversation with a staff message", concierge.NewConversations(s).Create(ctx, &staffed, &reply))
	if reply.Seq != 1 || reply.ConversationID != staffed.ID || reply.ID == first.ID {
		t.Fatalf("staff message %+v", reply)
	}

	msgs, total, err = s.GuestMessages(ctx, owner, concierge.Page{})
	noErr(t, "GuestMessages", err)
	want := []concierge.GuestMessage{
		{Message: first, ConversationCode: plain.Code, ServiceCenterName: pl.ServiceCenter.Name},
		{Message: reply, ConversationCode: staffed.Code, ServiceCenterName: pl.ServiceCenter.Name},
	}
	if total != 2 {
		t.Errorf("GuestMessages total = %d, want 2", total)
	}
	wantEqual(t, "GuestMessages", msgs, want)
}

func testConversationAtomicity(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	pl := mustPlace(t, s, "P1")
	st := mustStay(t, s, pl.Property.ID, "101", "2025-01-10", "2025-01-20")
	owner := concierge.Owner{PropertyID: pl.Property.ID, StayID: &st.ID}

	c := conversation(pl.Outlet, &st.ID, nil)
	m := message(concierge.MessageGuest, 1)
	noErr(t, "CreateConversation", concierge.NewConversations(s).Create(ctx, &c, &m))

	// A taken conversation code.
	dup := conversation(pl.Outlet, &st.ID, nil)
	dup.Code = c.Code
	dm := message(concierge.MessageGuest, 2)
	wantErr(t, "CreateConversation with a taken code", concierge.NewConversations(s).Create(ctx, &dup, &dm), concierge.ErrConflict)
	if dup.ID != 0 || dm.ID != 0 {
		t.Errorf("a failed CreateConversation set ids %d, %d", dup.ID, dm.ID)
	}

	// A taken message code: the conversation is not stored either.
	fresh := conversation(pl.Outlet, &st.ID, nil)
	taken := message(concierge.MessageGuest, 3)
	taken.Code = m.Code
	wantErr(t, "CreateConversation with a taken message code", concierge.NewConversations(s).Create(ctx, &fresh, &taken), concierge.ErrConflict)
	retry := conversation(pl.Outlet, &st.ID, nil)
	retry.Code = fresh.Code
	noErr(t, "CreateConversation with the code of a failed one", concierge.NewConversations(s).Create(ctx, &retry, nil))

	msgs, total, err := s.GuestMessages(ctx, owner, concierge.Page{})
	noErr(t, "GuestMessages", err)
	wantEqual(t, "GuestMessages after failed creations",
		msgs, []concierge.GuestMessage{{Message: m, ConversationCode: c.Code, ServiceCenterName: pl.ServiceCenter.Name}})
	if total != 1 {
		t.Errorf("total = %d, want 1", total)
	}
}
