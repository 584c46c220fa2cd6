package storetest

import (
	"strings"
	"testing"
	"time"

	"concierge/internal/concierge"
)

// inboxWorld is a set of conversations at two properties for the inbox tests.
type inboxWorld struct {
	p, q     place
	spa      concierge.ServiceCenter
	spaOut   concierge.Outlet
	stay     concierge.Stay
	agent    concierge.StaffUser
	byName   map[string]concierge.Conversation
	messages map[string][]concierge.Message
}

// buildInboxWorld creates, in this order (so with increasing updated times, minute i):
//
//	c1 at p FRONTDESK: a Guest message "¿Hay más toallas?" (unread)
//	c2 at p SPA:       a Guest message "Massage at five" (read), a Note "VIP guest"
//	c3 at p FRONTDESK: no message, closed, assigned to the agent
//	c4 at q FRONTDESK: a Guest message "Toallas por favor" (unread), twice
func buildInboxWorld(t *testing.T, s concierge.Store) *inboxWorld {
	t.Helper()
	ctx := t.Context()
	w := &inboxWorld{byName: map[string]concierge.Conversation{}, messages: map[string][]concierge.Message{}}
	w.p = mustPlace(t, s, code("IP"))
	w.q = mustPlace(t, s, code("IQ"))
	w.spa = mustServiceCenter(t, s, w.p.Property.ID, "SPA", "Spa")
	w.spaOut = mustOutlet(t, s, w.spa, "SPA", 2)
	w.stay = mustStay(t, s, w.p.Property.ID, "101", "2025-01-10", "2025-01-20")
	w.agent = concierge.StaffUser{Username: code("agent"), DisplayName: "Front Agent", PasswordHash: "x",
		Role: concierge.RoleAgent, ServiceCenterIDs: []int64{w.p.ServiceCenter.ID}, CreatedAt: t0}
	noErr(t, "CreateStaffUser", concierge.NewCredentials(s, nil).CreateStaffUser(ctx, &w.agent, nil))

	conv := func(name string, o concierge.Outlet, minute int, msgs ...concierge.Message) {
		t.Helper()
		c := conversation(o, &w.stay.ID, nil)
		if o.PropertyID != w.p.Property.ID {
			c.StayID = nil
		}
		c.CreatedAt, c.UpdatedAt = at(minute), at(minute)
		var first *concierge.Message
		if len(msgs) > 0 {
			first = &msgs[0]
		}
		noErr(t, "CreateConversation", concierge.NewConversations(s).Create(ctx, &c, first))
		for i := range msgs {
			if i > 0 {
				msgs[i].ConversationID = c.ID
				noErr(t, "AddMessage", concierge.NewConversations(s).AddMessage(ctx, &msgs[i], c.Status, at(minute)))
			}
		}
		w.byName[name] = c
		w.messages[name] = msgs
	}
	text := func(typ concierge.MessageType, minute int, content string) concierge.Message {
		m := message(typ, minute)
		m.Content = content
		return m
	}
	conv("c1", w.p.Outlet, 1, text(concierge.MessageGuest, 1, "¿Hay más toallas?"))
	conv("c2", w.spaOut, 2, text(concierge.MessageGuest, 2, "Massage at five"), text(concierge.MessageNote, 2, "VIP guest"))
	_, err := concierge.NewConversations(s).MarkRead(ctx, w.byName["c2"].Ref(), []concierge.MessageType{concierge.MessageGuest}, 0, at(2))
	noErr(t, "MarkRead", err)
	conv("c3", w.p.Outlet, 3)
	noErr(t, "SetConversationStatus", concierge.NewConversations(s).SetStatus(ctx, w.byName["c3"].Ref(), concierge.ConversationClosed, at(3)))
	noErr(t, "SetAssignee", concierge.NewConversations(s).Assign(ctx, w.byName["c3"].Ref(), &w.agent.ID, at(3)))
	conv("c4", w.q.Outlet, 4, text(concierge.MessageGuest, 4, "Toallas por favor"), text(concierge.MessageGuest, 4, "Toallas por favor"))
	return w
}

