package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"concierge/api"
	"concierge/client"
)

// The wire conventions are tested on the raw wire (paths in other cases, wrong methods and
// content types, malformed bodies, headers); what a typed client can send goes through it.
func TestWireConventions(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	ctx := t.Context()
	g := s.roomGuest(t, "101", "Garcia")
	tok := g.Token()

	t.Run("paths are case-insensitive", func(t *testing.T) {
		r := s.post(t, "/api/v40/interactive/messages/conversations", map[string]any{"sessiontoken": tok, "MESSAGE": "hi"})
		r.content(t, "createConversationResponse")
		r = s.get(t, "/Api/V40/INTERACTIVE/messages/?sessionTOKEN="+tok)
		r.content(t, "getMessagesResponse")
	})
	t.Run("unknown route is RouteNotFound in the envelope", func(t *testing.T) {
		for _, p := range []string{"/API/V40/Interactive/Nope", "/", "/console-not-here", "/API/V40/Interactive/Messages/Conversations/X/Y/Z"} {
			s.get(t, p).wantFailure(t, http.StatusNotFound, "responseStatus", "RouteNotFound")
		}
	})
	t.Run("wrong method is MethodNotAllowed with Allow", func(t *testing.T) {
		r := s.get(t, pathInitRoom)
		r.wantFailure(t, http.StatusMethodNotAllowed, "responseStatus", "MethodNotAllowed")
		if r.Header.Get("Allow") != "POST" {
			t.Fatalf("Allow %q", r.Header.Get("Allow"))
		}
		r = s.do(t, http.MethodPut, pathCreate, []byte(`{}`), nil)
		r.wantFailure(t, http.StatusMethodNotAllowed, "responseStatus", "MethodNotAllowed")
		if r.Header.Get("Allow") != "GET, POST" {
			t.Fatalf("Allow %q", r.Header.Get("Allow"))
		}
		s.do(t, http.MethodDelete, pathMessages, nil, nil).wantFailure(t, http.StatusMethodNotAllowed, "responseStatus", "MethodNotAllowed")
	})
	t.Run("content types", func(t *testing.T) {
		body := []byte(`{"SessionToken":"` + tok + `","Message":"hi"}`)
		for _, ct := range []string{"application/json", "text/json", "application/json; charset=utf-8", "Application/JSON"} {
			r := s.do(t, http.MethodPost, pathCreate, body, map[string]string{"Content-Type": ct})
			r.content(t, "createConversationResponse")
			if got := r.Header.Get("Content-Type"); got != "application/json; charset=utf-8" {
				t.Fatalf("response Content-Type %q", got)
			}
		}
		for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "application/xml", "garbage/;;"} {
			s.do(t, http.MethodPost, pathCreate, body, map[string]string{"Content-Type": ct}).
				wantFailure(t, http.StatusUnsupportedMediaType, "createConversationResponse", "UnsupportedMediaType")
		}
	})
	t.Run("malformed bodies", func(t *testing.T) {
		for _, body := range []string{`{`, `[1,2]`, `"str"`, `{"Message": "a"} {"x":1}`, `{"SessionToken": 12}`,
			`{"SessionToken": "` + tok + `", "Message": ["a"]}`, `{"SessionToken": "` + tok + `", "OutletCode": true}`, `nul`} {
			s.do(t, http.MethodPost, pathCreate, []byte(body), nil).
				wantFailure(t, http.StatusBadRequest, "createConversationResponse", "MalformedRequest")
		}
	})
	t.Run("validation of message content", func(t *testing.T) {
		long := strings.Repeat("é", 4001)
		_, err := g.CreateConversation(ctx, api.GuestCreateConversationRequest{Message: long}, "")
		g.wantFailure(t, err, http.StatusBadRequest, api.ItemCreateConversation, "ValidationFailed")
		var ce *client.Error
		if !errors.As(err, &ce) || len(ce.Fields) == 0 || ce.Fields[0].Field != "Message" || ce.Fields[0].Message == "" {
			t.Fatalf("errors %+v", err)
		}
		// 4,000 characters plus surrounding spaces is fine (limit after trimming, in characters).
		need(g.CreateConversation(ctx, api.GuestCreateConversationRequest{Message: "  " + strings.Repeat("é", 4000) + "\n"}, ""))(t)
		_, err = g.CreateConversation(ctx, api.GuestCreateConversationRequest{Message: "a\u0000b"}, "")
		g.wantFailure(t, err, http.StatusBadRequest, api.ItemCreateConversation, "ValidationFailed")
		bad := []byte(`{"SessionToken":"` + tok + `","Message":"caf` + "\xe9" + `"}`)
		s.do(t, http.MethodPost, pathCreate, bad, nil).wantFailure(t, http.StatusBadRequest, "createConversationResponse", "ValidationFailed")
	})
	t.Run("payload too large", func(t *testing.T) {
		big, _ := json.Marshal(map[string]any{"SessionToken": tok, "Message": strings.Repeat("x", 70<<10)})
		s.do(t, http.MethodPost, pathCreate, big, nil).wantFailure(t, http.StatusRequestEntityTooLarge, "createConversationResponse", "PayloadTooLarge")
		// Without a Content-Length (chunked), the limit holds too.
		req, _ := http.NewRequest(http.MethodPost, s.URL+pathCreate, struct{ *bytes.Reader }{bytes.NewReader(big)})
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || req.ContentLength != 0 {
			t.Fatalf("chunked oversize: HTTP %d (content length %d)", resp.StatusCode, req.ContentLength)
		}
	})
	t.Run("every failure names an item and keeps the envelope key order", func(t *testing.T) {
		_, err := g.CreateConversation(ctx, api.GuestCreateConversationRequest{OutletCode: "SPAA"}, "")
		g.wantFailure(t, err, http.StatusNotFound, api.ItemCreateConversation, "OutletNotFound")
		r := g.answer()
		if got := strings.Join(keysOf(t, r.Raw), ","); got != "sessionToken,responsesIncluded,responses,status" {
			t.Fatalf("keys %s", got)
		}
		if got := strings.Join(keysOf(t, rawPath(t, r.Raw, "responses", 0, "createConversationResponse")), ","); got != "succeeded,areaError,message" {
			t.Fatalf("failure item keys %s", got)
		}
		if msg := err.(*client.Error).Message; msg != "There is no outlet 'SPAA' at this property." {
			t.Fatalf("message %q", msg)
		}
		// The session stays usable: the envelope hands back the token that was sent.
		if r.token() != tok || g.Token() != tok {
			t.Fatalf("failure envelope token %q", r.token())
		}
	})
	t.Run("request id is echoed and logged", func(t *testing.T) {
		r := s.do(t, http.MethodGet, pathMessages+"?SessionToken="+tok, nil, map[string]string{"X-Request-Id": "trace-abc-123"})
		if r.Header.Get("X-Request-Id") != "trace-abc-123" {
			t.Fatalf("X-Request-Id %q", r.Header.Get("X-Request-Id"))
		}
		found := false
		for _, line := range strings.Split(s.Stderr.String(), "\n") {
			if line == "" {
				continue
			}
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("log line is not JSON: %q", line)
			}
			if rec["request_id"] == "trace-abc-123" && rec["msg"] == "request" && rec["status"] == float64(200) {
				found = true
			}
			if strings.Contains(line, tok) {
				t.Fatalf("a session token was logged: %s", line)
			}
		}
		if !found {
			t.Fatalf("no request log line with the request id:\n%s", s.Stderr.String())
		}
	})
}

