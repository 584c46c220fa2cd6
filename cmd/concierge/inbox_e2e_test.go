package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"concierge/api"
	"concierge/client"
	"concierge/internal/concierge"
	"concierge/internal/password"
)

// The staff inbox and conversation routes (SPEC §5 "inbox", "conversation", "act").

const pathConversations = "/api/v1/conversations"

func staffConvPath(code, suffix string) string { return pathConversations + "/" + code + suffix }

// staffGet sends an authenticated GET.
func (s *server) staffGet(t testing.TB, token, path string) response {
	t.Helper()
	return s.do(t, http.MethodGet, path, nil, bearer(token))
}

// staffPost sends v as JSON with a bearer token (no body when v is nil).
func (s *server) staffPost(t testing.TB, token, path string, v any) response {
	t.Helper()
	var b []byte
	if v != nil {
		var err error
		if b, err = json.Marshal(v); err != nil {
			t.Fatal(err)
		}
	}
	return s.do(t, http.MethodPost, path, b, bearer(token))
}

// wantOK fails unless the answer has the status.
func (r response) wantOK(t testing.TB, status int) map[string]any {
	t.Helper()
	if r.Status != status {
		t.Fatalf("HTTP %d, want %d: %s", r.Status, status, r.Raw)
	}
	return r.Body
}

// guestConversation opens a conversation as a verified demo guest and returns its code.
func (s *server) guestConversation(t testing.TB, token, outlet, message string, extra map[string]any) string {
	t.Helper()
	body := map[string]any{"SessionToken": token, "OutletCode": outlet, "Message": message, "ConversationType": "guest"}
	for k, v := range extra {
		body[k] = v
	}
	conv := s.post(t, pathCreate, body).content(t, "createConversationResponse")["conversation"].(map[string]any)
	return conv["code"].(string)
}

// inboxDemo is the demo server with four conversations, created a minute apart (so the inbox
// lists them newest first): Ana's at the front desk, John's at room service about ORD-1002,
// Lena's at the spa, and a non-verified web visitor's at the front desk.
type inboxDemo struct {
	s                  *server
	ana, john, lena    string // guest session tokens
	visitor            string
	cAna, cJohn, cLena string
	cVisitor           string
	admin, fo, rs      string // staff tokens
	// The same guests and staff as clients.
	gAna, gJohn, gLena, gVisitor *guestAPI
	sAdmin, sFO, sRS             *staffAPI
}

func newInboxDemo(t *testing.T) *inboxDemo {
	t.Helper()
	return newInboxDemoOn(t, serverOptions{demo: true})
}

// newInboxDemoOn is newInboxDemo on a server started with opts (demo among them).
func newInboxDemoOn(t *testing.T, opts serverOptions) *inboxDemo {
	t.Helper()
	s := startServer(t, opts)
	ctx := t.Context()
	d := &inboxDemo{s: s}
	d.gAna, d.gJohn, d.gLena = s.guestAt(t, "101", "Garcia"), s.guestAt(t, "102", "Smith"), s.guestAt(t, "103", "Müller")
	d.ana, d.john, d.lena = d.gAna.Token(), d.gJohn.Token(), d.gLena.Token()
	open := func(g *guestAPI, req api.GuestCreateConversationRequest) string {
		t.Helper()
		req.ConversationType = "guest"
		return need(g.CreateConversation(ctx, req, ""))(t).Code
	}
	d.cAna = open(d.gAna, api.GuestCreateConversationRequest{OutletCode: "FRONTDESK", Message: "¿Hay más toallas? Gracias"})
	s.Clock.Advance(time.Minute)
	d.cJohn = open(d.gJohn, api.GuestCreateConversationRequest{OutletCode: "ROOMSERVICE", Message: "Can I add a club sandwich to my order?", OrderCode: "ORD-1002"})
	s.Clock.Advance(time.Minute)
	d.cLena = open(d.gLena, api.GuestCreateConversationRequest{OutletCode: "SPA", Message: "Massage um fünf Uhr, bitte"})
	s.Clock.Advance(time.Minute)
	d.gVisitor = s.guestAPI(t, "")
	need(d.gVisitor.Initialise(ctx, api.GuestInitialiseRequest{PropertyCode: "DEMO", InterfaceToken: demoToken,
		GuestUniqueIdentifier: "web-visitor-9", LanguageCode: "fr"}))(t)
	d.visitor = d.gVisitor.Token()
	d.cVisitor = need(d.gVisitor.CreateNonVerifiedConversation(ctx, api.GuestCreateConversationRequest{Message: "Une table pour deux ?",
		ConversationType: "guest", OrderFormDetailsDictionary: []byte(`{"firstName":"Zoé","lastName":"Martin","partySize":2}`)}, ""))(t).Code
	s.Clock.Advance(time.Minute)
	d.sAdmin, d.sFO, d.sRS = s.staffAs(t, "admin"), s.staffAs(t, "frontdesk"), s.staffAs(t, "roomservice")
	d.admin, d.fo, d.rs = d.sAdmin.Token(), d.sFO.Token(), d.sRS.Token()
	return d
}

