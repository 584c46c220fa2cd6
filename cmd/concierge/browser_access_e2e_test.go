package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

const pathEventTicket = "/api/v1/events/ticket"

// wsURL is the WebSocket URL of the staff events with query.
func (s *server) wsURL(query string) string {
	return "ws" + strings.TrimPrefix(s.URL, "http") + pathStaffEvents + "/ws" + query
}

// dialEvents opens the staff WebSocket with opts; it returns the connection, or nil and the
// HTTP status of the refusal.
func dialEvents(t *testing.T, url string, opts *websocket.DialOptions) (*websocket.Conn, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, url, opts)
	if err != nil {
		if resp == nil {
			t.Fatalf("dial %s: %v", url, err)
		}
		return nil, resp.StatusCode
	}
	t.Cleanup(func() { c.CloseNow() })
	return c, http.StatusSwitchingProtocols
}

// eventTicket asks the staff API for a WebSocket ticket.
func (s *server) eventTicket(t *testing.T, token string) string {
	t.Helper()
	r := s.do(t, http.MethodPost, pathEventTicket, nil, bearer(token)).wantStatus(t, http.StatusCreated)
	ticket, _ := r.Body["ticket"].(string)
	if !strings.HasPrefix(ticket, "cet_") {
		t.Fatalf("ticket answer %s", r.Raw)
	}
	return ticket
}

// readKind reads one WebSocket event and returns its kind.
func readKind(t *testing.T, c *websocket.Conn) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, b, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	kind, _, _ := strings.Cut(strings.TrimPrefix(string(b), `{"id":`), `,"data"`)
	return kind
}

// TestEventsWebSocketTicket: a ticket opens the staff WebSocket once, within its 30 seconds, and
// only while the login it stands for is valid; the bearer token works as a subprotocol; the
// ticket call needs authentication.
func TestEventsWebSocketTicket(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true, env: noLimits})
	fd := s.staffLogin(t, "frontdesk")

	s.do(t, http.MethodPost, pathEventTicket, nil, nil).wantStaffError(t, http.StatusUnauthorized, "AuthenticationFailed")

	ticket := s.eventTicket(t, fd)
	ws, status := dialEvents(t, s.wsURL("?ticket="+ticket), nil)
	if ws == nil {
		t.Fatalf("dial with a ticket: HTTP %d", status)
	}
	ana := s.loginRoom(t, "101", "Garcia")
	s.guestConversation(t, ana, "FRONTDESK", "towels, please", nil)
	if kind := readKind(t, ws); !strings.Contains(kind, "conversation.") && !strings.Contains(kind, "message.") {
		t.Errorf("first event on the ticket's WebSocket: %s", kind)
	}

	// Used once; a made-up one; an expired one.
	if _, status := dialEvents(t, s.wsURL("?ticket="+ticket), nil); status != http.StatusUnauthorized {
		t.Errorf("ticket used twice: HTTP %d, want 401", status)
	}
	if _, status := dialEvents(t, s.wsURL("?ticket=cet_madeup"), nil); status != http.StatusUnauthorized {
		t.Errorf("unknown ticket: HTTP %d, want 401", status)
	}
	late := s.eventTicket(t, fd)
	s.Clock.Advance(31 * time.Second)
	if _, status := dialEvents(t, s.wsURL("?ticket="+late), nil); status != http.StatusUnauthorized {
		t.Errorf("ticket after 31 s: HTTP %d, want 401", status)
	}

	// The bearer token as a subprotocol: the server selects concierge.events.v1.
	ws2, status := dialEvents(t, s.wsURL(""), &websocket.DialOptions{Subprotocols: []string{"concierge.events.v1", "concierge.bearer." + fd}})
	if ws2 == nil {
		t.Fatalf("dial with the bearer subprotocol: HTTP %d", status)
	}
	if ws2.Subprotocol() != "concierge.events.v1" {
		t.Errorf("selected subprotocol %q", ws2.Subprotocol())
	}
	if _, status := dialEvents(t, s.wsURL(""), &websocket.DialOptions{Subprotocols: []string{"concierge.events.v1", "concierge.bearer.cst_wrong"}}); status != http.StatusUnauthorized {
		t.Errorf("wrong bearer subprotocol: HTTP %d, want 401", status)
	}

	// A ticket of a login that ends before it is used does not open the WebSocket.
	revoked := s.eventTicket(t, fd)
	s.do(t, http.MethodPost, pathStaffLogout, nil, bearer(fd)).wantStatus(t, http.StatusNoContent)
	if _, status := dialEvents(t, s.wsURL("?ticket="+revoked), nil); status != http.StatusUnauthorized {
		t.Errorf("ticket of a logged-out login: HTTP %d, want 401", status)
	}
}

