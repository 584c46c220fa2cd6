package main

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"concierge/api"
	"concierge/client"
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
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	ctx := t.Context()
	staff := openStaffWrites(t, s)
	ana := s.roomGuest(t, "101", "Garcia")
	john := s.roomGuest(t, "102", "Smith")

	code := ana.open(t, "", "¿Hay toallas?")
	s.Clock.Advance(time.Minute)
	reply := staff.add(code, concierge.MessageStaff, "Yes, on their way.", s.Clock.Now())
	staff.add(code, concierge.MessageNote, "internal: room 101 is a VIP", s.Clock.Now())
	s.Clock.Advance(time.Minute)
	unread := func(g *guestApp) int {
		t.Helper()
		return need(g.Conversations(ctx, "", client.Page{}))(t).Conversations[0].UnreadCount
	}

	t.Run("list with unread count, never notes", func(t *testing.T) {
		c := need(ana.Conversations(ctx, "", client.Page{}))(t)
		r := ana.answer()
		if c.TotalCount != 1 {
			t.Fatalf("%+v", c)
		}
		got := keysOf(t, rawPath(t, r.Raw, "responses", 0, api.ItemGetConversations, "content", "conversations", 0))
		want := "code,subject,outletCode,orderCode,outletName,propertyCode,roomNumber,guestFirstName,guestLastName,guestLanguageCode,conversationStatus,conversationType,unreadCount,lastMessageDate"
		if strings.Join(got, ",") != want {
			t.Fatalf("keys %v", got)
		}
		item := c.Conversations[0]
		if item.UnreadCount != 1 || item.LastMessageDate != "2026-11-25T11:01:00.0000000+00:00" {
			t.Fatalf("summary %+v", item)
		}
		if strings.Contains(string(r.Raw), "is a VIP") { // not just "VIP": the session token echoed may hold those letters
			t.Fatal("a note reached the guest")
		}
	})
	t.Run("get one: guest and staff messages, no notes, isRead both ways", func(t *testing.T) {
		msgs := ana.messagesOf(t, code)
		if len(msgs) != 2 || strings.Contains(string(ana.answer().Raw), "is a VIP") {
			t.Fatalf("messages %+v", msgs)
		}
		first, second := msgs[0], msgs[1]
		if first.MessageType != "Guest" || first.IsRead || second.MessageType != "Staff" ||
			second.IsRead || second.FirstName != "Front" || second.ServiceCenterName != "Front Office" {
			t.Fatalf("messages %+v", msgs)
		}
		staff.readGuestMessages(code, s.Clock.Now())
		if err := ana.MarkRead(ctx, code, reply); err != nil {
			t.Fatal(err)
		}
		msgs = ana.messagesOf(t, strings.ToLower(code))
		if !msgs[0].IsRead || !msgs[1].IsRead {
			t.Fatalf("read receipts not shown: %+v", msgs)
		}
		if n := unread(ana); n != 0 {
			t.Fatalf("unreadCount after reading: %v", n)
		}
	})
	t.Run("read up to a message only", func(t *testing.T) {
		s.Clock.Advance(time.Minute)
		m1 := staff.add(code, concierge.MessageStaff, "one", s.Clock.Now())
		staff.add(code, concierge.MessageSystem, "two", s.Clock.Now())
		if err := ana.MarkRead(ctx, code, m1); err != nil {
			t.Fatal(err)
		}
		if n := unread(ana); n != 1 {
			t.Fatalf("unreadCount %v, want 1", n)
		}
		ana.wantFailure(t, ana.MarkRead(ctx, code, "MNOPE"), 400, api.ItemResponseStatus, "ValidationFailed")
		if err := ana.MarkRead(ctx, code, ""); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("another guest never reaches it", func(t *testing.T) {
		_, err := john.Conversation(ctx, code)
		john.wantFailure(t, err, 404, api.ItemGetConversation, "ConversationNotFound")
		_, err = john.Conversation(ctx, "CNOSUCHCODE")
		john.wantFailure(t, err, 404, api.ItemGetConversation, "ConversationNotFound")
		_, err = john.AddMessage(ctx, code, "hi", "")
		john.wantFailure(t, err, 404, api.ItemAddMessage, "ConversationNotFound")
		john.wantFailure(t, john.MarkRead(ctx, code, ""), 404, api.ItemResponseStatus, "ConversationNotFound")
		john.wantFailure(t, john.Close(ctx, code), 404, api.ItemResponseStatus, "ConversationNotFound")
		if c := need(john.Conversations(ctx, "", client.Page{}))(t); c.TotalCount != 0 {
			t.Fatalf("John lists Ana's conversation: %+v", c)
		}
	})
	t.Run("close, filter by status, reply reopens", func(t *testing.T) {
		for range 2 {
			if err := ana.Close(ctx, code); err != nil {
				t.Fatal(err)
			}
		}
		list := func(status string) int {
			t.Helper()
			return need(ana.Conversations(ctx, status, client.Page{}))(t).TotalCount
		}
		if list("Closed") != 1 || list("open") != 0 {
			t.Fatal("status filter")
		}
		_, err := ana.Conversations(ctx, "Pending", client.Page{})
		ana.wantFailure(t, err, 400, api.ItemGetConversations, "ValidationFailed")
		msg := need(ana.AddMessage(ctx, code, "  one more thing  ", ""))(t)
		if msg.Content != "one more thing" || msg.MessageType != "Guest" || msg.FirstName != "Ana" || msg.LanguageCode != "es" {
			t.Fatalf("added %+v", msg)
		}
		if list("Open") != 1 {
			t.Fatal("a guest reply did not reopen the conversation")
		}
		// An empty ConversationType (anonymous), which the client's AddMessage does not send: raw.
		anon := typedContent[api.GuestMessageContent](t, s.post(t, convPath(code, "/Messages"),
			map[string]any{"SessionToken": ana.Token(), "Message": "anon", "ConversationType": ""}), api.ItemAddMessage)
		if anon.Message.FirstName != "" {
			t.Fatalf("anonymous reply carries a name: %+v", anon.Message)
		}
		_, err = ana.AddMessage(ctx, code, "  ", "")
		ana.wantFailure(t, err, 400, api.ItemAddMessage, "ValidationFailed")
	})
}

func TestIdempotency(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	ctx := t.Context()
	g := s.roomGuest(t, "104", "Dubois")
	tok := g.Token()
	req := api.GuestCreateConversationRequest{Message: "Un taxi à 8h, s'il vous plaît"}
	send := func(g *guestApp, key string, req api.GuestCreateConversationRequest) (response, error) {
		_, err := g.CreateConversation(ctx, req, key)
		return g.answer(), err
	}
	first, err := send(g, "key-1", req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := send(g, "key-1", req)
	if err != nil || string(again.Raw) != string(first.Raw) || again.Status != first.Status || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry not replayed (%v):\n%s\n%s", err, first.Raw, again.Raw)
	}
	// Failures of the key keep the call's item name and the session token (SPEC §3.3).
	reused, err := send(g, "key-1", api.GuestCreateConversationRequest{Message: "something else"})
	g.wantFailure(t, err, http.StatusConflict, api.ItemCreateConversation, "IdempotencyKeyReused")
	badKey, err := send(g, strings.Repeat("k", 256), req)
	g.wantFailure(t, err, http.StatusBadRequest, api.ItemCreateConversation, "ValidationFailed")
	if reused.token() != tok || badKey.token() != tok || g.Token() != tok {
		t.Fatalf("a failure of the key lost the session token:\n%s\n%s", reused.Raw, badKey.Raw)
	}

	// Twenty concurrent duplicates write once and all get the same answer.
	var wg sync.WaitGroup
	answers := make([]string, 20)
	for i := range answers {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r, _ := send(s.guestWithToken(t, tok), "key-2", api.GuestCreateConversationRequest{Message: "burst"})
			answers[i] = string(r.Raw)
		}(i)
	}
	wg.Wait()
	for _, a := range answers[1:] {
		if a != answers[0] {
			t.Fatalf("duplicates got different answers:\n%s\n%s", answers[0], a)
		}
	}
	if c := need(g.Messages(ctx, client.Page{}))(t); c.TotalCount != 2 {
		t.Fatalf("%v messages written, want 2 (one per key)", c.TotalCount)
	}
	// Another guest's identical key is theirs alone.
	if _, err := send(s.roomGuest(t, "103", "Müller"), "key-1", api.GuestCreateConversationRequest{Message: "Hallo"}); err != nil {
		t.Fatal(err)
	}
	// Keys are kept 24 h at least: a retry a day later still replays.
	s.Clock.Advance(25 * time.Hour)
	if again, err := send(g, "key-1", req); err != nil || string(again.Raw) != string(first.Raw) {
		t.Fatalf("retry after 25 h not replayed (%v): %s", err, again.Raw)
	}
}