// inboxCodes lists the conversations' names in w, in the order of items.
func (w *inboxWorld) names(items []concierge.InboxItem) []string {
	out := []string{}
	for _, it := range items {
		for name, c := range w.byName {
			if c.ID == it.ID {
				out = append(out, name)
			}
		}
	}
	return out
}

func testInboxFilters(t *testing.T, s concierge.Store) {
	w := buildInboxWorld(t, s)
	all := concierge.InboxScope{All: true}
	yes, no := true, false
	cases := []struct {
		what string
		q    concierge.InboxQuery
		want []string
	}{
		{"admin", concierge.InboxQuery{Scope: all}, []string{"c4", "c3", "c2", "c1"}},
		{"nobody", concierge.InboxQuery{}, []string{}},
		{"property p", concierge.InboxQuery{Scope: concierge.InboxScope{PropertyIDs: []int64{w.p.Property.ID}}}, []string{"c3", "c2", "c1"}},
		{"service center FO of p", concierge.InboxQuery{Scope: concierge.InboxScope{ServiceCenterIDs: []int64{w.p.ServiceCenter.ID}}}, []string{"c3", "c1"}},
		{"property q or SPA", concierge.InboxQuery{Scope: concierge.InboxScope{PropertyIDs: []int64{w.q.Property.ID}, ServiceCenterIDs: []int64{w.spa.ID}}}, []string{"c4", "c2"}},
		{"property code, any case", concierge.InboxQuery{Scope: all, PropertyCode: w.q.Property.Code}, []string{"c4"}},
		{"service center code", concierge.InboxQuery{Scope: all, ServiceCenterCode: "spa"}, []string{"c2"}},
		{"outlet code", concierge.InboxQuery{Scope: all, OutletCode: "frontdesk"}, []string{"c4", "c3", "c1"}},
		{"unknown code", concierge.InboxQuery{Scope: all, OutletCode: "NOPE"}, []string{}},
		{"closed", concierge.InboxQuery{Scope: all, Status: concierge.ConversationClosed}, []string{"c3"}},
		{"open", concierge.InboxQuery{Scope: all, Status: concierge.ConversationOpen}, []string{"c4", "c2", "c1"}},
		{"unassigned", concierge.InboxQuery{Scope: all, Assignee: concierge.AssigneeNobody}, []string{"c4", "c2", "c1"}},
		{"assigned to the agent", concierge.InboxQuery{Scope: all, Assignee: concierge.AssigneeUser, AssigneeID: w.agent.ID}, []string{"c3"}},
		{"unread", concierge.InboxQuery{Scope: all, Unread: &yes}, []string{"c4", "c1"}},
		{"read", concierge.InboxQuery{Scope: all, Unread: &no}, []string{"c3", "c2"}},
		{"search, accents and case ignored", concierge.InboxQuery{Scope: all, Terms: []string{"mas", "toallas"}}, []string{"c1"}},
		{"search by prefix", concierge.InboxQuery{Scope: all, Terms: []string{"toal"}}, []string{"c4", "c1"}},
		{"search finds notes", concierge.InboxQuery{Scope: all, Terms: []string{"vip"}}, []string{"c2"}},
		{"search: every term", concierge.InboxQuery{Scope: all, Terms: []string{"toallas", "five"}}, []string{}},
		{"search with quotes", concierge.InboxQuery{Scope: all, Terms: []string{`"`, `a"b`}}, []string{}},
		{"limit", concierge.InboxQuery{Scope: all, Limit: 2}, []string{"c4", "c3"}},
		{"after", concierge.InboxQuery{Scope: all, After: &concierge.InboxPosition{UpdatedAt: at(3), ID: w.byName["c3"].ID}}, []string{"c2", "c1"}},
		{"filters combine", concierge.InboxQuery{Scope: all, PropertyCode: w.p.Property.Code, Unread: &yes, Terms: []string{"toallas"}}, []string{"c1"}},
	}
	for _, c := range cases {
		items, err := s.Inbox(t.Context(), c.q)
		noErr(t, "Inbox "+c.what, err)
		wantEqual(t, "Inbox "+c.what, w.names(items), c.want)
	}

	items, err := s.Inbox(t.Context(), concierge.InboxQuery{Scope: all})
	noErr(t, "Inbox", err)
	byName := map[string]concierge.InboxItem{}
	for i, name := range w.names(items) {
		byName[name] = items[i]
	}
	c1 := byName["c1"]
	wantEqual(t, "c1 conversation", c1.Conversation, w.byName["c1"])
	wantEqual(t, "c1 extras", []any{c1.PropertyCode, c1.OutletCode, c1.ServiceCenterID, c1.ServiceCenterCode, c1.RoomNumber, c1.AssigneeUsername, c1.AssigneeName, c1.UnreadCount},
		[]any{w.p.Property.Code, "FRONTDESK", w.p.ServiceCenter.ID, "FO", "101", "", "", 1})
	wantEqual(t, "c1 last message", c1.LastMessageAt, at(1))
	wantEqual(t, "c2 counts", []any{byName["c2"].UnreadCount, byName["c2"].ServiceCenterCode}, []any{0, "SPA"})
	wantEqual(t, "c3", []any{byName["c3"].AssigneeUsername, byName["c3"].AssigneeName, byName["c3"].LastMessageAt.IsZero(), byName["c3"].Status},
		[]any{w.agent.Username, w.agent.DisplayName, true, concierge.ConversationClosed})
	wantEqual(t, "c4", []any{byName["c4"].UnreadCount, byName["c4"].RoomNumber}, []any{2, ""})
	wantEqual(t, "c1 outlet name", c1.OutletName, w.p.Outlet.Name)

	// The last message: the highest seq, Notes included, whole.
	lastOf := func(m concierge.Message) *concierge.InboxMessage {
		return &concierge.InboxMessage{Code: m.Code, Type: m.Type, Content: m.Content, Language: m.Language,
			CreatedAt: m.CreatedAt, AuthorFirstName: m.AuthorFirstName, AuthorLastName: m.AuthorLastName}
	}
	wantEqual(t, "c1 last message", c1.LastMessage, lastOf(w.messages["c1"][0]))
	wantEqual(t, "c2 last message: the Note", byName["c2"].LastMessage, lastOf(w.messages["c2"][1]))
	wantEqual(t, "c3 without messages", byName["c3"].LastMessage, (*concierge.InboxMessage)(nil))
	// c4's two messages share their time and content: the second (by seq) is the last.
	wantEqual(t, "c4 last message", byName["c4"].LastMessage, lastOf(w.messages["c4"][1]))
}