// TestCORS: with --cors-origins, the guest and staff APIs answer the listed origin's preflights
// and requests with CORS headers, other origins with none; the staff WebSocket accepts the
// listed origin's pages and refuses others.
func TestCORS(t *testing.T) {
	t.Parallel()
	const app = "https://app.example"
	s := startServer(t, serverOptions{demo: true, env: noLimits, args: []string{"--cors-origins", app + ", http://ops.example:8080"}})

	for _, path := range []string{pathConversations, "/api/v40/interactive/messages/conversations", pathCreate} {
		r := s.do(t, http.MethodOptions, path, nil, map[string]string{"Origin": app,
			"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type, idempotency-key"})
		if r.Status != http.StatusNoContent || r.Header.Get("Access-Control-Allow-Origin") != app ||
			!strings.Contains(r.Header.Get("Access-Control-Allow-Methods"), "POST") ||
			!strings.Contains(r.Header.Get("Access-Control-Allow-Headers"), "Idempotency-Key") ||
			!strings.Contains(r.Header.Get("Access-Control-Allow-Headers"), "Last-Event-ID") ||
			r.Header.Get("Access-Control-Max-Age") == "" || !strings.Contains(strings.Join(r.Header.Values("Vary"), ","), "Origin") {
			t.Errorf("preflight of %s: HTTP %d %v", path, r.Status, r.Header)
		}
		if r.Header.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("preflight of %s allows credentials", path)
		}
	}
	// A request of the allowed origin (another letter case of it too), with exposed headers.
	fd := s.staffLogin(t, "frontdesk")
	h := bearer(fd)
	h["Origin"] = "HTTP://OPS.example:8080"
	r := s.do(t, http.MethodGet, pathConversations, nil, h).wantStatus(t, http.StatusOK)
	if r.Header.Get("Access-Control-Allow-Origin") != "HTTP://OPS.example:8080" ||
		!strings.Contains(r.Header.Get("Access-Control-Expose-Headers"), "Retry-After") {
		t.Errorf("CORS headers of an allowed request: %v", r.Header)
	}
	// Another origin: no CORS headers at all, preflight or not.
	for _, method := range []string{http.MethodOptions, http.MethodGet} {
		h := bearer(fd)
		h["Origin"], h["Access-Control-Request-Method"] = "https://evil.example", "GET"
		r := s.do(t, method, pathConversations, nil, h)
		for k := range r.Header {
			if strings.HasPrefix(k, "Access-Control-") {
				t.Errorf("%s from another origin: header %s: %v", method, k, r.Header.Get(k))
			}
		}
	}
	// Pages elsewhere (/console/) get none either.
	if r := s.do(t, http.MethodGet, "/healthz", nil, map[string]string{"Origin": app}); r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("/healthz answered CORS")
	}

	// The WebSocket: the allowed origin's page may connect; another origin's may not.
	ticket := s.eventTicket(t, fd)
	if ws, status := dialEvents(t, s.wsURL("?ticket="+ticket), &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {app}}}); ws == nil {
		t.Errorf("WebSocket from %s: HTTP %d", app, status)
	}
	ticket = s.eventTicket(t, fd)
	if ws, status := dialEvents(t, s.wsURL("?ticket="+ticket), &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"https://evil.example"}}}); ws != nil || status != http.StatusForbidden {
		t.Errorf("WebSocket from another origin: HTTP %d, want 403", status)
	}
}
