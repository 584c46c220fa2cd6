package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"sync"
	"testing"

	"concierge/api"
	"concierge/client"
)

var dateRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}\+00:00$`)

// TestCreateConversationSeed is the seed call of the V40 API: its whole answer, field by field
// and in key order.
func TestCreateConversationSeed(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	g := s.roomGuest(t, "101", "Garcia")
	tok := g.Token()
	conv, err := g.CreateConversation(t.Context(), api.GuestCreateConversationRequest{Message: "  ¿Me traen más toallas?  ",
		ConversationType: "Guest", OutletCode: "roomservice", OrderCode: "ord-1001"}, "")
	if err != nil {
		t.Fatal(err)
	}
	r := g.answer()
	if got, want := keysOf(t, r.Raw), []string{"sessionToken", "responsesIncluded", "responses", "status"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("envelope keys %v", got)
	}
	if r.token() != tok || g.Token() != tok || r.Body["responsesIncluded"] != api.ItemCreateConversation || r.Body["status"] != "Success" {
		t.Fatalf("envelope %s", r.Raw)
	}
	if got := keysOf(t, rawPath(t, r.Raw, "responses", 0, api.ItemCreateConversation)); !reflect.DeepEqual(got, []string{"content", "succeeded"}) {
		t.Fatalf("item keys %v", got)
	}
	convRaw := rawPath(t, r.Raw, "responses", 0, api.ItemCreateConversation, "content", "conversation")
	wantKeys := []string{"code", "subject", "outletCode", "orderCode", "outletName", "propertyCode", "roomNumber",
		"guestFirstName", "guestLastName", "guestLanguageCode", "conversationStatus", "conversationType", "messages"}
	if got := keysOf(t, convRaw); !reflect.DeepEqual(got, wantKeys) {
		t.Fatalf("conversation keys %v\nwant %v", got, wantKeys)
	}
	if conv.Code == "" {
		t.Fatalf("no conversation code: %s", convRaw)
	}
	want := api.GuestConversationFields{Code: conv.Code,
		Subject: "In-Room Dining – Order ORD-1001", OutletCode: "ROOMSERVICE", OrderCode: "ORD-1001",
		OutletName: "In-Room Dining", PropertyCode: "DEMO", RoomNumber: "101", GuestFirstName: "Ana",
		GuestLastName: "Garcia", GuestLanguageCode: "es", ConversationStatus: "Open", ConversationType: "guest",
	}
	if conv.GuestConversationFields != want {
		t.Errorf("conversation %+v\nwant %+v", conv.GuestConversationFields, want)
	}
	msgRaw := rawPath(t, convRaw, "messages", 0)
	wantMsgKeys := []string{"createDate", "code", "isRead", "serviceCenterName", "messageType", "content", "firstName",
		"lastName", "languageCode", "isTranslated", "conversationId"}
	if got := keysOf(t, msgRaw); !reflect.DeepEqual(got, wantMsgKeys) {
		t.Fatalf("message keys %v\nwant %v", got, wantMsgKeys)
	}
	if n := len(conv.Messages); n != 1 {
		t.Fatalf("%d messages", n)
	}
	msg := conv.Messages[0]
	if !dateRE.MatchString(msg.CreateDate) {
		t.Errorf("createDate %q", msg.CreateDate)
	}
	if msg.CreateDate != "2026-11-25T11:00:00.0000000+00:00" {
		t.Errorf("createDate %q, want the server clock in UTC", msg.CreateDate)
	}
	wantMsg := api.GuestMessage{CreateDate: msg.CreateDate, Code: msg.Code, ConversationID: msg.ConversationID,
		IsRead: false, ServiceCenterName: "Room Service", MessageType: "Guest",
		Content: "¿Me traen más toallas?", FirstName: "Ana", LastName: "Garcia", LanguageCode: "es", IsTranslated: false}
	if msg != wantMsg {
		t.Errorf("message %+v\nwant %+v", msg, wantMsg)
	}
	if msg.ConversationID < 1 {
		t.Errorf("conversationId %d is not a positive integer", msg.ConversationID)
	}
	if msg.Code == "" || msg.Code == conv.Code {
		t.Errorf("message code %q", msg.Code)
	}
}

func TestCreateConversationRules(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	ana := s.roomGuest(t, "101", "Garcia")
	john := s.roomGuest(t, "102", "Smith")
	ctx := t.Context()
	t.Run("anonymous message and empty conversation", func(t *testing.T) {
		conv := need(ana.CreateConversation(ctx, api.GuestCreateConversationRequest{Message: "towels please"}, ""))(t)
		msg := conv.Messages[0]
		if msg.FirstName != "" || msg.LastName != "" || conv.ConversationType != "" {
			t.Fatalf("anonymous message carries names: %+v", conv)
		}
		if conv.OutletCode != "FRONTDESK" || conv.Subject != "Front Desk" || conv.OrderCode != "" {
			t.Fatalf("first available outlet not chosen: %+v", conv)
		}
		conv = need(ana.CreateConversation(ctx, api.GuestCreateConversationRequest{Message: "   ", OutletCode: "SPA"}, ""))(t)
		if len(conv.Messages) != 0 || conv.OutletName != "Spa & Wellness" {
			t.Fatalf("blank message must start an empty conversation: %+v", conv)
		}
	})
	t.Run("outlet and order errors", func(t *testing.T) {
		_, err := ana.CreateConversation(ctx, api.GuestCreateConversationRequest{OutletCode: "SPAA"}, "")
		ana.wantFailure(t, err, 404, api.ItemCreateConversation, "OutletNotFound")
		_, err = ana.CreateConversation(ctx, api.GuestCreateConversationRequest{OutletCode: "GIFTSHOP"}, "")
		ana.wantFailure(t, err, 409, api.ItemCreateConversation, "OutletNotAvailable")
		_, err = ana.CreateConversation(ctx, api.GuestCreateConversationRequest{OrderCode: "ORD-9999"}, "")
		ana.wantFailure(t, err, 404, api.ItemCreateConversation, "OrderNotFound")
		// Another stay's order is indistinguishable from an unknown one.
		_, err = john.CreateConversation(ctx, api.GuestCreateConversationRequest{OrderCode: "ORD-1001"}, "")
		john.wantFailure(t, err, 404, api.ItemCreateConversation, "OrderNotFound")
		_, err = ana.CreateConversation(ctx, api.GuestCreateConversationRequest{ConversationType: "staff"}, "")
		ana.wantFailure(t, err, 400, api.ItemCreateConversation, "ValidationFailed")
	})
	t.Run("guests see only their own messages", func(t *testing.T) {
		need(john.CreateConversation(ctx, api.GuestCreateConversationRequest{Message: "john's secret", ConversationType: "guest"}, ""))(t)
		for _, m := range need(ana.Messages(ctx, client.Page{}))(t).Messages {
			if m.Content == "john's secret" {
				t.Fatal("Ana sees John's message")
			}
		}
		if c := need(john.Messages(ctx, client.Page{}))(t); c.TotalCount != 1 {
			t.Fatalf("John sees %v messages", c.TotalCount)
		}
	})
}

func TestNonVerifiedConversations(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	ctx := t.Context()
	nv := s.identifiedGuest(t, "web-visitor-7", "fr")
	// Outlets that do not allow non-verified guests refuse them, by code or via the verified call.
	_, err := nv.CreateNonVerifiedConversation(ctx, api.GuestCreateConversationRequest{OutletCode: "ROOMSERVICE", Message: "x"}, "")
	nv.wantFailure(t, err, 409, api.ItemCreateConversation, "OutletNotAvailable")
	_, err = nv.CreateConversation(ctx, api.GuestCreateConversationRequest{Message: "x"}, "")
	nv.wantFailure(t, err, 403, api.ItemCreateConversation, "GuestNotVerified")
	_, err = nv.CreateNonVerifiedConversation(ctx, api.GuestCreateConversationRequest{OrderCode: "ORD-1001"}, "")
	nv.wantFailure(t, err, 403, api.ItemCreateConversation, "GuestNotVerified")
	// A dictionary that is not an object: the wrong type, on purpose, sent raw.
	s.post(t, pathCreateNV, map[string]any{"SessionToken": nv.Token(), "OrderFormDetailsDictionary": []int{1}}).
		wantFailure(t, 400, api.ItemCreateConversation, "MalformedRequest")

	conv, err := nv.CreateNonVerifiedConversation(ctx, api.GuestCreateConversationRequest{Message: "Une table pour deux ?",
		ConversationType: "guest", OrderFormDetailsDictionary: json.RawMessage(
			`{"FIRSTNAME":"Zoé","lastname":"Martin","partySize":2,"allergies":["nuts"]}`)}, "")
	if err != nil {
		t.Fatal(err)
	}
	if conv.OutletCode != "FRONTDESK" || conv.GuestFirstName != "Zoé" || conv.GuestLastName != "Martin" ||
		conv.RoomNumber != "" || conv.GuestLanguageCode != "fr" {
		t.Fatalf("conversation %+v", conv)
	}
	msg := conv.Messages[0]
	if msg.FirstName != "Zoé" || msg.LastName != "Martin" || msg.LanguageCode != "fr" || msg.ServiceCenterName != "Front Office" {
		t.Fatalf("message %+v", msg)
	}
	// An anonymous session has no identity to own a conversation.
	anon := s.guestApp(t)
	need(anon.Initialise(ctx, api.GuestInitialiseRequest{PropertyCode: "DEMO", InterfaceToken: demoToken}))(t)
	_, err = anon.CreateNonVerifiedConversation(ctx, api.GuestCreateConversationRequest{Message: "x"}, "")
	anon.wantFailure(t, err, 403, api.ItemCreateConversation, "GuestNotVerified")
	_, err = anon.Messages(ctx, client.Page{})
	anon.wantFailure(t, err, 403, api.ItemGetMessages, "GuestNotVerified")
}

func TestGetMessagesPaging(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	ctx := t.Context()
	g := s.roomGuest(t, "102", "Smith")
	tok := g.Token()
	for i := 1; i <= 5; i++ {
		need(g.CreateConversation(ctx, api.GuestCreateConversationRequest{Message: fmt.Sprintf("m%d", i)}, ""))(t)
		s.Clock.Advance(1e9)
	}
	contents := func(p client.Page) ([]string, *api.GuestMessagePage) {
		c := need(g.Messages(ctx, p))(t)
		var out []string
		for _, m := range c.Messages {
			out = append(out, m.Content)
		}
		return out, c
	}
	all, c := contents(client.Page{})
	if !reflect.DeepEqual(all, []string{"m1", "m2", "m3", "m4", "m5"}) || c.TotalCount != 5 ||
		c.PageNumber != 1 || c.PageLength != 5 {
		t.Fatalf("all: %v %+v", all, c)
	}
	// Parameter names in other letter cases: a V40 client's spelling, sent raw.
	raw := typedContent[api.GuestMessagePage](t, s.get(t, pathMessages+"?SessionToken="+tok+"&pagenumber=2&PAGELENGTH=2"), api.ItemGetMessages)
	if len(raw.Messages) != 2 || raw.Messages[0].Content != "m3" || raw.Messages[1].Content != "m4" || raw.PageLength != 2 || raw.TotalCount != 5 {
		t.Fatalf("page 2: %+v", raw)
	}
	if got, c := contents(client.Page{Number: 2, Length: 2}); !reflect.DeepEqual(got, []string{"m3", "m4"}) || c.PageLength != 2 || c.TotalCount != 5 {
		t.Fatalf("page 2: %v %+v", got, c)
	}
	if got, _ := contents(client.Page{Number: 1, Length: 2, Descending: true}); !reflect.DeepEqual(got, []string{"m5", "m4"}) {
		t.Fatalf("descending: %v", got)
	}
	if got, _ := contents(client.Page{Number: 9, Length: 2}); len(got) != 0 {
		t.Fatalf("past the end: %v", got)
	}
	// Values the typed client cannot send (zero, negative, not numbers) go raw.
	for _, q := range []string{"&PageLength=201", "&PageLength=0", "&PageNumber=0", "&PageNumber=x", "&DescendingOrder=maybe", "&PageLength=-1"} {
		s.get(t, pathMessages+"?SessionToken="+tok+q).wantFailure(t, 400, api.ItemGetMessages, "ValidationFailed")
	}
	_, err := g.Messages(ctx, client.Page{Length: 201})
	g.wantFailure(t, err, 400, api.ItemGetMessages, "ValidationFailed")
}

func TestOutletSettings(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	ctx := t.Context()
	g := s.roomGuest(t, "101", "Garcia")
	outlets := need(g.Outlets(ctx, ""))(t)
	var codes []string
	for _, o := range outlets {
		codes = append(codes, o.Code)
	}
	if !reflect.DeepEqual(codes, []string{"FRONTDESK", "ROOMSERVICE", "SPA", "GIFTSHOP"}) {
		t.Fatalf("outlets in order %v", codes)
	}
	rs := outlets[1]
	if !rs.IsOpen || rs.AllowNonVerifiedGuests || len(rs.OpeningHours) != 7 {
		t.Fatalf("room service at noon: %+v", rs)
	}
	if h := rs.OpeningHours[0]; h.Open != "06:00" || h.Close != "23:00" || h.Day == "" {
		t.Fatalf("hours %+v", h)
	}
	if gift := outlets[3]; gift.AllowGuestMessages || len(gift.OpeningHours) != 0 || !gift.IsOpen {
		t.Fatalf("gift shop %+v", gift)
	}
	// At 23:30 Madrid room service and spa are closed; an unknown code is OutletNotFound.
	s.Clock.Advance(11*3600e9 + 30*60e9)
	// The parameter in lower case, as some V40 clients send it: raw.
	c := typedContent[api.GuestOutletList](t, s.get(t, pathOutlets+"?SessionToken="+g.Token()+"&code=roomservice"), api.ItemOutletSettings)
	if o := c.Outlets; len(o) != 1 || o[0].IsOpen {
		t.Fatalf("room service at 23:30: %+v", o)
	}
	if o := need(g.Outlets(ctx, "roomservice"))(t); len(o) != 1 || o[0].IsOpen {
		t.Fatalf("room service at 23:30: %+v", o)
	}
	_, err := g.Outlets(ctx, "NOPE")
	g.wantFailure(t, err, 404, api.ItemOutletSettings, "OutletNotFound")
}

// TestConcurrentCreators: 100 guests create conversations at once; every call succeeds and
// every conversation is distinct. Their sessions are opened before, one after another: more
// verifications of one room at once than the back-off lets pass are refused (429) while they
// run, since each counts as a failure until it succeeds (README, rate limits).
func TestConcurrentCreators(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	rooms := []struct{ room, name string }{{"101", "Garcia"}, {"102", "Smith"}, {"103", "Müller"}, {"104", "Dubois"}}
	guests := make([]*guestApp, 100)
	for i := range guests {
		g := rooms[i%len(rooms)]
		guests[i] = s.roomGuest(t, g.room, g.name)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[string]bool{}
	ids := map[int64]bool{}
	errs := make([]error, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			conv, err := guests[i].CreateConversation(t.Context(), api.GuestCreateConversationRequest{Message: fmt.Sprintf("request %d", i)}, "")
			if err != nil {
				errs[i] = err
				return
			}
			mu.Lock()
			defer mu.Unlock()
			codes[conv.Code] = true
			ids[conv.Messages[0].ConversationID] = true
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("guest %d: %v", i, err)
		}
	}
	if len(codes) != 100 || len(ids) != 100 {
		t.Fatalf("%d distinct codes, %d distinct ids; want 100 each", len(codes), len(ids))
	}
	// Every message is there, each guest sees exactly their own 25.
	for _, g := range rooms {
		c := need(s.roomGuest(t, g.room, g.name).Messages(t.Context(), client.Page{}))(t)
		if c.TotalCount != 25 {
			t.Fatalf("room %s sees %v messages", g.room, c.TotalCount)
		}
	}
}
