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

// inboxCodes lists the codes of an inbox page.
func inboxCodes(t testing.TB, body map[string]any) []string {
	t.Helper()
	out := []string{}
	list, ok := body["conversations"].([]any)
	if !ok {
		t.Fatalf("no conversations in %v", body)
	}
	for _, c := range list {
		out = append(out, c.(map[string]any)["code"].(string))
	}
	return out
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
}

func newInboxDemo(t *testing.T) *inboxDemo {
	t.Helper()
	return newInboxDemoOn(t, serverOptions{demo: true})
}

// newInboxDemoOn is newInboxDemo on a server started with opts (demo among them).
func newInboxDemoOn(t *testing.T, opts serverOptions) *inboxDemo {
	t.Helper()
	s := startServer(t, opts)
	d := &inboxDemo{s: s}
	d.ana = s.loginRoom(t, "101", "Garcia")
	d.john = s.loginRoom(t, "102", "Smith")
	d.lena = s.loginRoom(t, "103", "Müller")
	d.cAna = s.guestConversation(t, d.ana, "FRONTDESK", "¿Hay más toallas? Gracias", nil)
	s.Clock.Advance(time.Minute)
	d.cJohn = s.guestConversation(t, d.john, "ROOMSERVICE", "Can I add a club sandwich to my order?", map[string]any{"OrderCode": "ORD-1002"})
	s.Clock.Advance(time.Minute)
	d.cLena = s.guestConversation(t, d.lena, "SPA", "Massage um fünf Uhr, bitte", nil)
	s.Clock.Advance(time.Minute)
	d.visitor = s.post(t, pathInitGuest, map[string]any{"PropertyCode": "DEMO", "InterfaceToken": demoToken,
		"GuestUniqueIdentifier": "web-visitor-9", "LanguageCode": "fr"}).token()
	r := s.post(t, pathCreateNV, map[string]any{"SessionToken": d.visitor, "Message": "Une table pour deux ?",
		"ConversationType": "guest", "OrderFormDetailsDictionary": map[string]any{"firstName": "Zoé", "lastName": "Martin", "partySize": 2}})
	d.cVisitor = r.content(t, "createConversationResponse")["conversation"].(map[string]any)["code"].(string)
	s.Clock.Advance(time.Minute)
	d.admin, d.fo, d.rs = s.staffLogin(t, "admin"), s.staffLogin(t, "frontdesk"), s.staffLogin(t, "roomservice")
	return d
}

func TestInboxListAndFilters(t *testing.T) {
	d := newInboxDemo(t)
	s := d.s
	list := func(token, query string) []string {
		t.Helper()
		return inboxCodes(t, s.staffGet(t, token, pathConversations+query).wantOK(t, http.StatusOK))
	}
	want := func(what string, got, want []string) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v, want %v", what, got, want)
		}
	}
	all := []string{d.cVisitor, d.cLena, d.cJohn, d.cAna}
	want("admin", list(d.admin, ""), all)
	want("frontdesk sees the front office's", list(d.fo, ""), []string{d.cVisitor, d.cAna})
	want("roomservice sees room service's", list(d.rs, ""), []string{d.cJohn})

	// The item's shape.
	r := s.staffGet(t, d.admin, pathConversations+"?outlet=ROOMSERVICE")
	item := rawPath(t, r.Raw, "conversations", 0)
	if got := strings.Join(keysOf(t, item), ","); got != "code,id,status,type,subject,propertyCode,serviceCenterCode,outletCode,outletName,roomNumber,guestFirstName,guestLastName,guestLanguageCode,assignee,unreadCount,lastMessageAt,lastMessage,createdAt,updatedAt" {
		t.Fatalf("item keys %s", got)
	}
	if got := strings.Join(keysOf(t, rawPath(t, item, "lastMessage")), ","); got != "code,type,content,languageCode,createdAt,author" {
		t.Fatalf("lastMessage keys %s", got)
	}
	it := r.Body["conversations"].([]any)[0].(map[string]any)
	if it["code"] != d.cJohn || it["status"] != "Open" || it["outletCode"] != "ROOMSERVICE" || it["serviceCenterCode"] != "RS" ||
		it["propertyCode"] != "DEMO" || it["roomNumber"] != "102" || it["guestLanguageCode"] != "en" || it["unreadCount"] != float64(1) ||
		it["assignee"] != nil || it["subject"] != "In-Room Dining – Order ORD-1002" || it["guestLastName"] != "Smith" ||
		it["lastMessageAt"] != "2026-11-25T11:01:00.000000000Z" || it["type"] != "guest" || it["outletName"] != "In-Room Dining" {
		t.Fatalf("item %v", it)
	}
	if lm := it["lastMessage"].(map[string]any); lm["type"] != "Guest" || lm["content"] != "Can I add a club sandwich to my order?" ||
		lm["languageCode"] != "en" || lm["createdAt"] != "2026-11-25T11:01:00.000000000Z" || lm["author"].(map[string]any)["username"] != nil {
		t.Fatalf("lastMessage %v", lm)
	}
	if id, _ := it["id"].(float64); id <= 0 {
		t.Fatalf("id %v", it["id"])
	}
	if r.Body["nextCursor"] != "" {
		t.Fatalf("nextCursor %v on the only page", r.Body["nextCursor"])
	}

	// Filters.
	want("property", list(d.admin, "?property=demo"), all)
	want("unknown property", list(d.admin, "?property=NOPE"), []string{})
	want("service center", list(d.admin, "?serviceCenter=FO"), []string{d.cVisitor, d.cAna})
	want("another's service center", list(d.fo, "?serviceCenter=RS"), []string{})
	want("outlet", list(d.admin, "?outlet=SPA"), []string{d.cLena})
	want("search: accents and case ignored", list(d.admin, "?q="+url.QueryEscape("MAS toallas")), []string{d.cAna})
	want("search: accented query", list(d.admin, "?q="+url.QueryEscape("fünf")), []string{d.cLena})
	want("search: word prefix", list(d.admin, "?q=sandw"), []string{d.cJohn})
	want("search: every word", list(d.admin, "?q="+url.QueryEscape("sandwich massage")), []string{})
	want("search: scoped", list(d.fo, "?q=sandwich"), []string{})
	want("search: punctuation", list(d.admin, "?q="+url.QueryEscape(`"table" OR *deux*`)), []string{})
	want("search: punctuation ignored", list(d.admin, "?q="+url.QueryEscape(`"table", deux?`)), []string{d.cVisitor})

	s.staffPost(t, d.admin, staffConvPath(d.cLena, "/close"), nil).wantOK(t, http.StatusOK)
	s.Clock.Advance(time.Second)
	s.staffPost(t, d.fo, staffConvPath(d.cAna, "/read"), nil).wantOK(t, http.StatusOK)
	s.Clock.Advance(time.Second)
	s.staffPost(t, d.fo, staffConvPath(d.cVisitor, "/assign"), map[string]any{"username": "frontdesk"}).wantOK(t, http.StatusOK)
	// Closing and assigning are activity, reading is not: cVisitor (assigned last), cLena
	// (closed), then cJohn and cAna as before.
	want("after acts", list(d.admin, ""), []string{d.cVisitor, d.cLena, d.cJohn, d.cAna})
	want("status", list(d.admin, "?status=Closed"), []string{d.cLena})
	want("status, any case", s.lenientCodes(t, d.admin, "?status=open"), []string{d.cVisitor, d.cJohn, d.cAna})
	want("unread", list(d.admin, "?unread=true"), []string{d.cVisitor, d.cLena, d.cJohn})
	want("read", list(d.admin, "?unread=false"), []string{d.cAna})
	want("assigned to me", list(d.fo, "?assignee=me"), []string{d.cVisitor})
	want("assigned to the admin", list(d.admin, "?assignee=me"), []string{})
	want("unassigned", list(d.fo, "?assignee=nobody"), []string{d.cAna})
	want("anyone", list(d.fo, "?assignee=anyone"), []string{d.cVisitor, d.cAna})
	want("filters combine", list(d.admin, "?serviceCenter=FO&unread=true&assignee=me&status=Open"), []string{})
	want("filters combine", list(d.admin, "?serviceCenter=FO&unread=true&status=Open&q=deux"), []string{d.cVisitor})
	if a := s.staffGet(t, d.fo, pathConversations+"?assignee=me").Body["conversations"].([]any)[0].(map[string]any)["assignee"]; !reflect.DeepEqual(a, map[string]any{"username": "frontdesk", "displayName": "Front Desk Agent"}) {
		t.Fatalf("assignee %v", a)
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
	s.do(t, http.MethodGet, pathConversations, nil, nil).wantStaffError(t, http.StatusUnauthorized, "AuthenticationFailed")
	s.noSecretsLogged(t, d.admin, d.fo, d.rs)
}