func TestInboxListAndFilters(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	d := newInboxDemo(t)
	s := d.s
	list := func(c *staffAPI, q client.InboxQuery) []string {
		t.Helper()
		return summaryCodes(need(c.Conversations(ctx, q))(t).Conversations)
	}
	want := func(what string, got, want []string) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v, want %v", what, got, want)
		}
	}
	all := []string{d.cVisitor, d.cLena, d.cJohn, d.cAna}
	want("admin", list(d.sAdmin, client.InboxQuery{}), all)
	want("frontdesk sees the front office's", list(d.sFO, client.InboxQuery{}), []string{d.cVisitor, d.cAna})
	want("roomservice sees room service's", list(d.sRS, client.InboxQuery{}), []string{d.cJohn})

	// The item's shape.
	page := need(d.sAdmin.Conversations(ctx, client.InboxQuery{Outlet: "ROOMSERVICE"}))(t)
	item := rawPath(t, d.sAdmin.last(t).Raw, "conversations", 0)
	if got := strings.Join(keysOf(t, item), ","); got != "code,id,status,type,subject,propertyCode,serviceCenterCode,outletCode,outletName,roomNumber,guestFirstName,guestLastName,guestLanguageCode,assignee,unreadCount,lastMessageAt,lastMessage,createdAt,updatedAt" {
		t.Fatalf("item keys %s", got)
	}
	if got := strings.Join(keysOf(t, rawPath(t, item, "lastMessage")), ","); got != "code,type,content,languageCode,createdAt,author" {
		t.Fatalf("lastMessage keys %s", got)
	}
	it := page.Conversations[0]
	if it.Code != d.cJohn || it.Status != "Open" || it.OutletCode != "ROOMSERVICE" || it.ServiceCenterCode != "RS" ||
		it.PropertyCode != "DEMO" || it.RoomNumber != "102" || it.GuestLanguageCode != "en" || it.UnreadCount != 1 ||
		it.Assignee != nil || it.Subject != "In-Room Dining – Order ORD-1002" || it.GuestLastName != "Smith" ||
		it.LastMessageAt == nil || *it.LastMessageAt != "2026-11-25T11:01:00.000000000Z" || it.Type != "guest" || it.OutletName != "In-Room Dining" {
		t.Fatalf("item %+v", it)
	}
	if lm := it.LastMessage; lm == nil || lm.Type != "Guest" || lm.Content != "Can I add a club sandwich to my order?" ||
		lm.LanguageCode != "en" || lm.CreatedAt != "2026-11-25T11:01:00.000000000Z" || lm.Author.Username != nil {
		t.Fatalf("lastMessage %+v", lm)
	}
	if it.ID <= 0 {
		t.Fatalf("id %v", it.ID)
	}
	if page.NextCursor != "" {
		t.Fatalf("nextCursor %v on the only page", page.NextCursor)
	}

	// Filters.
	want("property", list(d.sAdmin, client.InboxQuery{Property: "demo"}), all)
	want("unknown property", list(d.sAdmin, client.InboxQuery{Property: "NOPE"}), []string{})
	want("service center", list(d.sAdmin, client.InboxQuery{ServiceCenter: "FO"}), []string{d.cVisitor, d.cAna})
	want("another's service center", list(d.sFO, client.InboxQuery{ServiceCenter: "RS"}), []string{})
	want("outlet", list(d.sAdmin, client.InboxQuery{Outlet: "SPA"}), []string{d.cLena})
	want("search: accents and case ignored", list(d.sAdmin, client.InboxQuery{Q: "MAS toallas"}), []string{d.cAna})
	want("search: accented query", list(d.sAdmin, client.InboxQuery{Q: "fünf"}), []string{d.cLena})
	want("search: word prefix", list(d.sAdmin, client.InboxQuery{Q: "sandw"}), []string{d.cJohn})
	want("search: every word", list(d.sAdmin, client.InboxQuery{Q: "sandwich massage"}), []string{})
	want("search: scoped", list(d.sFO, client.InboxQuery{Q: "sandwich"}), []string{})
	want("search: punctuation", list(d.sAdmin, client.InboxQuery{Q: `"table" OR *deux*`}), []string{})
	want("search: punctuation ignored", list(d.sAdmin, client.InboxQuery{Q: `"table", deux?`}), []string{d.cVisitor})

	need(d.sAdmin.Close(ctx, d.cLena))(t)
	s.Clock.Advance(time.Second)
	need(d.sFO.MarkRead(ctx, d.cAna, ""))(t)
	s.Clock.Advance(time.Second)
	need(d.sFO.Assign(ctx, d.cVisitor, "frontdesk"))(t)
	// Closing and assigning are activity, reading is not: cVisitor (assigned last), cLena
	// (closed), then cJohn and cAna as before.
	want("after acts", list(d.sAdmin, client.InboxQuery{}), []string{d.cVisitor, d.cLena, d.cJohn, d.cAna})
	want("status", list(d.sAdmin, client.InboxQuery{Status: "Closed"}), []string{d.cLena})
	want("status, any case", s.lenientCodes(t, d.admin, "?status=open"), []string{d.cVisitor, d.cJohn, d.cAna})
	want("unread", list(d.sAdmin, client.InboxQuery{Unread: true}), []string{d.cVisitor, d.cLena, d.cJohn})
	want("read", s.inboxCodesOf(t, d.admin, "?unread=false"), []string{d.cAna}) // client.InboxQuery sends no unread=false
	want("assigned to me", list(d.sFO, client.InboxQuery{Assignee: "me"}), []string{d.cVisitor})
	want("assigned to the admin", list(d.sAdmin, client.InboxQuery{Assignee: "me"}), []string{})
	want("unassigned", list(d.sFO, client.InboxQuery{Assignee: "nobody"}), []string{d.cAna})
	want("anyone", list(d.sFO, client.InboxQuery{Assignee: "anyone"}), []string{d.cVisitor, d.cAna})
	want("filters combine", list(d.sAdmin, client.InboxQuery{ServiceCenter: "FO", Unread: true, Assignee: "me", Status: "Open"}), []string{})
	want("filters combine", list(d.sAdmin, client.InboxQuery{ServiceCenter: "FO", Unread: true, Status: "Open", Q: "deux"}), []string{d.cVisitor})
	if a := need(d.sFO.Conversations(ctx, client.InboxQuery{Assignee: "me"}))(t).Conversations[0].Assignee; a == nil ||
		*a != (api.StaffRef{Username: "frontdesk", DisplayName: "Front Desk Agent"}) {
		t.Fatalf("assignee %+v", a)
	}

	// Bad filters.
	for q, field := range map[string]string{
		"?status=Pending": "status", "?assignee=someone": "assignee", "?unread=yes": "unread",
		"?limit=0": "limit", "?limit=201": "limit", "?limit=ten": "limit", "?limit=-1": "limit",
		"?q=" + strings.Repeat("a", 201): "q", "?q=" + url.QueryEscape("!!! ???"): "q",
		"?q=" + url.QueryEscape(strings.Repeat("w ", 11)): "q", "?q=%00": "q", "?q=%ff": "q",
		"?cursor=nope": "cursor", "?cursor=YWs6MQ": "cursor", "?property=" + strings.Repeat("P", 201): "property",
	} {
		e := s.staffGet(t, d.admin, pathConversations+q).wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
		if got := fieldsOf(e); !reflect.DeepEqual(got, []string{field}) {
			t.Errorf("%s: fields %v, want [%s]", q, got, field)
		}
	}
	anon := s.staffAPI(t, "")
	_, err := anon.Conversations(ctx, client.InboxQuery{})
	anon.fail(t, err, http.StatusUnauthorized, "AuthenticationFailed")
	s.noSecretsLogged(t, d.admin, d.fo, d.rs)
}

// TestInboxLastMessage follows the inbox's last message of a conversation through a staff
// reply, a note (staff see notes) and a guest message longer than the preview, which the inbox
// shortens while the conversation keeps it whole; and checks the page is one query's worth:
// every item carries its last message.
func TestInboxLastMessage(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	d := newInboxDemo(t)
	last := func(c *staffAPI) api.LastMessage {
		t.Helper()
		list := need(c.Conversations(ctx, client.InboxQuery{Outlet: "ROOMSERVICE"}))(t).Conversations
		if len(list) != 1 {
			t.Fatalf("%d conversations", len(list))
		}
		if list[0].LastMessage == nil {
			t.Fatalf("no lastMessage in %+v", list[0])
		}
		return *list[0].LastMessage
	}
	for _, it := range need(d.sAdmin.Conversations(ctx, client.InboxQuery{}))(t).Conversations {
		if it.LastMessage == nil {
			t.Errorf("no last message for %v", it.Code)
		}
	}

	d.s.Clock.Advance(time.Minute)
	reply := need(d.sRS.AddMessage(ctx, d.cJohn, api.AddMessageRequest{Content: "Of course, on its way.", Type: "Staff"}, ""))(t)
	if st := d.sRS.last(t).Status; st != http.StatusCreated {
		t.Fatalf("reply: HTTP %d", st)
	}
	lm := last(d.sRS)
	if lm.Code != reply.Code || lm.Type != "Staff" || lm.Content != "Of course, on its way." ||
		lm.Author.Username == nil || *lm.Author.Username != "roomservice" || lm.Author.FirstName != reply.Author.FirstName ||
		lm.CreatedAt != reply.CreatedAt || lm.LanguageCode != reply.LanguageCode {
		t.Fatalf("after a reply: %+v (reply %+v)", lm, reply)
	}

	d.s.Clock.Advance(time.Minute)
	note := need(d.sRS.AddMessage(ctx, d.cJohn, api.AddMessageRequest{Content: "Kitchen closes at 11", Type: "Note"}, ""))(t)
	if st := d.sRS.last(t).Status; st != http.StatusCreated {
		t.Fatalf("note: HTTP %d", st)
	}
	if lm := last(d.sAdmin); lm.Code != note.Code || lm.Type != "Note" || lm.Content != "Kitchen closes at 11" ||
		lm.Author.Username == nil || *lm.Author.Username != "roomservice" {
		t.Fatalf("after a note: %+v", lm)
	}

	d.s.Clock.Advance(time.Minute)
	long := strings.Repeat("ü", 150) + strings.Repeat("🙂", 100) // 250 characters, multi-byte
	need(d.gJohn.AddMessage(ctx, d.cJohn, long, ""))(t)
	lm = last(d.sRS)
	want := strings.Repeat("ü", 150) + strings.Repeat("🙂", 50) + "…"
	if lm.Type != "Guest" || lm.Content != want || lm.Author.Username != nil {
		t.Fatalf("after a long guest message: %+v", lm)
	}
	msgs := need(d.sRS.Conversation(ctx, d.cJohn))(t).Messages
	if whole := msgs[len(msgs)-1]; whole.Content != long || whole.Code != lm.Code {
		t.Fatalf("the conversation's last message %+v", whole)
	}
}

