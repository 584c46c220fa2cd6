package main

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"concierge/internal/concierge"
)

// staffWrites opens the server's database beside it, as staff tools will until the staff API
// covers replies, to add staff messages and notes and to mark guest messages read.
type staffWrites struct {
	t  *testing.T
	db concierge.Store
}

func openStaffWrites(t *testing.T, s *server) *staffWrites {
	db := openTestStore(t, s.DB)
	t.Cleanup(func() { db.Close() })
	return &staffWrites{t: t, db: db}
}

func (sw *staffWrites) add(code string, typ concierge.MessageType, content string, at time.Time) string {
	ctx := context.Background()
	c, err := sw.db.ConversationByCode(ctx, code)
	if err != nil {
		sw.t.Fatal(err)
	}
	m := concierge.Message{Code: concierge.NewCode("M"), ConversationID: c.ID, Type: typ, Content: content,
		Language: "en", AuthorFirstName: "Front", AuthorLastName: "Desk Agent", CreatedAt: at}
	if err := concierge.NewConversations(sw.db).AddMessage(ctx, &m, c.Status, at); err != nil {
		sw.t.Fatal(err)
	}
	return m.Code
}

func (sw *staffWrites) readGuestMessages(code string, at time.Time) {
	ctx := context.Background()
	c, err := sw.db.ConversationByCode(ctx, code)
	if err != nil {
		sw.t.Fatal(err)
	}
	if _, err := concierge.NewConversations(sw.db).MarkRead(ctx, c.Ref(), []concierge.MessageType{concierge.MessageGuest}, 0, at); err != nil {
		sw.t.Fatal(err)
	}
}

func convPath(code, suffix string) string {
	return "/API/V40/Interactive/Messages/Conversations/" + code + suffix
}