// TestInboxLastMessage follows the inbox's last message of a conversation through a staff
// reply, a note (staff see notes) and a guest message longer than the preview, which the inbox
// shortens while the conversation keeps it whole; and checks the page is one query's worth:
// every item carries its last message.
func TestInboxLastMessage(t *testing.T) {
	d := newInboxDemo(t)
	s := d.s
	last := func(token string) map[string]any {
		t.Helper()
		body := s.staffGet(t, token, pathConversations+"?outlet=ROOMSERVICE").wantOK(t, http.StatusOK)
		list := body["conversations"].([]any)
		if len(list) != 1 {
			t.Fatalf("%d conversations", len(list))
		}
		lm, ok := list[0].(map[string]any)["lastMessage"].(map[string]any)
		if !ok {
			t.Fatalf("no lastMessage in %v", list[0])
		}
		return lm
	}
	for _, it := range s.staffGet(t, d.admin, pathConversations).wantOK(t, http.StatusOK)["conversations"].([]any) {
		if it.(map[string]any)["lastMessage"] == nil {
			t.Errorf("no last message for %v", it.(map[string]any)["code"])
		}
	}

	s.Clock.Advance(time.Minute)
	reply := s.staffPost(t, d.rs, staffConvPath(d.cJohn, "/messages"), map[string]any{"content": "Of course, on its way.", "type": "Staff"}).
		wantOK(t, http.StatusCreated)
	lm := last(d.rs)
	author := lm["author"].(map[string]any)
	if lm["code"] != reply["code"] || lm["type"] != "Staff" || lm["content"] != "Of course, on its way." ||
		author["username"] != "roomservice" || author["firstName"] != reply["author"].(map[string]any)["firstName"] ||
		lm["createdAt"] != reply["createdAt"] || lm["languageCode"] != reply["languageCode"] {
		t.Fatalf("after a reply: %v (reply %v)", lm, reply)
	}

	s.Clock.Advance(time.Minute)
	note := s.staffPost(t, d.rs, staffConvPath(d.cJohn, "/messages"), map[string]any{"content": "Kitchen closes at 11", "type": "Note"}).
		wantOK(t, http.StatusCreated)
	if lm := last(d.admin); lm["code"] != note["code"] || lm["type"] != "Note" || lm["content"] != "Kitchen closes at 11" ||
		lm["author"].(map[string]any)["username"] != "roomservice" {
		t.Fatalf("after a note: %v", lm)
	}

	s.Clock.Advance(time.Minute)
	long := strings.Repeat("ü", 150) + strings.Repeat("🙂", 100) // 250 characters, multi-byte
	s.post(t, convPath(d.cJohn, "/Messages"), map[string]any{"SessionToken": d.john, "Message": long}).content(t, "addMessageResponse")
	lm = last(d.rs)
	want := strings.Repeat("ü", 150) + strings.Repeat("🙂", 50) + "…"
	if lm["type"] != "Guest" || lm["content"] != want || lm["author"].(map[string]any)["username"] != nil {
		t.Fatalf("after a long guest message: %v", lm)
	}
	msgs := s.staffGet(t, d.rs, staffConvPath(d.cJohn, "")).wantOK(t, http.StatusOK)["messages"].([]any)
	if whole := msgs[len(msgs)-1].(map[string]any); whole["content"] != long || whole["code"] != lm["code"] {
		t.Fatalf("the conversation's last message %v", whole)
	}
}