func testInboxPaging(t *testing.T, s concierge.Store) {
	p := mustPlace(t, s, code("PG"))
	var want []int64
	// Ten conversations, pairs sharing an updated time: the id breaks ties.
	for i := range 10 {
		c := conversation(p.Outlet, nil, nil)
		c.UpdatedAt = at(i / 2)
		noErr(t, "CreateConversation", concierge.NewConversations(s).Create(t.Context(), &c, nil))
		want = append([]int64{c.ID}, want...)
	}
	scope := concierge.InboxScope{PropertyIDs: []int64{p.Property.ID}}
	var got []int64
	var after *concierge.InboxPosition
	for range 10 {
		items, err := s.Inbox(t.Context(), concierge.InboxQuery{Scope: scope, After: after, Limit: 3})
		noErr(t, "Inbox", err)
		for _, it := range items {
			got = append(got, it.ID)
		}
		if len(items) < 3 {
			break
		}
		last := items[len(items)-1]
		after = &concierge.InboxPosition{UpdatedAt: last.UpdatedAt, ID: last.ID}
	}
	wantEqual(t, "paged ids", got, want)
}

func testInboxCounts(t *testing.T, s concierge.Store) {
	w := buildInboxWorld(t, s)
	counts, err := s.InboxCounts(t.Context(), concierge.InboxScope{PropertyIDs: []int64{w.p.Property.ID}, ServiceCenterIDs: []int64{w.q.ServiceCenter.ID}})
	noErr(t, "InboxCounts", err)
	type row struct {
		Property, Code, Name string
		Unread, Convs, Open  int
	}
	var got []row
	for _, c := range counts {
		got = append(got, row{c.PropertyCode, c.Code, c.Name, c.UnreadMessages, c.UnreadConversations, c.Open})
	}
	wantEqual(t, "InboxCounts", got, []row{
		{w.p.Property.Code, "FO", w.p.ServiceCenter.Name, 1, 1, 1},
		{w.p.Property.Code, "SPA", "Spa", 0, 0, 1},
		{w.q.Property.Code, "FO", w.q.ServiceCenter.Name, 2, 1, 1},
	})
	none, err := s.InboxCounts(t.Context(), concierge.InboxScope{})
	noErr(t, "InboxCounts of nothing", err)
	wantEqual(t, "InboxCounts of nothing", none, nil)
	every, err := s.InboxCounts(t.Context(), concierge.InboxScope{All: true})
	noErr(t, "InboxCounts of all", err)
	if len(every) < 3 {
		t.Errorf("InboxCounts of all: %d service centers, want at least 3", len(every))
	}
	if len(every) > 0 && counts[0].ServiceCenter != w.p.ServiceCenter {
		t.Errorf("InboxCounts service center %+v, want %+v", counts[0].ServiceCenter, w.p.ServiceCenter)
	}
}