func TestGuestReadAndReply(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	staff := openStaffWrites(t, s)
	ana := s.loginRoom(t, "101", "Garcia")
	john := s.loginRoom(t, "102", "Smith")

	conv := s.post(t, pathCreate, map[string]any{"SessionToken": ana, "Message": "¿Hay toallas?", "ConversationType": "guest"}).
		content(t, "createConversationResponse")["conversation"].(map[string]any)
	code := conv["code"].(string)
	s.Clock.Advance(time.Minute)
	reply := staff.add(code, concierge.MessageStaff, "Yes, on their way.", s.Clock.Now())
	staff.add(code, concierge.MessageNote, "internal: room 101 is a VIP", s.Clock.Now())
	s.Clock.Advance(time.Minute)

	t.Run("list with unread count, never notes", func(t *testing.T) {
		r := s.get(t, "/API/V40/Interactive/Messages/Conversations?SessionToken="+ana)
		c := r.content(t, "getConversationsResponse")
		if c["totalCount"] != float64(1) {
			t.Fatalf("%v", c)
		}
		got := keysOf(t, rawPath(t, r.Raw, "responses", 0, "getConversationsResponse", "content", "conversations", 0))
		want := "code,subject,outletCode,orderCode,outletName,propertyCode,roomNumber,guestFirstName,guestLastName,guestLanguageCode,conversationStatus,conversationType,unreadCount,lastMessageDate"
		if strings.Join(got, ",") != want {
			t.Fatalf("keys %v", got)
		}
		item := c["conversations"].([]any)[0].(map[string]any)
		if item["unreadCount"] != float64(1) || item["lastMessageDate"] != "2026-11-25T11:01:00.0000000+00:00" {
			t.Fatalf("summary %v", item)
		}
		if strings.Contains(string(r.Raw), "is a VIP") { // not just "VIP": the session token echoed may hold those letters
			t.Fatal("a note reached the guest")
		}
	})
	t.Run("get one: guest and staff messages, no notes, isRead both ways", func(t *testing.T) {
		r := s.get(t, convPath(code, "?SessionToken="+ana))
		msgs := r.content(t, "getConversationResponse")["conversation"].(map[string]any)["messages"].([]any)
		if len(msgs) != 2 || strings.Contains(string(r.Raw), "is a VIP") {
			t.Fatalf("messages %v", msgs)
		}
		first, second := msgs[0].(map[string]any), msgs[1].(map[string]any)
		if first["messageType"] != "Guest" || first["isRead"] != false || second["messageType"] != "Staff" ||
			second["isRead"] != false || second["firstName"] != "Front" || second["serviceCenterName"] != "Front Office" {
			t.Fatalf("messages %v", msgs)
		}
		staff.readGuestMessages(code, s.Clock.Now())
		s.post(t, convPath(code, "/Read"), map[string]any{"SessionToken": ana, "UpToMessageCode": reply}).content(t, "responseStatus")
		msgs = s.get(t, convPath(strings.ToLower(code), "?SessionToken="+ana)).content(t, "getConversationResponse")["conversation"].(map[string]any)["messages"].([]any)
		if msgs[0].(map[string]any)["isRead"] != true || msgs[1].(map[string]any)["isRead"] != true {
			t.Fatalf("read receipts not shown: %v", msgs)
		}
		c := s.get(t, "/API/V40/Interactive/Messages/Conversations?SessionToken="+ana).content(t, "getConversationsResponse")
		if n := c["conversations"].([]any)[0].(map[string]any)["unreadCount"]; n != float64(0) {
			t.Fatalf("unreadCount after reading: %v", n)
		}
	})
	t.Run("read up to a message only", func(t *testing.T) {
		s.Clock.Advance(time.Minute)
		m1 := staff.add(code, concierge.MessageStaff, "one", s.Clock.Now())
		staff.add(code, concierge.MessageSystem, "two", s.Clock.Now())
		s.post(t, convPath(code, "/Read"), map[string]any{"SessionToken": ana, "UpToMessageCode": m1}).content(t, "responseStatus")
		c := s.get(t, "/API/V40/Interactive/Messages/Conversations?SessionToken="+ana).content(t, "getConversationsResponse")
		if n := c["conversations"].([]any)[0].(map[string]any)["unreadCount"]; n != float64(1) {
			t.Fatalf("unreadCount %v, want 1", n)
		}
		s.post(t, convPath(code, "/Read"), map[string]any{"SessionToken": ana, "UpToMessageCode": "MNOPE"}).
			wantFailure(t, 400, "responseStatus", "ValidationFailed")
		s.post(t, convPath(code, "/Read"), map[string]any{"SessionToken": ana}).content(t, "responseStatus")
	})
	t.Run("another guest never reaches it", func(t *testing.T) {
		s.get(t, convPath(code, "?SessionToken="+john)).wantFailure(t, 404, "getConversationResponse", "ConversationNotFound")
		s.get(t, convPath("CNOSUCHCODE", "?SessionToken="+john)).wantFailure(t, 404, "getConversationResponse", "ConversationNotFound")
		s.post(t, convPath(code, "/Messages"), map[string]any{"SessionToken": john, "Message": "hi"}).
			wantFailure(t, 404, "addMessageResponse", "ConversationNotFound")
		s.post(t, convPath(code, "/Read"), map[string]any{"SessionToken": john}).wantFailure(t, 404, "responseStatus", "ConversationNotFound")
		s.post(t, convPath(code, "/Close"), map[string]any{"SessionToken": john}).wantFailure(t, 404, "responseStatus", "ConversationNotFound")
		c := s.get(t, "/API/V40/Interactive/Messages/Conversations?SessionToken="+john).content(t, "getConversationsResponse")
		if c["totalCount"] != float64(0) {
			t.Fatalf("John lists Ana's conversation: %v", c)
		}
	})
	t.Run("close, filter by status, reply reopens", func(t *testing.T) {
		s.post(t, convPath(code, "/Close"), map[string]any{"SessionToken": ana}).content(t, "responseStatus")
		s.post(t, convPath(code, "/Close"), map[string]any{"SessionToken": ana}).content(t, "responseStatus")
		list := func(status string) float64 {
			return s.get(t, "/API/V40/Interactive/Messages/Conversations?SessionToken="+ana+"&Status="+status).
				content(t, "getConversationsResponse")["totalCount"].(float64)
		}
		if list("Closed") != 1 || list("open") != 0 {
			t.Fatal("status filter")
		}
		s.get(t, "/API/V40/Interactive/Messages/Conversations?SessionToken="+ana+"&Status=Pending").
			wantFailure(t, 400, "getConversationsResponse", "ValidationFailed")
		r := s.post(t, convPath(code, "/Messages"), map[string]any{"SessionToken": ana, "Message": "  one more thing  "})
		msg := r.content(t, "addMessageResponse")["message"].(map[string]any)
		if msg["content"] != "one more thing" || msg["messageType"] != "Guest" || msg["firstName"] != "Ana" || msg["languageCode"] != "es" {
			t.Fatalf("added %v", msg)
		}
		if list("Open") != 1 {
			t.Fatal("a guest reply did not reopen the conversation")
		}
		msg = s.post(t, convPath(code, "/Messages"), map[string]any{"SessionToken": ana, "Message": "anon", "ConversationType": ""}).
			content(t, "addMessageResponse")["message"].(map[string]any)
		if msg["firstName"] != "" {
			t.Fatalf("anonymous reply carries a name: %v", msg)
		}
		s.post(t, convPath(code, "/Messages"), map[string]any{"SessionToken": ana, "Message": "  "}).
			wantFailure(t, 400, "addMessageResponse", "ValidationFailed")
	})
}

