package main

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// TestGuestHistoryWithoutPageLengthIsPaged fills a guest's history past the longest page and
// reads it without PageLength: the answer is the first page (pageLength 200, totalCount the
// whole history), PageNumber 2 the rest; a history shorter than a page is answered whole, as
// before (pageLength = totalCount).
func TestGuestHistoryWithoutPageLengthIsPaged(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true, env: map[string]string{
		"CONCIERGE_RATE_SESSION": "0", "CONCIERGE_RATE_ADDRESS": "0"}})
	tok := s.loginRoom(t, "102", "Smith")
	code := s.guestConversation(t, tok, "FRONTDESK", "message 0", nil)

	history := func(query string) (content map[string]any, n int) {
		t.Helper()
		c := s.get(t, pathMessages+"?SessionToken="+tok+query).content(t, "getMessagesResponse")
		return c, len(c["messages"].([]any))
	}
	c, n := history("")
	if n != 1 || c["pageLength"] != 1.0 || c["totalCount"] != 1.0 || c["pageNumber"] != 1.0 {
		t.Fatalf("short history: %d messages, %v", n, c)
	}

	const total = 205
	for i := 1; i < total; i++ {
		s.post(t, convPath(code, "/Messages"), map[string]any{"SessionToken": tok, "Message": fmt.Sprintf("message %d", i)}).
			content(t, "addMessageResponse")
	}
	c, n = history("")
	if n != 200 || c["pageLength"] != 200.0 || c["totalCount"] != float64(total) {
		t.Fatalf("history without PageLength: %d messages, pageLength %v, totalCount %v", n, c["pageLength"], c["totalCount"])
	}
	first := c["messages"].([]any)[0].(map[string]any)["content"]
	c, n = history("&PageNumber=2")
	if n != total-200 || c["pageNumber"] != 2.0 || c["totalCount"] != float64(total) {
		t.Fatalf("second page without PageLength: %d messages, %v", n, c)
	}
	if last := c["messages"].([]any)[n-1].(map[string]any)["content"]; first != "message 0" || last != "message 204" {
		t.Fatalf("pages run from %v to %v", first, last)
	}
	if _, n = history("&PageLength=7&PageNumber=3"); n != 7 {
		t.Fatalf("PageLength 7: %d messages", n)
	}
}

// TestNonVerifiedGuestQuotas sets small quotas and checks each: messages per conversation
// (ValidationFailed), messages per day and conversations per day (RateLimited with
// Retry-After), that a verified guest is not bound by them, and that a day later the guest
// may write again.
func TestNonVerifiedGuestQuotas(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true, env: map[string]string{
		"CONCIERGE_GUEST_MESSAGES_PER_CONVERSATION": "3",
		"CONCIERGE_GUEST_MESSAGES_PER_DAY":          "5",
		"CONCIERGE_GUEST_CONVERSATIONS_PER_DAY":     "2",
	}})
	guest := func() string {
		t.Helper()
		return s.guestSession(t, "DEMO", demoToken, "nv-quota-guest").token()
	}
	nv := guest()
	create := func(tok string) response {
		t.Helper()
		return s.post(t, pathCreateNV, map[string]any{"SessionToken": tok, "OutletCode": "FRONTDESK", "Message": "Hola"})
	}
	add := func(tok, code string) response {
		t.Helper()
		return s.post(t, convPath(code, "/Messages"), map[string]any{"SessionToken": tok, "Message": "¿Y ahora?"})
	}
	conv := func(r response) string {
		t.Helper()
		return r.content(t, "createConversationResponse")["conversation"].(map[string]any)["code"].(string)
	}

	first := conv(create(nv)) // message 1 of the day, 1 of this conversation
	add(nv, first).content(t, "addMessageResponse")
	add(nv, first).content(t, "addMessageResponse") // 3 in this conversation
	r := add(nv, first)
	r.wantFailure(t, http.StatusBadRequest, "addMessageResponse", "ValidationFailed")

	second := conv(create(nv))                       // message 4, conversation 2
	add(nv, second).content(t, "addMessageResponse") // message 5
	r = add(nv, second)
	r.wantFailure(t, http.StatusTooManyRequests, "addMessageResponse", "RateLimited")
	if sec, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || sec < 1 || sec > 24*3600 {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	create(nv).wantFailure(t, http.StatusTooManyRequests, "createConversationResponse", "RateLimited")

	// A verified guest writes as much as they like.
	v := s.loginRoom(t, "101", "Garcia")
	for range 3 {
		code := s.guestConversation(t, v, "FRONTDESK", "Hola", nil)
		for range 3 {
			add(v, code).content(t, "addMessageResponse")
		}
	}

	// A day later the non-verified guest may write again (a new session: the old one idled out).
	s.Clock.Advance(24*time.Hour + time.Minute)
	nv = guest()
	third := conv(create(nv))
	add(nv, third).content(t, "addMessageResponse")
}