// lenientCodes lists the inbox with a query the document does not describe (other letter cases).
func (s *server) lenientCodes(t testing.TB, token, query string) []string {
	t.Helper()
	h := bearer(token)
	h[lenientHeader] = "1"
	var page api.ConversationList
	strictJSON(t, s.do(t, http.MethodGet, pathConversations+query, nil, h).wantStatus(t, http.StatusOK).Raw, &page)
	return summaryCodes(page.Conversations)
}

// inboxCodesOf lists the inbox with a query client.InboxQuery cannot send.
func (s *server) inboxCodesOf(t testing.TB, token, query string) []string {
	t.Helper()
	var page api.ConversationList
	strictJSON(t, s.staffGet(t, token, pathConversations+query).wantStatus(t, http.StatusOK).Raw, &page)
	return summaryCodes(page.Conversations)
}

// summaryCodes lists the codes of inbox items.
func summaryCodes(items []api.ConversationSummary) []string {
	return collect(items, func(c api.ConversationSummary) string { return c.Code })
}

func TestInboxPaging(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := startServer(t, serverOptions{demo: true})
	admin := s.staffAs(t, "admin")
	var want []string
	for i, room := range []string{"101", "102", "103", "104"} {
		g := s.guestAt(t, room, map[string]string{"101": "Garcia", "102": "Smith", "103": "Muller", "104": "Dubois"}[room])
		for j := range 3 {
			code := need(g.CreateConversation(ctx, api.GuestCreateConversationRequest{OutletCode: "FRONTDESK",
				Message: fmt.Sprintf("guest %d message %d", i, j), ConversationType: "guest"}, ""))(t).Code
			want = append([]string{code}, want...)
			if j != 1 { // some conversations share their last activity: the id orders them
				s.Clock.Advance(time.Second)
			}
		}
	}
	for _, limit := range []int{1, 2, 5, 12, 200} {
		var got []string
		cursor := ""
		for page := 0; ; page++ {
			body := need(admin.Conversations(ctx, client.InboxQuery{Limit: limit, Cursor: cursor}))(t)
			codes := summaryCodes(body.Conversations)
			if len(codes) > limit {
				t.Fatalf("limit %d: %d items", limit, len(codes))
			}
			got = append(got, codes...)
			cursor = body.NextCursor
			if cursor == "" {
				break
			}
			if page > len(want) {
				t.Fatal("the inbox does not end")
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("limit %d: paged %v, want %v", limit, got, want)
		}
	}
	// The default page length is 50; a conversation that becomes active moves to the front.
	if n := len(need(admin.Conversations(ctx, client.InboxQuery{}))(t).Conversations); n != 12 {
		t.Fatalf("default page: %d items", n)
	}
	first := need(admin.Conversations(ctx, client.InboxQuery{Limit: 3}))(t)
	need(admin.Close(ctx, want[11]))(t)
	next := summaryCodes(need(admin.Conversations(ctx, client.InboxQuery{Limit: 3, Cursor: first.NextCursor}))(t).Conversations)
	if !reflect.DeepEqual(next, want[3:6]) {
		t.Fatalf("second page %v, want %v", next, want[3:6])
	}
	if codes := summaryCodes(need(admin.Conversations(ctx, client.InboxQuery{Limit: 1}))(t).Conversations); codes[0] != want[11] {
		t.Fatalf("the closed conversation is not first: %v", codes)
	}
}

func TestInboxCounts(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	d := newInboxDemo(t)
	counts := func(c *staffAPI) string {
		t.Helper()
		var rows []string
		for _, m := range need(c.InboxCounts(ctx))(t).ServiceCenters {
			rows = append(rows, fmt.Sprintf("%s/%s %s unread=%v convs=%v open=%v", m.PropertyCode, m.Code, m.Name,
				m.Unread, m.UnreadConversations, m.Open))
		}
		return strings.Join(rows, "; ")
	}
	need(d.gAna.AddMessage(ctx, d.cAna, "¿Y jabón?", ""))(t)
	if got, want := counts(d.sAdmin), "DEMO/FO Front Office unread=3 convs=2 open=2; DEMO/RS Room Service unread=1 convs=1 open=1; DEMO/SPA Spa unread=1 convs=1 open=1"; got != want {
		t.Fatalf("admin counts:\n got %s\nwant %s", got, want)
	}
	if got, want := counts(d.sFO), "DEMO/FO Front Office unread=3 convs=2 open=2"; got != want {
		t.Fatalf("frontdesk counts: %s", got)
	}
	need(d.sFO.MarkRead(ctx, d.cAna, ""))(t)
	need(d.sFO.Close(ctx, d.cVisitor))(t)
	if got, want := counts(d.sFO), "DEMO/FO Front Office unread=1 convs=1 open=1"; got != want {
		t.Fatalf("frontdesk counts after reading and closing: %s", got)
	}
	if got, want := counts(d.sRS), "DEMO/RS Room Service unread=1 convs=1 open=1"; got != want {
		t.Fatalf("roomservice counts: %s", got)
	}
	if got := keysOf(t, rawPath(t, d.sRS.last(t).Raw, "serviceCenters", 0)); strings.Join(got, ",") != "code,name,propertyCode,unread,unreadConversations,open" {
		t.Fatalf("keys %v", got)
	}
	anon := d.s.staffAPI(t, "")
	_, err := anon.InboxCounts(ctx)
	anon.fail(t, err, http.StatusUnauthorized, "AuthenticationFailed")
}

func TestConversationDetailAndActs(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	d := newInboxDemo(t)
	s := d.s

	t.Run("detail of a verified guest's conversation with an order", func(t *testing.T) {
		body := need(d.sRS.Conversation(ctx, strings.ToLower(d.cJohn)))(t)
		raw := d.sRS.last(t).Raw
		if got := keysOf(t, raw); !reflect.DeepEqual(got, []string{"conversation", "messages"}) {
			t.Fatalf("keys %v", got)
		}
		conv := rawPath(t, raw, "conversation")
		if got := strings.Join(keysOf(t, conv), ","); got != "code,id,status,type,subject,propertyCode,serviceCenterCode,outletCode,outlet,serviceCenter,roomNumber,guestFirstName,guestLastName,guestLanguageCode,stay,guestIdentifier,order,orderForm,assignee,unreadCount,lastMessageAt,createdAt,updatedAt" {
			t.Fatalf("conversation keys %s", got)
		}
		c := body.Conversation
		today := concierge.DateOf(s.Clock.Now(), time.UTC)
		wantStay := api.ConversationStay{RoomNumber: "102", FirstName: "John", LastName: "Smith", LanguageCode: "en",
			Arrival: string(today.AddDays(-1)), Departure: string(today.AddDays(3)), BookingReference: "DEMO-102"}
		if c.Code != d.cJohn || c.Stay == nil || *c.Stay != wantStay || c.GuestIdentifier != nil ||
			c.Order == nil || *c.Order != (api.OrderRef{Code: "ORD-1002", Status: "Acknowledged"}) || string(rawPath(t, conv, "orderForm")) != "null" ||
			c.Outlet != (api.CodeName{Code: "ROOMSERVICE", Name: "In-Room Dining"}) ||
			c.ServiceCenter != (api.ConversationCenter{Code: "RS", Name: "Room Service", StaffLanguageCode: "en"}) ||
			c.Assignee != nil || c.UnreadCount != 1 || c.RoomNumber != "102" {
			t.Fatalf("conversation %+v", c)
		}
		msgs := body.Messages
		if len(msgs) != 1 {
			t.Fatalf("messages %+v", msgs)
		}
		m := rawPath(t, raw, "messages", 0)
		if got := strings.Join(keysOf(t, m), ","); got != "code,conversationCode,seq,type,content,languageCode,translations,createdAt,author,isRead,readAt,translationStates" {
			t.Fatalf("message keys %s", got)
		}
		m0 := msgs[0]
		if m0.Type != "Guest" || m0.Content != "Can I add a club sandwich to my order?" || m0.LanguageCode != "en" ||
			!reflect.DeepEqual(m0.Translations, map[string]string{}) || m0.IsRead || m0.ReadAt != nil ||
			!reflect.DeepEqual(m0.Author, api.Author{FirstName: "John", LastName: "Smith"}) ||
			m0.Seq != 1 || m0.ConversationCode != d.cJohn || !staffTime.MatchString(m0.CreatedAt) {
			t.Fatalf("message %+v", m0)
		}
	})

	t.Run("detail of a non-verified guest's conversation with order-form details", func(t *testing.T) {
		c := need(d.sFO.Conversation(ctx, d.cVisitor))(t).Conversation
		var form struct {
			FirstName string `json:"firstName"`
			LastName  string `json:"lastName"`
			PartySize int    `json:"partySize"`
		}
		strictJSON(t, c.OrderForm, &form)
		if c.Stay != nil || c.GuestIdentifier == nil || *c.GuestIdentifier != "web-visitor-9" || c.Order != nil || c.RoomNumber != "" ||
			form.FirstName != "Zoé" || form.LastName != "Martin" || form.PartySize != 2 || len(keysOf(t, c.OrderForm)) != 3 ||
			c.GuestFirstName != "Zoé" || c.GuestLanguageCode != "fr" {
			t.Fatalf("conversation %+v", c)
		}
	})

	var reply string
	t.Run("reply reaches the guest with the staff name; read receipts both ways", func(t *testing.T) {
		s.Clock.Advance(time.Minute)
		m := need(d.sFO.AddMessage(ctx, d.cAna, api.AddMessageRequest{Content: "  Yes, on their way.  ", Type: "Staff"}, ""))(t)
		reply = m.Code
		if d.sFO.last(t).Status != http.StatusCreated || m.Type != "Staff" || m.Content != "Yes, on their way." || m.LanguageCode != "en" || m.Seq != 2 ||
			!reflect.DeepEqual(m.Author, api.Author{FirstName: "Front", LastName: "Desk Agent", Username: ptr("frontdesk")}) ||
			m.IsRead || m.ConversationCode != d.cAna {
			t.Fatalf("reply %+v", m)
		}
		msgs := need(d.gAna.Conversation(ctx, d.cAna))(t).Messages
		if len(msgs) != 2 {
			t.Fatalf("guest sees %+v", msgs)
		}
		gm, sm := msgs[0], msgs[1]
		if sm.Code != reply || sm.MessageType != "Staff" || sm.Content != "Yes, on their way." ||
			sm.FirstName != "Front" || sm.LastName != "Desk Agent" || sm.IsRead || gm.IsRead ||
			sm.ServiceCenterName != "Front Office" {
			t.Fatalf("guest sees %+v", msgs)
		}
		// The guest reads the reply: staff see it read.
		if err := d.gAna.MarkRead(ctx, d.cAna, ""); err != nil {
			t.Fatal(err)
		}
		staffMsgs := need(d.sFO.Conversation(ctx, d.cAna))(t).Messages
		if sm := staffMsgs[1]; !sm.IsRead || sm.ReadAt == nil || !staffTime.MatchString(*sm.ReadAt) {
			t.Fatalf("staff do not see the guest's read receipt: %+v", sm)
		}
		if gm := staffMsgs[0]; gm.IsRead {
			t.Fatalf("the guest's own message is read: %+v", gm)
		}
		// Staff read the guest's message: the guest sees it read.
		if c := need(d.sFO.MarkRead(ctx, d.cAna, ""))(t); c.UnreadCount != 0 || c.Code != d.cAna {
			t.Fatalf("after read: %+v", c)
		}
		if gm := need(d.gAna.Conversation(ctx, d.cAna))(t).Messages[0]; !gm.IsRead {
			t.Fatalf("the guest does not see staff's read receipt: %+v", gm)
		}
	})

	t.Run("read up to a message", func(t *testing.T) {
		first := need(d.gJohn.AddMessage(ctx, d.cJohn, "And a cola", ""))(t).Code
		need(d.gJohn.AddMessage(ctx, d.cJohn, "No ice", ""))(t)
		c := need(d.sRS.MarkRead(ctx, d.cJohn, strings.ToLower(first)))(t)
		if c.UnreadCount != 1 {
			t.Fatalf("unreadCount %v, want 1", c.UnreadCount)
		}
		// An act answers with the conversation as the detail shows it: room, order, property.
		if c.RoomNumber != "102" || c.PropertyCode != "DEMO" || c.Order == nil ||
			*c.Order != (api.OrderRef{Code: "ORD-1002", Status: "Acknowledged"}) || c.Stay == nil || c.Stay.RoomNumber != "102" {
			t.Fatalf("read answers %+v", c)
		}
		_, err := d.sRS.MarkRead(ctx, d.cJohn, reply)
		if got := fieldNames(d.sRS.fail(t, err, http.StatusBadRequest, "ValidationFailed")); !reflect.DeepEqual(got, []string{"upToMessageCode"}) {
			t.Fatalf("fields %v", got)
		}
		s.do(t, http.MethodPost, staffConvPath(d.cJohn, "/read"), []byte(`{"upToMessageCode":5}`), bearer(d.rs)).
			wantStaffError(t, http.StatusBadRequest, "MalformedRequest")
	})

	t.Run("note: staff see it, the guest never", func(t *testing.T) {
		m := need(d.sFO.AddMessage(ctx, d.cAna, api.AddMessageRequest{Content: "VIP: upgrade if possible", Type: "Note"}, ""))(t)
		if d.sFO.last(t).Status != http.StatusCreated || m.Type != "Note" || m.Author.Username == nil || *m.Author.Username != "frontdesk" {
			t.Fatalf("note %+v", m)
		}
		staffMsgs := need(d.sAdmin.Conversation(ctx, d.cAna))(t).Messages
		if last := staffMsgs[len(staffMsgs)-1]; last.Type != "Note" || last.Content != "VIP: upgrade if possible" {
			t.Fatalf("staff do not see the note: %+v", last)
		}
		d.noNoteForGuest(t, "VIP: upgrade if possible") // not just "VIP": a random session token may hold those letters
	})

	t.Run("close, reopen, a staff reply reopens, a note does not", func(t *testing.T) {
		c := need(d.sFO.Close(ctx, d.cAna))(t)
		if c.Status != "Closed" {
			t.Fatalf("close: %+v", c)
		}
		updated := c.UpdatedAt
		s.Clock.Advance(time.Minute)
		if c := need(d.sFO.Close(ctx, d.cAna))(t); c.Status != "Closed" || c.UpdatedAt != updated {
			t.Fatalf("closing again changed it: %+v", c)
		}
		if gc := need(d.gAna.Conversation(ctx, d.cAna))(t); gc.ConversationStatus != "Closed" {
			t.Fatalf("the guest sees %v", gc.ConversationStatus)
		}
		if c := need(d.sFO.Reopen(ctx, d.cAna))(t); c.Status != "Open" {
			t.Fatalf("reopen: %+v", c)
		}
		need(d.sFO.Close(ctx, d.cAna))(t)
		need(d.sFO.AddMessage(ctx, d.cAna, api.AddMessageRequest{Content: "closed note", Type: "Note"}, ""))(t)
		if c := need(d.sFO.Conversation(ctx, d.cAna))(t).Conversation; c.Status != "Closed" {
			t.Fatalf("a note reopened it: %v", c.Status)
		}
		need(d.sFO.AddMessage(ctx, d.cAna, api.AddMessageRequest{Content: "Anything else?", Type: "Staff"}, ""))(t)
		if c := need(d.sFO.Conversation(ctx, d.cAna))(t).Conversation; c.Status != "Open" {
			t.Fatalf("a reply did not reopen it: %v", c.Status)
		}
	})

	t.Run("assign and unassign", func(t *testing.T) {
		c := need(d.sAdmin.Assign(ctx, d.cAna, "FrontDesk"))(t)
		if c.Assignee == nil || *c.Assignee != (api.StaffRef{Username: "frontdesk", DisplayName: "Front Desk Agent"}) {
			t.Fatalf("assign: %+v", c)
		}
		for _, who := range []string{"roomservice", "nobody-at-all", strings.Repeat("u", 201)} {
			_, err := d.sAdmin.Assign(ctx, d.cAna, who)
			if got := fieldNames(d.sAdmin.fail(t, err, http.StatusBadRequest, "ValidationFailed")); !reflect.DeepEqual(got, []string{"username"}) {
				t.Fatalf("%s: fields %v", who, got)
			}
		}
		s.do(t, http.MethodPost, staffConvPath(d.cAna, "/assign"), []byte(`{"username":5}`), bearer(d.admin)).
			wantStaffError(t, http.StatusBadRequest, "MalformedRequest")
		if c := need(d.sFO.Unassign(ctx, d.cAna))(t); c.Assignee != nil {
			t.Fatalf("unassign: %+v", c)
		}
		need(d.sFO.Assign(ctx, d.cAna, "admin"))(t)
		// A null username unassigns (client.Assign sends a string).
		var null api.Conversation
		strictJSON(t, s.staffPost(t, d.fo, staffConvPath(d.cAna, "/assign"), api.AssignRequest{Username: nil}).wantStatus(t, http.StatusOK).Raw, &null)
		if null.Assignee != nil {
			t.Fatalf("assign null: %+v", null)
		}
		need(d.sFO.Assign(ctx, d.cAna, "frontdesk"))(t)
		if c := need(d.sFO.Assign(ctx, d.cAna, ""))(t); c.Assignee != nil {
			t.Fatalf("assign empty: %+v", c)
		}
	})

	t.Run("move to another outlet", func(t *testing.T) {
		need(d.sFO.Assign(ctx, d.cAna, "frontdesk"))(t)
		// Within the front office: the assignee can still see it and stays.
		c := need(d.sFO.Move(ctx, d.cAna, "giftshop"))(t)
		if c.OutletCode != "GIFTSHOP" || c.ServiceCenterCode != "FO" || c.Assignee == nil || c.Subject != "Front Desk" {
			t.Fatalf("move within FO: %+v", c)
		}
		// An agent cannot send it to another team's outlet, nor to an unknown one.
		_, err := d.sFO.Move(ctx, d.cAna, "ROOMSERVICE")
		d.sFO.fail(t, err, http.StatusForbidden, "Forbidden")
		_, err = d.sFO.Move(ctx, d.cAna, "NOPE")
		d.sFO.fail(t, err, http.StatusNotFound, "OutletNotFound")
		_, err = d.sFO.Move(ctx, d.cAna, " ")
		if got := fieldNames(d.sFO.fail(t, err, http.StatusBadRequest, "ValidationFailed")); !reflect.DeepEqual(got, []string{"outletCode"}) {
			t.Fatalf("fields %v", got)
		}
		s.do(t, http.MethodPost, staffConvPath(d.cAna, "/move"), []byte(`{"outletCode":["SPA"]}`), bearer(d.fo)).
			wantStaffError(t, http.StatusBadRequest, "MalformedRequest")
		// The admin sends it to room service: frontdesk loses it, roomservice gets it unassigned.
		c = need(d.sAdmin.Move(ctx, d.cAna, "ROOMSERVICE"))(t)
		if c.OutletCode != "ROOMSERVICE" || c.ServiceCenterCode != "RS" || c.Assignee != nil {
			t.Fatalf("move to RS: %+v", c)
		}
		_, err = d.sFO.Conversation(ctx, d.cAna)
		d.sFO.fail(t, err, http.StatusNotFound, "ConversationNotFound")
		need(d.sRS.Conversation(ctx, d.cAna))(t)
		// The guest sees the new outlet and service center.
		if gc := need(d.gAna.Conversation(ctx, d.cAna))(t); gc.OutletCode != "ROOMSERVICE" || gc.Messages[0].ServiceCenterName != "Room Service" {
			t.Fatalf("the guest sees %+v", gc)
		}
		// Moving to where it is changes nothing.
		updated := c.UpdatedAt
		s.Clock.Advance(time.Minute)
		if c := need(d.sRS.Move(ctx, d.cAna, "ROOMSERVICE"))(t); c.UpdatedAt != updated {
			t.Fatalf("a move to the same outlet changed it: %+v", c)
		}
	})
	s.noSecretsLogged(t, d.admin, d.fo, d.rs)
}

// noNoteForGuest checks every guest route of every demo guest: no answer holds text.
func (d *inboxDemo) noNoteForGuest(t *testing.T, text string) {
	t.Helper()
	s := d.s
	for _, tok := range []string{d.ana, d.john, d.lena, d.visitor} {
		raws := [][]byte{
			s.get(t, pathMessages+"?SessionToken="+tok).Raw,
			s.get(t, pathMessages+"?SessionToken="+tok+"&DescendingOrder=true&PageLength=200").Raw,
			s.get(t, "/API/V40/Interactive/Messages/Conversations?SessionToken="+tok).Raw,
		}
		for _, code := range []string{d.cAna, d.cJohn, d.cLena, d.cVisitor} {
			raws = append(raws, s.get(t, convPath(code, "?SessionToken="+tok)).Raw)
		}
		for _, raw := range raws {
			if strings.Contains(string(raw), text) || strings.Contains(string(raw), `"Note"`) {
				t.Fatalf("a note reached a guest: %s", raw)
			}
		}
	}
}

func TestNotesNeverReachGuests(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	d := newInboxDemo(t)
	for _, c := range []struct {
		staff *staffAPI
		code  string
	}{{d.sFO, d.cAna}, {d.sRS, d.cJohn}, {d.sAdmin, d.cLena}, {d.sFO, d.cVisitor}} {
		need(c.staff.AddMessage(ctx, c.code, api.AddMessageRequest{Content: "SECRET-NOTE about " + c.code, Type: "Note"}, ""))(t)
		if st := c.staff.last(t).Status; st != http.StatusCreated {
			t.Fatalf("note: HTTP %d", st)
		}
	}
	d.noNoteForGuest(t, "SECRET-NOTE")
	// A guest's unread count ignores notes; the guest's Read call does not mark them.
	if n := need(d.gAna.Conversations(ctx, "", client.Page{}))(t).Conversations[0].UnreadCount; n != 0 {
		t.Fatalf("unreadCount %v counts the note", n)
	}
	if err := d.gAna.MarkRead(ctx, d.cAna, ""); err != nil {
		t.Fatal(err)
	}
	msgs := need(d.sFO.Conversation(ctx, d.cAna))(t).Messages
	if note := msgs[1]; note.Type != "Note" || note.IsRead {
		t.Fatalf("note %+v", note)
	}
	// The guest's paging totals do not count notes either.
	if m := need(d.gAna.Messages(ctx, client.Page{}))(t); m.TotalCount != 1 {
		t.Fatalf("totalCount %v", m.TotalCount)
	}
}

// addManagerAndOtherProperty adds, through the store, a second property OTHER with a service
// center, an outlet and a conversation, and a manager of DEMO; it returns the conversation code.
func addManagerAndOtherProperty(t *testing.T, s *server) string {
	t.Helper()
	sw := openStaffWrites(t, s)
	ctx := context.Background()
	demoProp, err := sw.db.PropertyByCode(ctx, "DEMO")
	if err != nil {
		t.Fatal(err)
	}
	hash, err := password.Hash(demoPassword, password.Default)
	if err != nil {
		t.Fatal(err)
	}
	mgr := concierge.StaffUser{Username: "manager", DisplayName: "Maria Lopez Diaz", PasswordHash: hash, Role: concierge.RoleManager,
		PropertyIDs: []int64{demoProp.ID}, CreatedAt: s.Clock.Now()}
	if err := concierge.NewCredentials(sw.db, nil).CreateStaffUser(ctx, &mgr, nil); err != nil {
		t.Fatal(err)
	}
	other := concierge.Property{Code: "OTHER", Name: "Other Hotel", BrandCode: "B", GroupCode: "G", TimeZone: "UTC",
		DefaultLanguage: "en", CreatedAt: s.Clock.Now()}
	if err := sw.db.CreateProperty(ctx, &other); err != nil {
		t.Fatal(err)
	}
	sc := concierge.ServiceCenter{PropertyID: other.ID, Code: "FO", Name: "Other Front Office", StaffLanguage: "en"}
	if err := sw.db.CreateServiceCenter(ctx, &sc); err != nil {
		t.Fatal(err)
	}
	o := concierge.Outlet{PropertyID: other.ID, Code: "LOBBY", Name: "Lobby", ServiceCenterID: sc.ID, AllowGuestMessages: true}
	if err := sw.db.CreateOutlet(ctx, &o); err != nil {
		t.Fatal(err)
	}
	c := concierge.Conversation{Code: concierge.NewCode("C"), PropertyID: other.ID, OutletID: o.ID, Subject: "Lobby",
		Status: concierge.ConversationOpen, GuestLanguage: "en", CreatedAt: s.Clock.Now(), UpdatedAt: s.Clock.Now()}
	m := concierge.Message{Code: concierge.NewCode("M"), Type: concierge.MessageGuest, Content: "OTHER-PROPERTY-SECRET",
		Language: "en", CreatedAt: s.Clock.Now()}
	if err := concierge.NewConversations(sw.db).Create(ctx, &c, &m); err != nil {
		t.Fatal(err)
	}
	return c.Code
}

func TestConversationAuthorisation(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	d := newInboxDemo(t)
	s := d.s
	cOther := addManagerAndOtherProperty(t, s)
	mgr := s.staffAs(t, "manager")
	manager := mgr.Token()
	newKey := func(req api.APIKeyRequest) string {
		t.Helper()
		k := need(d.sAdmin.CreateAPIKey(ctx, req))(t)
		if st := d.sAdmin.last(t).Status; st != http.StatusCreated {
			t.Fatalf("key: HTTP %d", st)
		}
		return k.Secret
	}
	key := newKey(api.APIKeyRequest{Name: "PMS", Role: "manager", Properties: []string{"DEMO"}})
	adminKey := newKey(api.APIKeyRequest{Name: "Ops", Role: "admin", Properties: []string{}})

	// The objects: the front office's conversation (Ana, FRONTDESK), room service's (John),
	// another property's, and a code that names nothing. Each holds a secret the body must not
	// show to a caller who may not see it.
	type object struct {
		name, code, outlet, secret string
	}
	fo := object{"front office's", d.cAna, "FRONTDESK", "toallas"}
	rs := object{"room service's", d.cJohn, "ROOMSERVICE", "sandwich"}
	other := object{"another property's", cOther, "LOBBY", "OTHER-PROPERTY-SECRET"}
	unknown := object{"unknown", "CNOSUCHCONVERSATION", "FRONTDESK", ""}

	type route struct {
		name   string
		method string
		suffix string
		body   func(o object) any
		ok     int
	}
	routes := []route{
		{"detail", http.MethodGet, "", nil, http.StatusOK},
		{"reply", http.MethodPost, "/messages", func(object) any { return api.AddMessageRequest{Content: "Hello", Type: "Staff"} }, http.StatusCreated},
		{"note", http.MethodPost, "/messages", func(object) any { return api.AddMessageRequest{Content: "psst", Type: "Note"} }, http.StatusCreated},
		{"close", http.MethodPost, "/close", nil, http.StatusOK},
		{"reopen", http.MethodPost, "/reopen", nil, http.StatusOK},
		{"read", http.MethodPost, "/read", func(object) any { return api.ReadRequest{} }, http.StatusOK},
		{"assign", http.MethodPost, "/assign", func(object) any { return api.AssignRequest{Username: nil} }, http.StatusOK},
		{"unassign", http.MethodPost, "/unassign", nil, http.StatusOK},
		{"move", http.MethodPost, "/move", func(o object) any { return api.MoveRequest{OutletCode: o.outlet} }, http.StatusOK},
	}
	type caller struct {
		name    string
		token   string
		sees    map[string]bool // by object name
		isKey   bool
		listing []string // the inbox it sees, by code
	}
	sees := func(names ...string) map[string]bool {
		m := map[string]bool{}
		for _, n := range names {
			m[n] = true
		}
		return m
	}
	callers := []caller{
		{"agent frontdesk", d.fo, sees(fo.name), false, nil},
		{"agent roomservice", d.rs, sees(rs.name), false, nil},
		{"manager of DEMO", manager, sees(fo.name, rs.name), false, nil},
		{"admin", d.admin, sees(fo.name, rs.name, other.name), false, nil},
		{"manager API key of DEMO", key, sees(fo.name, rs.name), true, nil},
		{"admin API key", adminKey, sees(fo.name, rs.name, other.name), true, nil},
	}
	unknownMessage := func(code string) string { return "There is no conversation '" + code + "'." }
	for _, c := range callers {
		for _, o := range []object{fo, rs, other, unknown} {
			for _, rt := range routes {
				var body []byte
				if rt.body != nil {
					body, _ = json.Marshal(rt.body(o))
				}
				r := s.do(t, rt.method, staffConvPath(o.code, rt.suffix), body, bearer(c.token))
				cell := fmt.Sprintf("%s × %s × %s", c.name, rt.name, o.name)
				writesMessage := rt.suffix == "/messages"
				switch {
				case c.isKey && writesMessage:
					if r.Status != http.StatusForbidden {
						t.Errorf("%s: HTTP %d, want 403: %s", cell, r.Status, r.Raw)
						continue
					}
					r.wantStaffError(t, http.StatusForbidden, "Forbidden")
				case c.sees[o.name]:
					if r.Status != rt.ok {
						t.Errorf("%s: HTTP %d, want %d: %s", cell, r.Status, rt.ok, r.Raw)
					}
					continue
				default:
					if r.Status != http.StatusNotFound {
						t.Errorf("%s: HTTP %d, want 404: %s", cell, r.Status, r.Raw)
						continue
					}
					r.wantStaffError(t, http.StatusNotFound, "ConversationNotFound")
					var e api.ErrorBody
					if strictJSON(t, r.Raw, &e); e.Error.Message != unknownMessage(o.code) || e.Error.Fields != nil {
						t.Errorf("%s: the error tells the conversation exists: %+v", cell, e)
					}
				}
				if o.secret != "" && strings.Contains(strings.ToLower(string(r.Raw)), strings.ToLower(o.secret)) {
					t.Errorf("%s: the answer leaks %q: %s", cell, o.secret, r.Raw)
				}
			}
		}
		// The inbox and counts only show what the caller may see.
		listRaw := s.staffGet(t, c.token, pathConversations+"?limit=200").Raw
		countsRaw := s.staffGet(t, c.token, "/api/v1/inbox/counts").Raw
		for _, o := range []object{fo, rs, other} {
			if got := strings.Contains(string(listRaw), o.code); got != c.sees[o.name] {
				t.Errorf("%s: inbox shows %s: %v, want %v", c.name, o.name, got, c.sees[o.name])
			}
		}
		if got := strings.Contains(string(countsRaw), "Other Front Office"); got != c.sees[other.name] {
			t.Errorf("%s: counts show the other property: %v", c.name, got)
		}
		if strings.Contains(string(countsRaw), `"RS"`) != c.sees[rs.name] {
			t.Errorf("%s: counts and room service: %s", c.name, countsRaw)
		}
	}
	// "me" is a staff user's filter.
	e := s.staffGet(t, key, pathConversations+"?assignee=me").wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
	if got := fieldsOf(e); !reflect.DeepEqual(got, []string{"assignee"}) {
		t.Fatalf("fields %v", got)
	}
	// A manager's reply carries the display name split at the first word.
	m := need(mgr.AddMessage(ctx, d.cJohn, api.AddMessageRequest{Content: "Done", Type: "Staff"}, ""))(t)
	if a := m.Author; mgr.last(t).Status != http.StatusCreated || a.FirstName != "Maria" || a.LastName != "Lopez Diaz" {
		t.Fatalf("author %+v", a)
	}
	// Without credentials, every route is AuthenticationFailed.
	for _, rt := range routes {
		s.do(t, rt.method, staffConvPath(fo.code, rt.suffix), nil, nil).wantStaffError(t, http.StatusUnauthorized, "AuthenticationFailed")
	}
	s.noSecretsLogged(t, d.admin, d.fo, d.rs, manager, key, adminKey)
}

func TestStaffWriteValidation(t *testing.T) {
	t.Parallel()
	d := newInboxDemo(t)
	s := d.s
	path := staffConvPath(d.cAna, "/messages")
	send := func(raw string) response { return s.do(t, http.MethodPost, path, []byte(raw), bearer(d.fo)) }
	for _, c := range []struct {
		what   string
		body   any
		fields []string
	}{
		{"empty", map[string]string{}, []string{"type", "content"}},
		{"no type", map[string]string{"content": "x"}, []string{"type"}},
		{"no content", map[string]string{"type": "Staff"}, []string{"content"}},
		{"blank", map[string]string{"content": " \n\t ", "type": "Staff"}, []string{"content"}},
		{"a guest's type", map[string]string{"content": "x", "type": "Guest"}, []string{"type"}},
		{"a system type", map[string]string{"content": "x", "type": "System"}, []string{"type"}},
		{"too long", map[string]string{"content": strings.Repeat("é", 4001), "type": "Staff"}, []string{"content"}},
		{"NUL", map[string]string{"content": "a\x00b", "type": "Note"}, []string{"content"}},
	} {
		e := s.staffPost(t, d.fo, path, c.body).wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
		if got := fieldsOf(e); !reflect.DeepEqual(got, c.fields) {
			t.Errorf("%s: fields %v, want %v", c.what, got, c.fields)
		}
	}
	e := send("{\"content\":\"caf\xe9\",\"type\":\"Staff\"}").wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
	if got := fieldsOf(e); !reflect.DeepEqual(got, []string{"body"}) {
		t.Fatalf("bad UTF-8: fields %v", got)
	}
	for _, raw := range []string{`{"content":5,"type":"Staff"}`, `{"content":"x","type":true}`, `{"content":["x"],"type":"Staff"}`,
		`[]`, `"x"`, `{"content":"x"`, `{"content":"x","type":"Staff"} {}`} {
		send(raw).wantStaffError(t, http.StatusBadRequest, "MalformedRequest")
	}
	big := fmt.Sprintf(`{"content":"%s","type":"Staff"}`, strings.Repeat("a", 70<<10))
	send(big).wantStaffError(t, http.StatusRequestEntityTooLarge, "PayloadTooLarge")
	s.do(t, http.MethodPost, path, []byte("content=x"), map[string]string{"Authorization": "Bearer " + d.fo, "Content-Type": "text/plain"}).
		wantStaffError(t, http.StatusUnsupportedMediaType, "UnsupportedMediaType")
	// Exactly 4000 characters after trimming is accepted; nothing was written before.
	m := need(d.sFO.AddMessage(t.Context(), d.cAna, api.AddMessageRequest{Content: "  " + strings.Repeat("é", 4000) + "  ", Type: "Staff"}, ""))(t)
	if d.sFO.last(t).Status != http.StatusCreated || m.Seq != 2 {
		t.Fatalf("the refused messages were written: seq %v", m.Seq)
	}
	// Other acts' bodies.
	for _, c := range []struct{ suffix, raw string }{
		{"/assign", `{"username":5}`}, {"/assign", `{"username":["frontdesk"]}`}, {"/move", `{"outletCode":5}`},
		{"/read", `{"upToMessageCode":true}`}, {"/move", `[]`}, {"/read", `{`},
	} {
		s.do(t, http.MethodPost, staffConvPath(d.cAna, c.suffix), []byte(c.raw), bearer(d.fo)).
			wantStaffError(t, http.StatusBadRequest, "MalformedRequest")
	}
	for _, c := range []struct {
		suffix string
		body   any
		field  string
	}{
		{"/assign", map[string]string{"username": "a\x00b"}, "username"},
		{"/move", map[string]string{"outletCode": strings.Repeat("X", 201)}, "outletCode"},
		{"/move", map[string]string{}, "outletCode"},
		{"/read", map[string]string{"upToMessageCode": "MNOPE"}, "upToMessageCode"},
	} {
		e := s.staffPost(t, d.fo, staffConvPath(d.cAna, c.suffix), c.body).wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
		if got := fieldsOf(e); !reflect.DeepEqual(got, []string{c.field}) {
			t.Errorf("%s %v: fields %v", c.suffix, c.body, got)
		}
	}
	// Every route that reads a body refuses oversize, non-UTF-8 and non-JSON bodies alike.
	for _, suffix := range []string{"/messages", "/read", "/assign", "/move"} {
		p := staffConvPath(d.cAna, suffix)
		s.do(t, http.MethodPost, p, []byte(big), bearer(d.fo)).wantStaffError(t, http.StatusRequestEntityTooLarge, "PayloadTooLarge")
		e := s.do(t, http.MethodPost, p, []byte("{\"x\":\"\xff\"}"), bearer(d.fo)).wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
		if got := fieldsOf(e); !reflect.DeepEqual(got, []string{"body"}) {
			t.Errorf("%s bad UTF-8: fields %v", suffix, got)
		}
		s.do(t, http.MethodPost, p, []byte("x=1"), map[string]string{"Authorization": "Bearer " + d.fo, "Content-Type": "application/x-www-form-urlencoded"}).
			wantStaffError(t, http.StatusUnsupportedMediaType, "UnsupportedMediaType")
	}
	// Unknown routes and methods under a conversation.
	s.do(t, http.MethodGet, staffConvPath(d.cAna, "/close"), nil, bearer(d.fo)).wantStaffError(t, http.StatusMethodNotAllowed, "MethodNotAllowed")
	s.do(t, http.MethodPost, staffConvPath(d.cAna, "/archive"), nil, bearer(d.fo)).wantStaffError(t, http.StatusNotFound, "RouteNotFound")
	s.do(t, http.MethodDelete, staffConvPath(d.cAna, ""), nil, bearer(d.fo)).wantStaffError(t, http.StatusMethodNotAllowed, "MethodNotAllowed")
}

func TestStaffReplyIdempotency(t *testing.T) {
	t.Parallel()
	d := newInboxDemo(t)
	s := d.s
	path := staffConvPath(d.cAna, "/messages")
	body := []byte(`{"content":"On our way","type":"Staff"}`)
	send := func(token, key string, b []byte) response {
		h := bearer(token)
		h["Idempotency-Key"] = key
		return s.do(t, http.MethodPost, path, b, h)
	}
	first := send(d.fo, "reply-1", body)
	first.wantOK(t, http.StatusCreated)
	s.Clock.Advance(time.Minute)
	again := send(d.fo, "reply-1", body)
	if again.Status != http.StatusCreated || string(again.Raw) != string(first.Raw) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry not replayed:\n%s\n%s", first.Raw, again.Raw)
	}
	send(d.fo, "reply-1", []byte(`{"content":"Something else","type":"Staff"}`)).wantStaffError(t, http.StatusConflict, "IdempotencyKeyReused")
	// Another staff user's identical key is theirs alone.
	other := send(d.admin, "reply-1", body)
	other.wantOK(t, http.StatusCreated)
	var firstMsg, otherMsg api.Message
	strictJSON(t, first.Raw, &firstMsg)
	strictJSON(t, other.Raw, &otherMsg)
	if otherMsg.Code == firstMsg.Code {
		t.Fatal("another caller's key replayed the first caller's answer")
	}
	msgs := need(d.sFO.Conversation(t.Context(), d.cAna))(t).Messages
	if len(msgs) != 3 {
		t.Fatalf("%d messages, want 3 (the guest's and one reply per caller)", len(msgs))
	}
	if n := len(need(d.gAna.Conversation(t.Context(), d.cAna))(t).Messages); n != 3 {
		t.Fatalf("the guest sees %d messages, want 3", n)
	}
	// Concurrent duplicates write once and all get the same answer.
	var wg sync.WaitGroup
	answers := make([]string, 10)
	for i := range answers {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			answers[i] = string(send(d.fo, "reply-burst", []byte(`{"content":"burst","type":"Note"}`)).Raw)
		}(i)
	}
	wg.Wait()
	for _, a := range answers[1:] {
		if a != answers[0] {
			t.Fatalf("duplicates got different answers:\n%s\n%s", answers[0], a)
		}
	}
	msgs = need(d.sFO.Conversation(t.Context(), d.cAna))(t).Messages
	if len(msgs) != 4 {
		t.Fatalf("%d messages after the burst, want 4", len(msgs))
	}
	// Acts accept keys too.
	closeWith := func(key string) response {
		h := bearer(d.fo)
		h["Idempotency-Key"] = key
		return s.do(t, http.MethodPost, staffConvPath(d.cAna, "/close"), nil, h)
	}
	c1 := closeWith("close-1")
	c1.wantOK(t, http.StatusOK)
	need(d.sFO.Reopen(t.Context(), d.cAna))(t)
	if c2 := closeWith("close-1"); string(c2.Raw) != string(c1.Raw) {
		t.Fatalf("close not replayed: %s", c2.Raw)
	}
	if c := need(d.sFO.Conversation(t.Context(), d.cAna))(t).Conversation; c.Status != "Open" {
		t.Fatalf("the replayed close closed it again: %v", c.Status)
	}
}