func TestIdempotency(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	tok := s.loginRoom(t, "104", "Dubois")
	body := []byte(`{"SessionToken":"` + tok + `","Message":"Un taxi à 8h, s'il vous plaît"}`)
	send := func(key string, b []byte) response {
		return s.do(t, http.MethodPost, pathCreate, b, map[string]string{"Idempotency-Key": key})
	}
	first := send("key-1", body)
	first.content(t, "createConversationResponse")
	again := send("key-1", body)
	if string(again.Raw) != string(first.Raw) || again.Status != first.Status || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry not replayed:\n%s\n%s", first.Raw, again.Raw)
	}
	// Failures of the key keep the call's item name and the session token (SPEC §3.3).
	reused := send("key-1", []byte(`{"SessionToken":"`+tok+`","Message":"something else"}`))
	reused.wantFailure(t, http.StatusConflict, "createConversationResponse", "IdempotencyKeyReused")
	badKey := send(strings.Repeat("k", 256), body)
	badKey.wantFailure(t, http.StatusBadRequest, "createConversationResponse", "ValidationFailed")
	if reused.token() != tok || badKey.token() != tok {
		t.Fatalf("a failure of the key lost the session token:\n%s\n%s", reused.Raw, badKey.Raw)
	}

	// Twenty concurrent duplicates write once and all get the same answer.
	var wg sync.WaitGroup
	answers := make([]string, 20)
	for i := range answers {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			answers[i] = string(send("key-2", []byte(`{"SessionToken":"`+tok+`","Message":"burst"}`)).Raw)
		}(i)
	}
	wg.Wait()
	for _, a := range answers[1:] {
		if a != answers[0] {
			t.Fatalf("duplicates got different answers:\n%s\n%s", answers[0], a)
		}
	}
	c := s.get(t, pathMessages+"?SessionToken="+tok).content(t, "getMessagesResponse")
	if c["totalCount"] != float64(2) {
		t.Fatalf("%v messages written, want 2 (one per key)", c["totalCount"])
	}
	// Another guest's identical key is theirs alone.
	other := s.loginRoom(t, "103", "Müller")
	r := send("key-1", []byte(`{"SessionToken":"`+other+`","Message":"Hallo"}`))
	r.content(t, "createConversationResponse")
	// Keys are kept 24 h at least: a retry a day later still replays.
	s.Clock.Advance(25 * time.Hour)
	if again := send("key-1", body); string(again.Raw) != string(first.Raw) {
		t.Fatalf("retry after 25 h not replayed: %s", again.Raw)
	}
}