func testInboxWrites(t *testing.T, s concierge.Store) {
	w := buildInboxWorld(t, s)
	ctx := t.Context()
	c1 := w.byName["c1"]
	noErr(t, "SetAssignee", concierge.NewConversations(s).Assign(ctx, c1.Ref(), &w.agent.ID, at(10)))
	got, err := s.ConversationByCode(ctx, c1.Code)
	noErr(t, "ConversationByCode", err)
	if got.AssigneeID == nil || *got.AssigneeID != w.agent.ID || !got.UpdatedAt.Equal(at(10)) {
		t.Errorf("after SetAssignee: assignee %v, updated %v", got.AssigneeID, got.UpdatedAt)
	}
	noErr(t, "SetOutlet keeping the assignee", concierge.NewConversations(s).Move(ctx, c1.Ref(), w.spaOut.ID, false, at(11)))
	got, err = s.ConversationByCode(ctx, c1.Code)
	noErr(t, "ConversationByCode", err)
	if got.OutletID != w.spaOut.ID || got.AssigneeID == nil || !got.UpdatedAt.Equal(at(11)) {
		t.Errorf("after SetOutlet: outlet %d assignee %v updated %v", got.OutletID, got.AssigneeID, got.UpdatedAt)
	}
	items, err := s.Inbox(ctx, concierge.InboxQuery{Scope: concierge.InboxScope{All: true}, ServiceCenterCode: "SPA"})
	noErr(t, "Inbox", err)
	wantEqual(t, "the moved conversation is the new service center's", w.names(items), []string{"c1", "c2"})
	noErr(t, "SetOutlet clearing the assignee", concierge.NewConversations(s).Move(ctx, c1.Ref(), w.p.Outlet.ID, true, at(12)))
	got, err = s.ConversationByCode(ctx, c1.Code)
	noErr(t, "ConversationByCode", err)
	if got.OutletID != w.p.Outlet.ID || got.AssigneeID != nil {
		t.Errorf("after SetOutlet clearing: outlet %d assignee %v", got.OutletID, got.AssigneeID)
	}
	noErr(t, "SetAssignee nil", concierge.NewConversations(s).Assign(ctx, w.byName["c3"].Ref(), nil, at(13)))
	got, err = s.ConversationByCode(ctx, w.byName["c3"].Code)
	noErr(t, "ConversationByCode", err)
	if got.AssigneeID != nil {
		t.Errorf("after clearing: assignee %v", got.AssigneeID)
	}
	wantErr(t, "SetAssignee of an unknown conversation", concierge.NewConversations(s).Assign(ctx, concierge.ConversationRef{ID: -1}, nil, at(1)), concierge.ErrNotFound)
	wantErr(t, "SetOutlet of an unknown conversation", concierge.NewConversations(s).Move(ctx, concierge.ConversationRef{ID: -1}, w.p.Outlet.ID, false, at(1)), concierge.ErrNotFound)

	// A message added later is searchable at once.
	m := message(concierge.MessageStaff, 20)
	m.ConversationID, m.Content = w.byName["c3"].ID, "Zanahoria fresca"
	noErr(t, "AddMessage", concierge.NewConversations(s).AddMessage(ctx, &m, concierge.ConversationOpen, at(20)))
	items, err = s.Inbox(ctx, concierge.InboxQuery{Scope: concierge.InboxScope{All: true}, Terms: []string{"zanahoria"}})
	noErr(t, "Inbox search", err)
	wantEqual(t, "search finds a new message", w.names(items), []string{"c3"})
	testInboxLastMessage(t, s, w)
}