// wantRetryAfter fails unless err is a RateLimited refusal (429) of item that asks to wait.
func (g *guestApp) wantRetryAfter(t *testing.T, err error, item string) {
	t.Helper()
	g.wantFailure(t, err, http.StatusTooManyRequests, item, "RateLimited")
	if secs, e := strconv.Atoi(g.answer().Header.Get("Retry-After")); e != nil || secs < 1 || err.(*client.Error).RetryAfter < time.Second {
		t.Fatalf("Retry-After %q", g.answer().Header.Get("Retry-After"))
	}
}

func TestRateLimits(t *testing.T) {
	t.Parallel()
	t.Run("per session", func(t *testing.T) {
		t.Parallel()
		s := startServer(t, serverOptions{demo: true, env: map[string]string{
			"CONCIERGE_RATE_SESSION": "0.001", "CONCIERGE_RATE_SESSION_BURST": "3"}})
		ctx := t.Context()
		g, other := s.roomGuest(t, "101", "Garcia"), s.roomGuest(t, "102", "Smith")
		for range 3 {
			need(g.Messages(ctx, client.Page{}))(t)
		}
		_, err := g.Messages(ctx, client.Page{})
		g.wantRetryAfter(t, err, api.ItemGetMessages)
		need(other.Messages(ctx, client.Page{}))(t)
	})
	t.Run("per address", func(t *testing.T) {
		t.Parallel()
		s := startServer(t, serverOptions{demo: true, env: map[string]string{
			"CONCIERGE_RATE_ADDRESS": "0.001", "CONCIERGE_RATE_ADDRESS_BURST": "2"}})
		g := s.guestApp(t)
		for range 2 {
			_, err := g.Messages(t.Context(), client.Page{})
			g.wantFailure(t, err, http.StatusUnauthorized, api.ItemGetMessages, "IdentityTokenInvalid")
		}
		_, err := g.Messages(t.Context(), client.Page{})
		g.wantRetryAfter(t, err, api.ItemGetMessages) // the call's own item
		if h := s.get(t, "/healthz"); h.Status != 200 {
			t.Fatalf("health checks must not be rate limited: %d", h.Status)
		}
	})
	t.Run("per interface token", func(t *testing.T) {
		t.Parallel()
		s := startServer(t, serverOptions{demo: true, args: []string{"--rate-interface-token", "0.001", "--rate-interface-token-burst", "1"}})
		s.roomGuest(t, "101", "Garcia")
		g := s.guestApp(t)
		_, err := g.Initialise(t.Context(), api.GuestInitialiseRequest{PropertyCode: "DEMO", InterfaceToken: demoToken})
		g.wantFailure(t, err, http.StatusTooManyRequests, api.ItemInitialiseSession, "RateLimited")
	})
	t.Run("failed room verifications slow down per room", func(t *testing.T) {
		t.Parallel()
		s := startServer(t, serverOptions{demo: true})
		try := func(room, name string) (*guestApp, error) {
			g := s.guestApp(t)
			_, err := g.Initialise(t.Context(), api.GuestInitialiseRequest{PropertyCode: "DEMO", InterfaceToken: demoToken, RoomNumber: room, LastName: name})
			return g, err
		}
		for range 6 {
			g, err := try("101", "Wrong")
			g.wantFailure(t, err, http.StatusUnauthorized, api.ItemInitialiseSession, "GuestVerificationFailed")
		}
		// Even the right name must wait now; another room is not affected.
		g, err := try("101", "Garcia")
		g.wantRetryAfter(t, err, api.ItemInitialiseSession)
		need(try("102", "Smith"))(t)
		s.Clock.Advance(10 * 60e9)
		need(try("101", "Garcia"))(t)
	})
}