// lenientCodes lists the inbox with a query the document does not describe (other letter cases).
func (s *server) lenientCodes(t testing.TB, token, query string) []string {
	t.Helper()
	h := bearer(token)
	h[lenientHeader] = "1"
	return inboxCodes(t, s.do(t, http.MethodGet, pathConversations+query, nil, h).wantOK(t, http.StatusOK))
}

func TestInboxPaging(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	admin := s.staffLogin(t, "admin")
	var want []string
	for i, room := range []string{"101", "102", "103", "104"} {
		tok := s.loginRoom(t, room, map[string]string{"101": "Garcia", "102": "Smith", "103": "Muller", "104": "Dubois"}[room])
		for j := range 3 {
			code := s.guestConversation(t, tok, "FRONTDESK", fmt.Sprintf("guest %d message %d", i, j), nil)
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
			r := s.staffGet(t, admin, fmt.Sprintf("%s?limit=%d&cursor=%s", pathConversations, limit, cursor))
			body := r.wantOK(t, http.StatusOK)
			codes := inboxCodes(t, body)
			if len(codes) > limit {
				t.Fatalf("limit %d: %d items", limit, len(codes))
			}
			got = append(got, codes...)
			cursor, _ = body["nextCursor"].(string)
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
	if n := len(inboxCodes(t, s.staffGet(t, admin, pathConversations).wantOK(t, http.StatusOK))); n != 12 {
		t.Fatalf("default page: %d items", n)
	}
	first := s.staffGet(t, admin, pathConversations+"?limit=3").wantOK(t, http.StatusOK)
	s.staffPost(t, admin, staffConvPath(want[11], "/close"), nil).wantOK(t, http.StatusOK)
	next := inboxCodes(t, s.staffGet(t, admin, pathConversations+"?limit=3&cursor="+first["nextCursor"].(string)).wantOK(t, http.StatusOK))
	if !reflect.DeepEqual(next, want[3:6]) {
		t.Fatalf("second page %v, want %v", next, want[3:6])
	}
	if codes := inboxCodes(t, s.staffGet(t, admin, pathConversations+"?limit=1").wantOK(t, http.StatusOK)); codes[0] != want[11] {
		t.Fatalf("the closed conversation is not first: %v", codes)
	}
}

func TestInboxCounts(t *testing.T) {
	d := newInboxDemo(t)
	s := d.s
	counts := func(token string) string {
		t.Helper()
		r := s.staffGet(t, token, "/api/v1/inbox/counts")
		body := r.wantOK(t, http.StatusOK)
		var rows []string
		for _, sc := range body["serviceCenters"].([]any) {
			m := sc.(map[string]any)
			rows = append(rows, fmt.Sprintf("%s/%s %s unread=%v convs=%v open=%v", m["propertyCode"], m["code"], m["name"],
				m["unread"], m["unreadConversations"], m["open"]))
		}
		return strings.Join(rows, "; ")
	}
	s.post(t, convPath(d.cAna, "/Messages"), map[string]any{"SessionToken": d.ana, "Message": "¿Y jabón?"}).content(t, "addMessageResponse")
	if got, want := counts(d.admin), "DEMO/FO Front Office unread=3 convs=2 open=2; DEMO/RS Room Service unread=1 convs=1 open=1; DEMO/SPA Spa unread=1 convs=1 open=1"; got != want {
		t.Fatalf("admin counts:\n got %s\nwant %s", got, want)
	}
	if got, want := counts(d.fo), "DEMO/FO Front Office unread=3 convs=2 open=2"; got != want {
		t.Fatalf("frontdesk counts: %s", got)
	}
	s.staffPost(t, d.fo, staffConvPath(d.cAna, "/read"), nil).wantOK(t, http.StatusOK)
	s.staffPost(t, d.fo, staffConvPath(d.cVisitor, "/close"), nil).wantOK(t, http.StatusOK)
	if got, want := counts(d.fo), "DEMO/FO Front Office unread=1 convs=1 open=1"; got != want {
		t.Fatalf("frontdesk counts after reading and closing: %s", got)
	}
	if got, want := counts(d.rs), "DEMO/RS Room Service unread=1 convs=1 open=1"; got != want {
		t.Fatalf("roomservice counts: %s", got)
	}
	r := s.staffGet(t, d.rs, "/api/v1/inbox/counts")
	if got := keysOf(t, rawPath(t, r.Raw, "serviceCenters", 0)); strings.Join(got, ",") != "code,name,propertyCode,unread,unreadConversations,open" {
		t.Fatalf("keys %v", got)
	}
	s.do(t, http.MethodGet, "/api/v1/inbox/counts", nil, nil).wantStaffError(t, http.StatusUnauthorized, "AuthenticationFailed")
}

// guestView returns the conversation as the guest sees it and the raw answer.
func (s *server) guestView(t testing.TB, token, code string) (map[string]any, []byte) {
	t.Helper()
	r := s.get(t, convPath(code, "?SessionToken="+token))
	return r.content(t, "getConversationResponse")["conversation"].(map[string]any), r.Raw
}

func TestConversationDetailAndActs(t *testing.T) {
	d := newInboxDemo(t)
	s := d.s

	t.Run("detail of a verified guest's conversation with an order", func(t *testing.T) {
		r := s.staffGet(t, d.rs, staffConvPath(strings.ToLower(d.cJohn), ""))
		body := r.wantOK(t, http.StatusOK)
		if got := keysOf(t, r.Raw); !reflect.DeepEqual(got, []string{"conversation", "messages"}) {
			t.Fatalf("keys %v", got)
		}
		conv := rawPath(t, r.Raw, "conversation")
		if got := strings.Join(keysOf(t, conv), ","); got != "code,id,status,type,subject,propertyCode,serviceCenterCode,outletCode,outlet,serviceCenter,roomNumber,guestFirstName,guestLastName,guestLanguageCode,stay,guestIdentifier,order,orderForm,assignee,unreadCount,lastMessageAt,createdAt,updatedAt" {
			t.Fatalf("conversation keys %s", got)
		}
		c := body["conversation"].(map[string]any)
		today := concierge.DateOf(s.Clock.Now(), time.UTC)
		wantStay := map[string]any{"roomNumber": "102", "firstName": "John", "lastName": "Smith", "languageCode": "en",
			"arrival": string(today.AddDays(-1)), "departure": string(today.AddDays(3)), "bookingReference": "DEMO-102"}
		if c["code"] != d.cJohn || !reflect.DeepEqual(c["stay"], wantStay) || c["guestIdentifier"] != nil ||
			!reflect.DeepEqual(c["order"], map[string]any{"code": "ORD-1002", "status": "Acknowledged"}) || c["orderForm"] != nil ||
			!reflect.DeepEqual(c["outlet"], map[string]any{"code": "ROOMSERVICE", "name": "In-Room Dining"}) ||
			!reflect.DeepEqual(c["serviceCenter"], map[string]any{"code": "RS", "name": "Room Service", "staffLanguageCode": "en"}) ||
			c["assignee"] != nil || c["unreadCount"] != float64(1) || c["roomNumber"] != "102" {
			t.Fatalf("conversation %v", c)
		}
		msgs := body["messages"].([]any)
		if len(msgs) != 1 {
			t.Fatalf("messages %v", msgs)
		}
		m := rawPath(t, r.Raw, "messages", 0)
		if got := strings.Join(keysOf(t, m), ","); got != "code,conversationCode,seq,type,content,languageCode,translations,createdAt,author,isRead,readAt,translationStates" {
			t.Fatalf("message keys %s", got)
		}
		m0 := msgs[0].(map[string]any)
		if m0["type"] != "Guest" || m0["content"] != "Can I add a club sandwich to my order?" || m0["languageCode"] != "en" ||
			!reflect.DeepEqual(m0["translations"], map[string]any{}) || m0["isRead"] != false || m0["readAt"] != nil ||
			!reflect.DeepEqual(m0["author"], map[string]any{"firstName": "John", "lastName": "Smith", "username": nil}) ||
			m0["seq"] != float64(1) || m0["conversationCode"] != d.cJohn || !staffTime.MatchString(m0["createdAt"].(string)) {
			t.Fatalf("message %v", m0)
		}
	})

	t.Run("detail of a non-verified guest's conversation with order-form details", func(t *testing.T) {
		c := s.staffGet(t, d.fo, staffConvPath(d.cVisitor, "")).wantOK(t, http.StatusOK)["conversation"].(map[string]any)
		if c["stay"] != nil || c["guestIdentifier"] != "web-visitor-9" || c["order"] != nil || c["roomNumber"] != "" ||
			!reflect.DeepEqual(c["orderForm"], map[string]any{"firstName": "Zoé", "lastName": "Martin", "partySize": float64(2)}) ||
			c["guestFirstName"] != "Zoé" || c["guestLanguageCode"] != "fr" {
			t.Fatalf("conversation %v", c)
		}
	})

	var reply string
	t.Run("reply reaches the guest with the staff name; read receipts both ways", func(t *testing.T) {
		s.Clock.Advance(time.Minute)
		r := s.staffPost(t, d.fo, staffConvPath(d.cAna, "/messages"), map[string]any{"content": "  Yes, on their way.  ", "type": "Staff"})
		m := r.wantOK(t, http.StatusCreated)
		reply, _ = m["code"].(string)
		if m["type"] != "Staff" || m["content"] != "Yes, on their way." || m["languageCode"] != "en" || m["seq"] != float64(2) ||
			!reflect.DeepEqual(m["author"], map[string]any{"firstName": "Front", "lastName": "Desk Agent", "username": "frontdesk"}) ||
			m["isRead"] != false || m["conversationCode"] != d.cAna {
			t.Fatalf("reply %v", m)
		}
		conv, _ := s.guestView(t, d.ana, d.cAna)
		msgs := conv["messages"].([]any)
		gm, sm := msgs[0].(map[string]any), msgs[1].(map[string]any)
		if len(msgs) != 2 || sm["code"] != reply || sm["messageType"] != "Staff" || sm["content"] != "Yes, on their way." ||
			sm["firstName"] != "Front" || sm["lastName"] != "Desk Agent" || sm["isRead"] != false || gm["isRead"] != false ||
			sm["serviceCenterName"] != "Front Office" {
			t.Fatalf("guest sees %v", msgs)
		}
		// The guest reads the reply: staff see it read.
		s.post(t, convPath(d.cAna, "/Read"), map[string]any{"SessionToken": d.ana}).content(t, "responseStatus")
		staffMsgs := s.staffGet(t, d.fo, staffConvPath(d.cAna, "")).wantOK(t, http.StatusOK)["messages"].([]any)
		if sm := staffMsgs[1].(map[string]any); sm["isRead"] != true || !staffTime.MatchString(fmt.Sprint(sm["readAt"])) {
			t.Fatalf("staff do not see the guest's read receipt: %v", sm)
		}
		if gm := staffMsgs[0].(map[string]any); gm["isRead"] != false {
			t.Fatalf("the guest's own message is read: %v", gm)
		}
		// Staff read the guest's message: the guest sees it read.
		c := s.staffPost(t, d.fo, staffConvPath(d.cAna, "/read"), nil).wantOK(t, http.StatusOK)
		if c["unreadCount"] != float64(0) || c["code"] != d.cAna {
			t.Fatalf("after read: %v", c)
		}
		conv, _ = s.guestView(t, d.ana, d.cAna)
		if gm := conv["messages"].([]any)[0].(map[string]any); gm["isRead"] != true {
			t.Fatalf("the guest does not see staff's read receipt: %v", gm)
		}
	})

	t.Run("read up to a message", func(t *testing.T) {
		first := s.post(t, convPath(d.cJohn, "/Messages"), map[string]any{"SessionToken": d.john, "Message": "And a cola"}).
			content(t, "addMessageResponse")["message"].(map[string]any)["code"].(string)
		s.post(t, convPath(d.cJohn, "/Messages"), map[string]any{"SessionToken": d.john, "Message": "No ice"}).content(t, "addMessageResponse")
		c := s.staffPost(t, d.rs, staffConvPath(d.cJohn, "/read"), map[string]any{"upToMessageCode": strings.ToLower(first)}).wantOK(t, http.StatusOK)
		if c["unreadCount"] != float64(1) {
			t.Fatalf("unreadCount %v, want 1", c["unreadCount"])
		}
		// An act answers with the conversation as the detail shows it: room, order, property.
		if c["roomNumber"] != "102" || c["propertyCode"] != "DEMO" ||
			!reflect.DeepEqual(c["order"], map[string]any{"code": "ORD-1002", "status": "Acknowledged"}) ||
			c["stay"].(map[string]any)["roomNumber"] != "102" {
			t.Fatalf("read answers %v", c)
		}
		e := s.staffPost(t, d.rs, staffConvPath(d.cJohn, "/read"), map[string]any{"upToMessageCode": reply}).
			wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
		if got := fieldsOf(e); !reflect.DeepEqual(got, []string{"upToMessageCode"}) {
			t.Fatalf("fields %v", got)
		}
		s.do(t, http.MethodPost, staffConvPath(d.cJohn, "/read"), []byte(`{"upToMessageCode":5}`), bearer(d.rs)).
			wantStaffError(t, http.StatusBadRequest, "MalformedRequest")
	})

	t.Run("note: staff see it, the guest never", func(t *testing.T) {
		m := s.staffPost(t, d.fo, staffConvPath(d.cAna, "/messages"), map[string]any{"content": "VIP: upgrade if possible", "type": "Note"}).
			wantOK(t, http.StatusCreated)
		if m["type"] != "Note" || m["author"].(map[string]any)["username"] != "frontdesk" {
			t.Fatalf("note %v", m)
		}
		staffMsgs := s.staffGet(t, d.admin, staffConvPath(d.cAna, "")).wantOK(t, http.StatusOK)["messages"].([]any)
		if last := staffMsgs[len(staffMsgs)-1].(map[string]any); last["type"] != "Note" || last["content"] != "VIP: upgrade if possible" {
			t.Fatalf("staff do not see the note: %v", last)
		}
		d.noNoteForGuest(t, "VIP: upgrade if possible") // not just "VIP": a random session token may hold those letters
	})

	t.Run("close, reopen, a staff reply reopens, a note does not", func(t *testing.T) {
		c := s.staffPost(t, d.fo, staffConvPath(d.cAna, "/close"), nil).wantOK(t, http.StatusOK)
		if c["status"] != "Closed" {
			t.Fatalf("close: %v", c)
		}
		updated := c["updatedAt"]
		s.Clock.Advance(time.Minute)
		if c := s.staffPost(t, d.fo, staffConvPath(d.cAna, "/close"), nil).wantOK(t, http.StatusOK); c["status"] != "Closed" || c["updatedAt"] != updated {
			t.Fatalf("closing again changed it: %v", c)
		}
		gc, _ := s.guestView(t, d.ana, d.cAna)
		if gc["conversationStatus"] != "Closed" {
			t.Fatalf("the guest sees %v", gc["conversationStatus"])
		}
		if c := s.staffPost(t, d.fo, staffConvPath(d.cAna, "/reopen"), nil).wantOK(t, http.StatusOK); c["status"] != "Open" {
			t.Fatalf("reopen: %v", c)
		}
		s.staffPost(t, d.fo, staffConvPath(d.cAna, "/close"), nil).wantOK(t, http.StatusOK)
		s.staffPost(t, d.fo, staffConvPath(d.cAna, "/messages"), map[string]any{"content": "closed note", "type": "Note"}).wantOK(t, http.StatusCreated)
		if c := s.staffGet(t, d.fo, staffConvPath(d.cAna, "")).wantOK(t, http.StatusOK)["conversation"].(map[string]any); c["status"] != "Closed" {
			t.Fatalf("a note reopened it: %v", c["status"])
		}
		s.staffPost(t, d.fo, staffConvPath(d.cAna, "/messages"), map[string]any{"content": "Anything else?", "type": "Staff"}).wantOK(t, http.StatusCreated)
		if c := s.staffGet(t, d.fo, staffConvPath(d.cAna, "")).wantOK(t, http.StatusOK)["conversation"].(map[string]any); c["status"] != "Open" {
			t.Fatalf("a reply did not reopen it: %v", c["status"])
		}
	})

	t.Run("assign and unassign", func(t *testing.T) {
		c := s.staffPost(t, d.admin, staffConvPath(d.cAna, "/assign"), map[string]any{"username": "FrontDesk"}).wantOK(t, http.StatusOK)
		if !reflect.DeepEqual(c["assignee"], map[string]any{"username": "frontdesk", "displayName": "Front Desk Agent"}) {
			t.Fatalf("assign: %v", c)
		}
		for _, who := range []string{"roomservice", "nobody-at-all", strings.Repeat("u", 201)} {
			e := s.staffPost(t, d.admin, staffConvPath(d.cAna, "/assign"), map[string]any{"username": who}).
				wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
			if got := fieldsOf(e); !reflect.DeepEqual(got, []string{"username"}) {
				t.Fatalf("%s: fields %v", who, got)
			}
		}
		s.do(t, http.MethodPost, staffConvPath(d.cAna, "/assign"), []byte(`{"username":5}`), bearer(d.admin)).
			wantStaffError(t, http.StatusBadRequest, "MalformedRequest")
		if c := s.staffPost(t, d.fo, staffConvPath(d.cAna, "/unassign"), nil).wantOK(t, http.StatusOK); c["assignee"] != nil {
			t.Fatalf("unassign: %v", c)
		}
		s.staffPost(t, d.fo, staffConvPath(d.cAna, "/assign"), map[string]any{"username": "admin"}).wantOK(t, http.StatusOK)
		if c := s.staffPost(t, d.fo, staffConvPath(d.cAna, "/assign"), map[string]any{"username": nil}).wantOK(t, http.StatusOK); c["assignee"] != nil {
			t.Fatalf("assign null: %v", c)
		}
		s.staffPost(t, d.fo, staffConvPath(d.cAna, "/assign"), map[string]any{"username": "frontdesk"}).wantOK(t, http.StatusOK)
		if c := s.staffPost(t, d.fo, staffConvPath(d.cAna, "/assign"), map[string]any{"username": ""}).wantOK(t, http.StatusOK); c["assignee"] != nil {
			t.Fatalf("assign empty: %v", c)
		}
	})

	t.Run("move to another outlet", func(t *testing.T) {
		s.staffPost(t, d.fo, staffConvPath(d.cAna, "/assign"), map[string]any{"username": "frontdesk"}).wantOK(t, http.StatusOK)
		// Within the front office: the assignee can still see it and stays.
		c := s.staffPost(t, d.fo, staffConvPath(d.cAna, "/move"), map[string]any{"outletCode": "giftshop"}).wantOK(t, http.StatusOK)
		if c["outletCode"] != "GIFTSHOP" || c["serviceCenterCode"] != "FO" || c["assignee"] == nil || c["subject"] != "Front Desk" {
			t.Fatalf("move within FO: %v", c)
		}
		// An agent cannot send it to another team's outlet, nor to an unknown one.
		s.staffPost(t, d.fo, staffConvPath(d.cAna, "/move"), map[string]any{"outletCode": "ROOMSERVICE"}).wantStaffError(t, http.StatusForbidden, "Forbidden")
		s.staffPost(t, d.fo, staffConvPath(d.cAna, "/move"), map[string]any{"outletCode": "NOPE"}).wantStaffError(t, http.StatusNotFound, "OutletNotFound")
		e := s.staffPost(t, d.fo, staffConvPath(d.cAna, "/move"), map[string]any{"outletCode": " "}).wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
		if got := fieldsOf(e); !reflect.DeepEqual(got, []string{"outletCode"}) {
			t.Fatalf("fields %v", got)
		}
		s.do(t, http.MethodPost, staffConvPath(d.cAna, "/move"), []byte(`{"outletCode":["SPA"]}`), bearer(d.fo)).
			wantStaffError(t, http.StatusBadRequest, "MalformedRequest")
		// The admin sends it to room service: frontdesk loses it, roomservice gets it unassigned.
		c = s.staffPost(t, d.admin, staffConvPath(d.cAna, "/move"), map[string]any{"outletCode": "ROOMSERVICE"}).wantOK(t, http.StatusOK)
		if c["outletCode"] != "ROOMSERVICE" || c["serviceCenterCode"] != "RS" || c["assignee"] != nil {
			t.Fatalf("move to RS: %v", c)
		}
		s.staffGet(t, d.fo, staffConvPath(d.cAna, "")).wantStaffError(t, http.StatusNotFound, "ConversationNotFound")
		s.staffGet(t, d.rs, staffConvPath(d.cAna, "")).wantOK(t, http.StatusOK)
		// The guest sees the new outlet and service center.
		gc, _ := s.guestView(t, d.ana, d.cAna)
		if gc["outletCode"] != "ROOMSERVICE" || gc["messages"].([]any)[0].(map[string]any)["serviceCenterName"] != "Room Service" {
			t.Fatalf("the guest sees %v", gc)
		}
		// Moving to where it is changes nothing.
		updated := c["updatedAt"]
		s.Clock.Advance(time.Minute)
		if c := s.staffPost(t, d.rs, staffConvPath(d.cAna, "/move"), map[string]any{"outletCode": "ROOMSERVICE"}).wantOK(t, http.StatusOK); c["updatedAt"] != updated {
			t.Fatalf("a move to the same outlet changed it: %v", c)
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
	d := newInboxDemo(t)
	s := d.s
	for _, c := range []struct{ token, code string }{{d.fo, d.cAna}, {d.rs, d.cJohn}, {d.admin, d.cLena}, {d.fo, d.cVisitor}} {
		s.staffPost(t, c.token, staffConvPath(c.code, "/messages"), map[string]any{"content": "SECRET-NOTE about " + c.code, "type": "Note"}).
			wantOK(t, http.StatusCreated)
	}
	d.noNoteForGuest(t, "SECRET-NOTE")
	// A guest's unread count ignores notes; the guest's Read call does not mark them.
	c := s.get(t, "/API/V40/Interactive/Messages/Conversations?SessionToken="+d.ana).content(t, "getConversationsResponse")
	if n := c["conversations"].([]any)[0].(map[string]any)["unreadCount"]; n != float64(0) {
		t.Fatalf("unreadCount %v counts the note", n)
	}
	s.post(t, convPath(d.cAna, "/Read"), map[string]any{"SessionToken": d.ana}).content(t, "responseStatus")
	msgs := s.staffGet(t, d.fo, staffConvPath(d.cAna, "")).wantOK(t, http.StatusOK)["messages"].([]any)
	if note := msgs[1].(map[string]any); note["type"] != "Note" || note["isRead"] != false {
		t.Fatalf("note %v", note)
	}
	// The guest's paging totals do not count notes either.
	m := s.get(t, pathMessages+"?SessionToken="+d.ana).content(t, "getMessagesResponse")
	if m["totalCount"] != float64(1) {
		t.Fatalf("totalCount %v", m["totalCount"])
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
	d := newInboxDemo(t)
	s := d.s
	cOther := addManagerAndOtherProperty(t, s)
	manager := s.staffLogin(t, "manager")
	key := s.staffPost(t, d.admin, pathAPIKeys, map[string]any{"name": "PMS", "role": "manager", "properties": []string{"DEMO"}}).
		wantOK(t, http.StatusCreated)["secret"].(string)
	adminKey := s.staffPost(t, d.admin, pathAPIKeys, map[string]any{"name": "Ops", "role": "admin"}).
		wantOK(t, http.StatusCreated)["secret"].(string)

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
		{"reply", http.MethodPost, "/messages", func(object) any { return map[string]any{"content": "Hello", "type": "Staff"} }, http.StatusCreated},
		{"note", http.MethodPost, "/messages", func(object) any { return map[string]any{"content": "psst", "type": "Note"} }, http.StatusCreated},
		{"close", http.MethodPost, "/close", nil, http.StatusOK},
		{"reopen", http.MethodPost, "/reopen", nil, http.StatusOK},
		{"read", http.MethodPost, "/read", func(object) any { return map[string]any{} }, http.StatusOK},
		{"assign", http.MethodPost, "/assign", func(object) any { return map[string]any{"username": nil} }, http.StatusOK},
		{"unassign", http.MethodPost, "/unassign", nil, http.StatusOK},
		{"move", http.MethodPost, "/move", func(o object) any { return map[string]any{"outletCode": o.outlet} }, http.StatusOK},
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
					e := r.wantStaffError(t, http.StatusNotFound, "ConversationNotFound")
					if e["message"] != unknownMessage(o.code) || e["fields"] != nil {
						t.Errorf("%s: the error tells the conversation exists: %v", cell, e)
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
	m := s.staffPost(t, manager, staffConvPath(d.cJohn, "/messages"), map[string]any{"content": "Done", "type": "Staff"}).wantOK(t, http.StatusCreated)
	if a := m["author"].(map[string]any); a["firstName"] != "Maria" || a["lastName"] != "Lopez Diaz" {
		t.Fatalf("author %v", a)
	}
	// Without credentials, every route is AuthenticationFailed.
	for _, rt := range routes {
		s.do(t, rt.method, staffConvPath(fo.code, rt.suffix), nil, nil).wantStaffError(t, http.StatusUnauthorized, "AuthenticationFailed")
	}
	s.noSecretsLogged(t, d.admin, d.fo, d.rs, manager, key, adminKey)
}

func TestStaffWriteValidation(t *testing.T) {
	d := newInboxDemo(t)
	s := d.s
	path := staffConvPath(d.cAna, "/messages")
	send := func(raw string) response { return s.do(t, http.MethodPost, path, []byte(raw), bearer(d.fo)) }
	for _, c := range []struct {
		what   string
		body   any
		fields []string
	}{
		{"empty", map[string]any{}, []string{"type", "content"}},
		{"no type", map[string]any{"content": "x"}, []string{"type"}},
		{"no content", map[string]any{"type": "Staff"}, []string{"content"}},
		{"blank", map[string]any{"content": " \n\t ", "type": "Staff"}, []string{"content"}},
		{"a guest's type", map[string]any{"content": "x", "type": "Guest"}, []string{"type"}},
		{"a system type", map[string]any{"content": "x", "type": "System"}, []string{"type"}},
		{"too long", map[string]any{"content": strings.Repeat("é", 4001), "type": "Staff"}, []string{"content"}},
		{"NUL", map[string]any{"content": "a\x00b", "type": "Note"}, []string{"content"}},
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
	m := s.staffPost(t, d.fo, path, map[string]any{"content": "  " + strings.Repeat("é", 4000) + "  ", "type": "Staff"}).wantOK(t, http.StatusCreated)
	if m["seq"] != float64(2) {
		t.Fatalf("the refused messages were written: seq %v", m["seq"])
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
		{"/assign", map[string]any{"username": "a\x00b"}, "username"},
		{"/move", map[string]any{"outletCode": strings.Repeat("X", 201)}, "outletCode"},
		{"/move", map[string]any{}, "outletCode"},
		{"/read", map[string]any{"upToMessageCode": "MNOPE"}, "upToMessageCode"},
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
	if other.Body["code"] == first.Body["code"] {
		t.Fatal("another caller's key replayed the first caller's answer")
	}
	msgs := s.staffGet(t, d.fo, staffConvPath(d.cAna, "")).wantOK(t, http.StatusOK)["messages"].([]any)
	if len(msgs) != 3 {
		t.Fatalf("%d messages, want 3 (the guest's and one reply per caller)", len(msgs))
	}
	conv, _ := s.guestView(t, d.ana, d.cAna)
	if n := len(conv["messages"].([]any)); n != 3 {
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
	msgs = s.staffGet(t, d.fo, staffConvPath(d.cAna, "")).wantOK(t, http.StatusOK)["messages"].([]any)
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
	s.staffPost(t, d.fo, staffConvPath(d.cAna, "/reopen"), nil).wantOK(t, http.StatusOK)
	if c2 := closeWith("close-1"); string(c2.Raw) != string(c1.Raw) {
		t.Fatalf("close not replayed: %s", c2.Raw)
	}
	if c := s.staffGet(t, d.fo, staffConvPath(d.cAna, "")).wantOK(t, http.StatusOK)["conversation"].(map[string]any); c["status"] != "Open" {
		t.Fatalf("the replayed close closed it again: %v", c["status"])
	}
}

func TestAssignToDisabledUser(t *testing.T) {
	d := newInboxDemo(t)
	s := d.s
	s.staffPost(t, d.admin, staffConvPath(d.cAna, "/assign"), map[string]any{"username": "frontdesk"}).wantOK(t, http.StatusOK)
	// Disabled staff users (admin API) cannot be given conversations.
	s.staffPost(t, d.admin, "/api/v1/staff-users/frontdesk/disable", nil).wantOK(t, http.StatusOK)
	s.staffPost(t, d.admin, staffConvPath(d.cAna, "/unassign"), nil).wantOK(t, http.StatusOK)
	e := s.staffPost(t, d.admin, staffConvPath(d.cAna, "/assign"), map[string]any{"username": "frontdesk"}).
		wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
	if got := fieldsOf(e); !reflect.DeepEqual(got, []string{"username"}) {
		t.Fatalf("fields %v", got)
	}
}

// TestLastMessageTimeFollowsSequence checks that every view of a conversation gives its
// last-message time as that of its last message in sequence order, even when that message
// carries an earlier time than the one before it (two nodes' clocks): the staff conversation,
// the inbox item (with its lastMessage) and the guest's conversation list agree.
func TestLastMessageTimeFollowsSequence(t *testing.T) {
	// Without rate limits: with PostgreSQL they are kept in the database by the clock's time,
	// which this test turns back.
	d := newInboxDemoOn(t, serverOptions{demo: true, env: noLimits})
	s := d.s
	stream := s.openEvents(t, guestEventsPath(d.ana), nil)
	defer stream.close()
	reply := s.staffPost(t, d.fo, staffConvPath(d.cAna, "/messages"), map[string]any{"content": "Ahora mismo", "type": "Staff"}).
		wantOK(t, http.StatusCreated)
	s.Clock.Advance(-time.Minute) // the guest's message is written after the reply, one minute "earlier"
	late := s.post(t, convPath(d.cAna, "/Messages"), map[string]any{"SessionToken": d.ana, "Message": "¿Y el desayuno?"}).
		content(t, "addMessageResponse")["message"].(map[string]any)
	s.Clock.Advance(time.Minute)

	detail := s.staffGet(t, d.admin, staffConvPath(d.cAna, "")).wantOK(t, http.StatusOK)
	msgs := detail["messages"].([]any)
	lastMsg := msgs[len(msgs)-1].(map[string]any)
	if lastMsg["content"] != "¿Y el desayuno?" || lastMsg["createdAt"] == reply["createdAt"] {
		t.Fatalf("last message %v (the reply %v)", lastMsg, reply)
	}
	want := lastMsg["createdAt"]
	if got := detail["conversation"].(map[string]any)["lastMessageAt"]; got != want {
		t.Errorf("staff conversation lastMessageAt %v, want the last message's %v", got, want)
	}
	var item map[string]any
	for _, c := range s.staffGet(t, d.admin, pathConversations).wantOK(t, http.StatusOK)["conversations"].([]any) {
		if c := c.(map[string]any); c["code"] == d.cAna {
			item = c
		}
	}
	if item == nil || item["lastMessageAt"] != want || item["lastMessage"].(map[string]any)["createdAt"] != want {
		t.Errorf("inbox item %v, want lastMessageAt and lastMessage.createdAt %v", item, want)
	}
	list := s.get(t, "/API/V40/Interactive/Messages/Conversations?SessionToken="+d.ana).content(t, "getConversationsResponse")
	if got := list["conversations"].([]any)[0].(map[string]any)["lastMessageDate"]; got != late["createDate"] {
		t.Errorf("guest list lastMessageDate %v, want the late message's %v", got, late["createDate"])
	}
	// The guest's live events: closing the conversation sends its summary.
	s.staffPost(t, d.fo, staffConvPath(d.cAna, "/close"), nil).wantOK(t, http.StatusOK)
	for range 10 {
		ev := stream.next(t)
		if ev.Event != "conversation.updated" || ev.Data["conversationCode"] != d.cAna {
			continue
		}
		if got := ev.Data["conversation"].(map[string]any)["lastMessageDate"]; got != late["createDate"] {
			t.Errorf("guest event lastMessageDate %v, want the late message's %v", got, late["createDate"])
		}
		return
	}
	t.Fatal("no conversation.updated event for the closed conversation")
}