// testInboxLastMessage checks the inbox's last message after a staff reply, then a note, then
// a guest message longer than the inbox preview: the store gives each whole, with the staff
// author's username for replies and notes only.
func testInboxLastMessage(t *testing.T, s concierge.Store, w *inboxWorld) {
	ctx := t.Context()
	c1 := w.byName["c1"]
	last := func(what string) *concierge.InboxMessage {
		t.Helper()
		items, err := s.Inbox(ctx, concierge.InboxQuery{Scope: concierge.InboxScope{All: true}, Limit: 1})
		noErr(t, "Inbox "+what, err)
		if len(items) != 1 || items[0].ID != c1.ID {
			t.Fatalf("Inbox %s: %v, want c1 first", what, w.names(items))
		}
		if lm := items[0].LastMessage; lm == nil || !items[0].LastMessageAt.Equal(lm.CreatedAt) {
			t.Errorf("Inbox %s: LastMessageAt %v, want the last message's time (%+v)", what, items[0].LastMessageAt, lm)
		}
		return items[0].LastMessage
	}
	addAt := func(typ concierge.MessageType, minute int, content string, author *int64, updated time.Time) concierge.Message {
		t.Helper()
		m := message(typ, minute)
		m.ConversationID, m.Content, m.StaffUserID = c1.ID, content, author
		m.AuthorFirstName, m.AuthorLastName = "Front", "Agent"
		noErr(t, "AddMessage", concierge.NewConversations(s).AddMessage(ctx, &m, concierge.ConversationOpen, updated))
		return m
	}
	add := func(typ concierge.MessageType, minute int, content string, author *int64) concierge.Message {
		t.Helper()
		return addAt(typ, minute, content, author, at(minute))
	}
	reply := add(concierge.MessageStaff, 30, "Claro, ahora mismo", &w.agent.ID)
	wantEqual(t, "after a reply", last("after a reply"), &concierge.InboxMessage{Code: reply.Code,
		Type: concierge.MessageStaff, Content: "Claro, ahora mismo", Language: "es", CreatedAt: at(30),
		AuthorFirstName: "Front", AuthorLastName: "Agent", AuthorUsername: w.agent.Username})
	note := add(concierge.MessageNote, 31, "Sent two towels", &w.agent.ID)
	wantEqual(t, "after a note", last("after a note"), &concierge.InboxMessage{Code: note.Code,
		Type: concierge.MessageNote, Content: "Sent two towels", Language: "es", CreatedAt: at(31),
		AuthorFirstName: "Front", AuthorLastName: "Agent", AuthorUsername: w.agent.Username})
	long := strings.Repeat("ñ", concierge.InboxPreviewLength+50)
	guest := add(concierge.MessageGuest, 32, long, nil)
	wantEqual(t, "after a long guest message (whole: the service shortens it)", last("after a long message"),
		&concierge.InboxMessage{Code: guest.Code, Type: concierge.MessageGuest, Content: long, Language: "es",
			CreatedAt: at(32), AuthorFirstName: "Front", AuthorLastName: "Agent"})
	// Written last with an earlier time (another node's clock, say): sequence order decides.
	late := addAt(concierge.MessageGuest, 25, "¿Y el desayuno?", nil, at(33))
	wantEqual(t, "after a late message with an earlier time", last("after a late message"),
		&concierge.InboxMessage{Code: late.Code, Type: concierge.MessageGuest, Content: "¿Y el desayuno?", Language: "es",
			CreatedAt: at(25), AuthorFirstName: "Front", AuthorLastName: "Agent"})
}

// testInbox runs the inbox tests, each on a fresh world in the same store.
func testInbox(t *testing.T, s concierge.Store) {
	t.Run("Filters", func(t *testing.T) { testInboxFilters(t, s) })
	t.Run("Paging", func(t *testing.T) { testInboxPaging(t, s) })
	t.Run("Counts", func(t *testing.T) { testInboxCounts(t, s) })
	t.Run("Writes", func(t *testing.T) { testInboxWrites(t, s) })
}
