package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"sync"
	"testing"
)

var dateRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}\+00:00$`)

// TestCreateConversationSeed is the seed call of the V40 API: its whole answer, field by field
// and in key order.
func TestCreateConversationSeed(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	tok := s.loginRoom(t, "101", "Garcia")
	r := s.post(t, pathCreate, map[string]any{"SessionToken": tok, "Message": "  ¿Me traen más toallas?  ",
		"ConversationType": "Guest", "OutletCode": "roomservice", "OrderCode": "ord-1001"})
	if got, want := keysOf(t, r.Raw), []string{"sessionToken", "responsesIncluded", "responses", "status"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("envelope keys %v", got)
	}
	if r.token() != tok || r.Body["responsesIncluded"] != "createConversationResponse" || r.Body["status"] != "Success" {
		t.Fatalf("envelope %s", r.Raw)
	}
	if got := keysOf(t, rawPath(t, r.Raw, "responses", 0, "createConversationResponse")); !reflect.DeepEqual(got, []string{"content", "succeeded"}) {
		t.Fatalf("item keys %v", got)
	}
	convRaw := rawPath(t, r.Raw, "responses", 0, "createConversationResponse", "content", "conversation")
	wantKeys := []string{"code", "subject", "outletCode", "orderCode", "outletName", "propertyCode", "roomNumber",
		"guestFirstName", "guestLastName", "guestLanguageCode", "conversationStatus", "conversationType", "messages"}
	if got := keysOf(t, convRaw); !reflect.DeepEqual(got, wantKeys) {
		t.Fatalf("conversation keys %v\nwant %v", got, wantKeys)
	}
	var conv map[string]any
	_ = json.Unmarshal(convRaw, &conv)
	code, _ := conv["code"].(string)
	if code == "" {
		t.Fatalf("no conversation code: %s", convRaw)
	}
	want := map[string]any{
		"subject": "In-Room Dining – Order ORD-1001", "outletCode": "ROOMSERVICE", "orderCode": "ORD-1001",
		"outletName": "In-Room Dining", "propertyCode": "DEMO", "roomNumber": "101", "guestFirstName": "Ana",
		"guestLastName": "Garcia", "guestLanguageCode": "es", "conversationStatus": "Open", "conversationType": "guest",
	}
	for k, v := range want {
		if conv[k] != v {
			t.Errorf("%s = %#v, want %#v", k, conv[k], v)
		}
	}
	msgRaw := rawPath(t, convRaw, "messages", 0)
	wantMsgKeys := []string{"createDate", "code", "isRead", "serviceCenterName", "messageType", "content", "firstName",
		"lastName", "languageCode", "isTranslated", "conversationId"}
	if got := keysOf(t, msgRaw); !reflect.DeepEqual(got, wantMsgKeys) {
		t.Fatalf("message keys %v\nwant %v", got, wantMsgKeys)
	}
	var msg map[string]any
	_ = json.Unmarshal(msgRaw, &msg)
	if !dateRE.MatchString(msg["createDate"].(string)) {
		t.Errorf("createDate %q", msg["createDate"])
	}
	if msg["createDate"] != "2026-11-25T11:00:00.0000000+00:00" {
		t.Errorf("createDate %q, want the server clock in UTC", msg["createDate"])
	}
	wantMsg := map[string]any{"isRead": false, "serviceCenterName": "Room Service", "messageType": "Guest",
		"content": "¿Me traen más toallas?", "firstName": "Ana", "lastName": "Garcia", "languageCode": "es", "isTranslated": false}
	for k, v := range wantMsg {
		if msg[k] != v {
			t.Errorf("message %s = %#v, want %#v", k, msg[k], v)
		}
	}
	if id, ok := msg["conversationId"].(float64); !ok || id < 1 || id != float64(int64(id)) {
		t.Errorf("conversationId %#v is not a positive integer", msg["conversationId"])
	}
	if c, _ := msg["code"].(string); c == "" || c == code {
		t.Errorf("message code %q", c)
	}
	if n := len(conv["messages"].([]any)); n != 1 {
		t.Errorf("%d messages", n)
	}
}

func TestCreateConversationRules(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	ana := s.loginRoom(t, "101", "Garcia")
	john := s.loginRoom(t, "102", "Smith")
	create := func(tok string, body map[string]any) response {
		body["SessionToken"] = tok
		return s.post(t, pathCreate, body)
	}
	t.Run("anonymous message and empty conversation", func(t *testing.T) {
		c := create(ana, map[string]any{"Message": "towels please"}).content(t, "createConversationResponse")
		conv := c["conversation"].(map[string]any)
		msg := conv["messages"].([]any)[0].(map[string]any)
		if msg["firstName"] != "" || msg["lastName"] != "" || conv["conversationType"] != "" {
			t.Fatalf("anonymous message carries names: %v", conv)
		}
		if conv["outletCode"] != "FRONTDESK" || conv["subject"] != "Front Desk" || conv["orderCode"] != "" {
			t.Fatalf("first available outlet not chosen: %v", conv)
		}
		c = create(ana, map[string]any{"Message": "   ", "OutletCode": "SPA"}).content(t, "createConversationResponse")
		conv = c["conversation"].(map[string]any)
		if msgs := conv["messages"].([]any); len(msgs) != 0 || conv["outletName"] != "Spa & Wellness" {
			t.Fatalf("blank message must start an empty conversation: %v", conv)
		}
	})
	t.Run("outlet and order errors", func(t *testing.T) {
		create(ana, map[string]any{"OutletCode": "SPAA"}).wantFailure(t, 404, "createConversationResponse", "OutletNotFound")
		create(ana, map[string]any{"OutletCode": "GIFTSHOP"}).wantFailure(t, 409, "createConversationResponse", "OutletNotAvailable")
		create(ana, map[string]any{"OrderCode": "ORD-9999"}).wantFailure(t, 404, "createConversationResponse", "OrderNotFound")
		// Another stay's order is indistinguishable from an unknown one.
		r := create(john, map[string]any{"OrderCode": "ORD-1001"})
		r.wantFailure(t, 404, "createConversationResponse", "OrderNotFound")
		create(ana, map[string]any{"ConversationType": "staff"}).wantFailure(t, 400, "createConversationResponse", "ValidationFailed")
	})
	t.Run("guests see only their own messages", func(t *testing.T) {
		create(john, map[string]any{"Message": "john's secret", "ConversationType": "guest"}).content(t, "createConversationResponse")
		c := s.get(t, pathMessages+"?SessionToken="+ana).content(t, "getMessagesResponse")
		for _, m := range c["messages"].([]any) {
			if m.(map[string]any)["content"] == "john's secret" {
				t.Fatal("Ana sees John's message")
			}
		}
		c = s.get(t, pathMessages+"?SessionToken="+john).content(t, "getMessagesResponse")
		if c["totalCount"] != float64(1) {
			t.Fatalf("John sees %v messages", c["totalCount"])
		}
	})
}

func TestNonVerifiedConversations(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	nv := s.post(t, pathInitGuest, map[string]any{"PropertyCode": "DEMO", "InterfaceToken": demoToken,
		"GuestUniqueIdentifier": "web-visitor-7", "LanguageCode": "fr"}).token()
	// Outlets that do not allow non-verified guests refuse them, by code or via the verified call.
	s.post(t, pathCreateNV, map[string]any{"SessionToken": nv, "OutletCode": "ROOMSERVICE", "Message": "x"}).
		wantFailure(t, 409, "createConversationResponse", "OutletNotAvailable")
	s.post(t, pathCreate, map[string]any{"SessionToken": nv, "Message": "x"}).
		wantFailure(t, 403, "createConversationResponse", "GuestNotVerified")
	s.post(t, pathCreateNV, map[string]any{"SessionToken": nv, "OrderCode": "ORD-1001"}).
		wantFailure(t, 403, "createConversationResponse", "GuestNotVerified")
	s.post(t, pathCreateNV, map[string]any{"SessionToken": nv, "OrderFormDetailsDictionary": []int{1}}).
		wantFailure(t, 400, "createConversationResponse", "MalformedRequest")

	r := s.post(t, pathCreateNV, map[string]any{"SessionToken": nv, "Message": "Une table pour deux ?",
		"ConversationType": "guest", "OrderFormDetailsDictionary": map[string]any{
			"FIRSTNAME": "Zoé", "lastname": "Martin", "partySize": 2, "allergies": []string{"nuts"}}})
	conv := r.content(t, "createConversationResponse")["conversation"].(map[string]any)
	if conv["outletCode"] != "FRONTDESK" || conv["guestFirstName"] != "Zoé" || conv["guestLastName"] != "Martin" ||
		conv["roomNumber"] != "" || conv["guestLanguageCode"] != "fr" {
		t.Fatalf("conversation %v", conv)
	}
	msg := conv["messages"].([]any)[0].(map[string]any)
	if msg["firstName"] != "Zoé" || msg["lastName"] != "Martin" || msg["languageCode"] != "fr" || msg["serviceCenterName"] != "Front Office" {
		t.Fatalf("message %v", msg)
	}
	// An anonymous session has no identity to own a conversation.
	anon := s.post(t, pathInit, map[string]any{"PropertyCode": "DEMO", "InterfaceToken": demoToken}).token()
	s.post(t, pathCreateNV, map[string]any{"SessionToken": anon, "Message": "x"}).
		wantFailure(t, 403, "createConversationResponse", "GuestNotVerified")
	s.get(t, pathMessages+"?SessionToken="+anon).wantFailure(t, 403, "getMessagesResponse", "GuestNotVerified")
}

func TestGetMessagesPaging(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	tok := s.loginRoom(t, "102", "Smith")
	for i := 1; i <= 5; i++ {
		s.post(t, pathCreate, map[string]any{"SessionToken": tok, "Message": fmt.Sprintf("m%d", i)}).content(t, "createConversationResponse")
		s.Clock.Advance(1e9)
	}
	contents := func(q string) ([]string, map[string]any) {
		c := s.get(t, pathMessages+"?SessionToken="+tok+q).content(t, "getMessagesResponse")
		var out []string
		for _, m := range c["messages"].([]any) {
			out = append(out, m.(map[string]any)["content"].(string))
		}
		return out, c
	}
	all, c := contents("")
	if !reflect.DeepEqual(all, []string{"m1", "m2", "m3", "m4", "m5"}) || c["totalCount"] != float64(5) ||
		c["pageNumber"] != float64(1) || c["pageLength"] != float64(5) {
		t.Fatalf("all: %v %v", all, c)
	}
	if got, c := contents("&pagenumber=2&PAGELENGTH=2"); !reflect.DeepEqual(got, []string{"m3", "m4"}) || c["pageLength"] != float64(2) || c["totalCount"] != float64(5) {
		t.Fatalf("page 2: %v %v", got, c)
	}
	if got, _ := contents("&PageNumber=1&PageLength=2&DescendingOrder=true"); !reflect.DeepEqual(got, []string{"m5", "m4"}) {
		t.Fatalf("descending: %v", got)
	}
	if got, _ := contents("&PageNumber=9&PageLength=2"); len(got) != 0 {
		t.Fatalf("past the end: %v", got)
	}
	for _, q := range []string{"&PageLength=201", "&PageLength=0", "&PageNumber=0", "&PageNumber=x", "&DescendingOrder=maybe", "&PageLength=-1"} {
		s.get(t, pathMessages+"?SessionToken="+tok+q).wantFailure(t, 400, "getMessagesResponse", "ValidationFailed")
	}
}

func TestOutletSettings(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	tok := s.loginRoom(t, "101", "Garcia")
	c := s.get(t, pathOutlets+"?SessionToken="+tok).content(t, "getOutletSettingsResponse")
	outlets := c["outlets"].([]any)
	var codes []string
	for _, o := range outlets {
		codes = append(codes, o.(map[string]any)["code"].(string))
	}
	if !reflect.DeepEqual(codes, []string{"FRONTDESK", "ROOMSERVICE", "SPA", "GIFTSHOP"}) {
		t.Fatalf("outlets in order %v", codes)
	}
	rs := outlets[1].(map[string]any)
	if rs["isOpen"] != true || rs["allowNonVerifiedGuests"] != false || len(rs["openingHours"].([]any)) != 7 {
		t.Fatalf("room service at noon: %v", rs)
	}
	if h := rs["openingHours"].([]any)[0].(map[string]any); h["open"] != "06:00" || h["close"] != "23:00" || h["day"] == "" {
		t.Fatalf("hours %v", h)
	}
	if gift := outlets[3].(map[string]any); gift["allowGuestMessages"] != false || len(gift["openingHours"].([]any)) != 0 || gift["isOpen"] != true {
		t.Fatalf("gift shop %v", gift)
	}
	// At 23:30 Madrid room service and spa are closed; an unknown code is OutletNotFound.
	s.Clock.Advance(11*3600e9 + 30*60e9)
	c = s.get(t, pathOutlets+"?SessionToken="+tok+"&code=roomservice").content(t, "getOutletSettingsResponse")
	if o := c["outlets"].([]any); len(o) != 1 || o[0].(map[string]any)["isOpen"] != false {
		t.Fatalf("room service at 23:30: %v", o)
	}
	s.get(t, pathOutlets+"?SessionToken="+tok+"&Code=NOPE").wantFailure(t, 404, "getOutletSettingsResponse", "OutletNotFound")
}

// TestConcurrentCreators: 100 guests create conversations at once; every call succeeds and
// every conversation is distinct. Their sessions are opened before, one after another: more
// verifications of one room at once than the back-off lets pass are refused (429) while they
// run, since each counts as a failure until it succeeds (README, rate limits).
func TestConcurrentCreators(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	rooms := []struct{ room, name string }{{"101", "Garcia"}, {"102", "Smith"}, {"103", "Müller"}, {"104", "Dubois"}}
	tokens := make([]string, 100)
	for i := range tokens {
		g := rooms[i%len(rooms)]
		tokens[i] = s.loginRoom(t, g.room, g.name)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[string]bool{}
	ids := map[float64]bool{}
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			tok := tokens[i]
			r := s.post(t, pathCreate, map[string]any{"SessionToken": tok, "Message": fmt.Sprintf("request %d", i)})
			conv := r.content(t, "createConversationResponse")["conversation"].(map[string]any)
			mu.Lock()
			defer mu.Unlock()
			codes[conv["code"].(string)] = true
			ids[conv["messages"].([]any)[0].(map[string]any)["conversationId"].(float64)] = true
		}(i)
	}
	wg.Wait()
	if len(codes) != 100 || len(ids) != 100 {
		t.Fatalf("%d distinct codes, %d distinct ids; want 100 each", len(codes), len(ids))
	}
	// Every message is there, each guest sees exactly their own 25.
	for _, g := range rooms {
		tok := s.loginRoom(t, g.room, g.name)
		c := s.get(t, pathMessages+"?SessionToken="+tok).content(t, "getMessagesResponse")
		if c["totalCount"] != float64(25) {
			t.Fatalf("room %s sees %v messages", g.room, c["totalCount"])
		}
	}
}