func TestAssignToDisabledUser(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	d := newInboxDemo(t)
	need(d.sAdmin.Assign(ctx, d.cAna, "frontdesk"))(t)
	// Disabled staff users (admin API) cannot be given conversations.
	need(d.sAdmin.DisableStaffUser(ctx, "frontdesk"))(t)
	need(d.sAdmin.Unassign(ctx, d.cAna))(t)
	_, err := d.sAdmin.Assign(ctx, d.cAna, "frontdesk")
	if got := fieldNames(d.sAdmin.fail(t, err, http.StatusBadRequest, "ValidationFailed")); !reflect.DeepEqual(got, []string{"username"}) {
		t.Fatalf("fields %v", got)
	}
}

// TestLastMessageTimeFollowsSequence checks that every view of a conversation gives its
// last-message time as that of its last message in sequence order, even when that message
// carries an earlier time than the one before it (two nodes' clocks): the staff conversation,
// the inbox item (with its lastMessage) and the guest's conversation list agree.
func TestLastMessageTimeFollowsSequence(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	// Without rate limits: with PostgreSQL they are kept in the database by the clock's time,
	// which this test turns back.
	d := newInboxDemoOn(t, serverOptions{demo: true, env: noLimits})
	s := d.s
	stream := s.openEvents(t, guestEventsPath(d.ana), nil)
	defer stream.close()
	reply := need(d.sFO.AddMessage(ctx, d.cAna, api.AddMessageRequest{Content: "Ahora mismo", Type: "Staff"}, ""))(t)
	if st := d.sFO.last(t).Status; st != http.StatusCreated {
		t.Fatalf("reply: HTTP %d", st)
	}
	s.Clock.Advance(-time.Minute) // the guest's message is written after the reply, one minute "earlier"
	late := need(d.gAna.AddMessage(ctx, d.cAna, "¿Y el desayuno?", ""))(t)
	s.Clock.Advance(time.Minute)

	detail := need(d.sAdmin.Conversation(ctx, d.cAna))(t)
	lastMsg := detail.Messages[len(detail.Messages)-1]
	if lastMsg.Content != "¿Y el desayuno?" || lastMsg.CreatedAt == reply.CreatedAt {
		t.Fatalf("last message %+v (the reply %+v)", lastMsg, reply)
	}
	want := lastMsg.CreatedAt
	if got := detail.Conversation.LastMessageAt; got == nil || *got != want {
		t.Errorf("staff conversation lastMessageAt %v, want the last message's %v", got, want)
	}
	var item *api.ConversationSummary
	for _, c := range need(d.sAdmin.Conversations(ctx, client.InboxQuery{}))(t).Conversations {
		if c.Code == d.cAna {
			item = &c
		}
	}
	if item == nil || item.LastMessageAt == nil || *item.LastMessageAt != want || item.LastMessage == nil || item.LastMessage.CreatedAt != want {
		t.Errorf("inbox item %+v, want lastMessageAt and lastMessage.createdAt %v", item, want)
	}
	if got := need(d.gAna.Conversations(ctx, "", client.Page{}))(t).Conversations[0].LastMessageDate; got != late.CreateDate {
		t.Errorf("guest list lastMessageDate %v, want the late message's %v", got, late.CreateDate)
	}
	// The guest's live events: closing the conversation sends its summary.
	need(d.sFO.Close(ctx, d.cAna))(t)
	for range 10 {
		ev := stream.next(t)
		if ev.Event != "conversation.updated" || ev.Data["conversationCode"] != d.cAna {
			continue
		}
		if got := ev.Data["conversation"].(map[string]any)["lastMessageDate"]; got != late.CreateDate {
			t.Errorf("guest event lastMessageDate %v, want the late message's %v", got, late.CreateDate)
		}
		return
	}
	t.Fatal("no conversation.updated event for the closed conversation")
}
