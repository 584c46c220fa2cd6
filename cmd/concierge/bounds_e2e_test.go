package main

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"concierge/api"
	"concierge/client"
)

// TestGuestHistoryWithoutPageLengthIsPaged fills a guest's history past the longest page and
// reads it without PageLength: the answer is the first page (pageLength 200, totalCount the
// whole history), PageNumber 2 the rest; a history shorter than a page is answered whole, as
// before (pageLength = totalCount).
func TestGuestHistoryWithoutPageLengthIsPaged(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true, env: map[string]string{
		"CONCIERGE_RATE_SESSION": "0", "CONCIERGE_RATE_ADDRESS": "0"}})
	g := s.roomGuest(t, "102", "Smith")
	code := g.open(t, "FRONTDESK", "message 0")

	history := func(p client.Page) (*api.GuestMessagePage, int) {
		t.Helper()
		c := need(g.Messages(t.Context(), p))(t)
		return c, len(c.Messages)
	}
	c, n := history(client.Page{})
	if n != 1 || c.PageLength != 1 || c.TotalCount != 1 || c.PageNumber != 1 {
		t.Fatalf("short history: %d messages, %+v", n, c)
	}

	const total = 205
	for i := 1; i < total; i++ {
		need(g.AddMessage(t.Context(), code, fmt.Sprintf("message %d", i), ""))(t)
	}
	c, n = history(client.Page{})
	if n != 200 || c.PageLength != 200 || c.TotalCount != total {
		t.Fatalf("history without PageLength: %d messages, pageLength %v, totalCount %v", n, c.PageLength, c.TotalCount)
	}
	first := c.Messages[0].Content
	c, n = history(client.Page{Number: 2})
	if n != total-200 || c.PageNumber != 2 || c.TotalCount != total {
		t.Fatalf("second page without PageLength: %d messages, %+v", n, c)
	}
	if last := c.Messages[n-1].Content; first != "message 0" || last != "message 204" {
		t.Fatalf("pages run from %v to %v", first, last)
	}
	if _, n = history(client.Page{Length: 7, Number: 3}); n != 7 {
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
	guest := func() *guestApp {
		t.Helper()
		return s.identifiedGuest(t, "nv-quota-guest", "")
	}
	nv := guest()
	create := func(g *guestApp) (string, error) {
		t.Helper()
		c, err := g.CreateNonVerifiedConversation(t.Context(), api.GuestCreateConversationRequest{OutletCode: "FRONTDESK", Message: "Hola"}, "")
		if err != nil {
			return "", err
		}
		return c.Code, nil
	}
	add := func(g *guestApp, code string) error {
		t.Helper()
		_, err := g.AddMessage(t.Context(), code, "¿Y ahora?", "")
		return err
	}

	first := need(create(nv))(t) // message 1 of the day, 1 of this conversation
	need(0, add(nv, first))(t)
	need(0, add(nv, first))(t) // 3 in this conversation
	nv.wantFailure(t, add(nv, first), http.StatusBadRequest, "addMessageResponse", "ValidationFailed")

	second := need(create(nv))(t) // message 4, conversation 2
	need(0, add(nv, second))(t)   // message 5
	nv.wantFailure(t, add(nv, second), http.StatusTooManyRequests, "addMessageResponse", "RateLimited")
	ra := nv.answer().Header.Get("Retry-After")
	if sec, err := strconv.Atoi(ra); err != nil || sec < 1 || sec > 24*3600 {
		t.Fatalf("Retry-After %q", ra)
	}
	_, err := create(nv)
	nv.wantFailure(t, err, http.StatusTooManyRequests, "createConversationResponse", "RateLimited")

	// A verified guest writes as much as they like.
	v := s.roomGuest(t, "101", "Garcia")
	for range 3 {
		code := v.open(t, "FRONTDESK", "Hola")
		for range 3 {
			need(0, add(v, code))(t)
		}
	}

	// A day later the non-verified guest may write again (a new session: the old one idled out).
	s.Clock.Advance(24*time.Hour + time.Minute)
	nv = guest()
	third := need(create(nv))(t)
	need(0, add(nv, third))(t)
}
