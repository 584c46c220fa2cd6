package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

func TestWireConventions(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	tok := s.loginRoom(t, "101", "Garcia")

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
		r := s.post(t, pathCreate, map[string]any{"SessionToken": tok, "Message": long})
		r.wantFailure(t, http.StatusBadRequest, "createConversationResponse", "ValidationFailed")
		errs := r.item(t, "createConversationResponse")["errors"].([]any)
		if f := errs[0].(map[string]any); f["field"] != "Message" || f["message"] == "" {
			t.Fatalf("errors %v", errs)
		}
		// 4,000 characters plus surrounding spaces is fine (limit after trimming, in characters).
		s.post(t, pathCreate, map[string]any{"SessionToken": tok, "Message": "  " + strings.Repeat("é", 4000) + "\n"}).
			content(t, "createConversationResponse")
		s.post(t, pathCreate, map[string]any{"SessionToken": tok, "Message": "a\u0000b"}).
			wantFailure(t, http.StatusBadRequest, "createConversationResponse", "ValidationFailed")
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
		r := s.post(t, pathCreate, map[string]any{"SessionToken": tok, "OutletCode": "SPAA"})
		r.wantFailure(t, http.StatusNotFound, "createConversationResponse", "OutletNotFound")
		if got := strings.Join(keysOf(t, r.Raw), ","); got != "sessionToken,responsesIncluded,responses,status" {
			t.Fatalf("keys %s", got)
		}
		if got := strings.Join(keysOf(t, rawPath(t, r.Raw, "responses", 0, "createConversationResponse")), ","); got != "succeeded,areaError,message" {
			t.Fatalf("failure item keys %s", got)
		}
		if msg := r.item(t, "createConversationResponse")["message"]; msg != "There is no outlet 'SPAA' at this property." {
			t.Fatalf("message %q", msg)
		}
		// The session stays usable: the envelope hands back the token that was sent.
		if r.token() != tok {
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

func TestRateLimits(t *testing.T) {
	t.Run("per session", func(t *testing.T) {
		s := startServer(t, serverOptions{demo: true, env: map[string]string{
			"CONCIERGE_RATE_SESSION": "0.001", "CONCIERGE_RATE_SESSION_BURST": "3"}})
		tok := s.loginRoom(t, "101", "Garcia")
		other := s.loginRoom(t, "102", "Smith")
		for i := 0; i < 3; i++ {
			s.get(t, pathMessages+"?SessionToken="+tok).content(t, "getMessagesResponse")
		}
		r := s.get(t, pathMessages+"?SessionToken="+tok)
		r.wantFailure(t, http.StatusTooManyRequests, "getMessagesResponse", "RateLimited")
		if secs, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || secs < 1 {
			t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
		}
		s.get(t, pathMessages+"?SessionToken="+other).content(t, "getMessagesResponse")
	})
	t.Run("per address", func(t *testing.T) {
		s := startServer(t, serverOptions{demo: true, env: map[string]string{
			"CONCIERGE_RATE_ADDRESS": "0.001", "CONCIERGE_RATE_ADDRESS_BURST": "2"}})
		s.get(t, pathMessages)
		s.get(t, pathMessages)
		r := s.get(t, pathMessages)
		r.wantFailure(t, http.StatusTooManyRequests, "getMessagesResponse", "RateLimited") // the call's own item
		if r.Header.Get("Retry-After") == "" {
			t.Fatal("no Retry-After")
		}
		if h := s.get(t, "/healthz"); h.Status != 200 {
			t.Fatalf("health checks must not be rate limited: %d", h.Status)
		}
	})
	t.Run("per interface token", func(t *testing.T) {
		s := startServer(t, serverOptions{demo: true, args: []string{"--rate-interface-token", "0.001", "--rate-interface-token-burst", "1"}})
		s.loginRoom(t, "101", "Garcia")
		s.post(t, pathInit, map[string]any{"PropertyCode": "DEMO", "InterfaceToken": demoToken}).
			wantFailure(t, http.StatusTooManyRequests, "initialiseSessionResponse", "RateLimited")
	})
	t.Run("failed room verifications slow down per room", func(t *testing.T) {
		s := startServer(t, serverOptions{demo: true})
		try := func(room, name string) response {
			return s.post(t, pathInitRoom, map[string]any{"PropertyCode": "DEMO", "InterfaceToken": demoToken, "RoomNumber": room, "LastName": name})
		}
		for i := 0; i < 6; i++ {
			try("101", "Wrong").wantFailure(t, http.StatusUnauthorized, "initialiseSessionResponse", "GuestVerificationFailed")
		}
		// Even the right name must wait now; another room is not affected.
		r := try("101", "Garcia")
		r.wantFailure(t, http.StatusTooManyRequests, "initialiseSessionResponse", "RateLimited")
		if r.Header.Get("Retry-After") == "" {
			t.Fatal("no Retry-After")
		}
		try("102", "Smith").content(t, "initialiseSessionResponse")
		s.Clock.Advance(10 * 60e9)
		try("101", "Garcia").content(t, "initialiseSessionResponse")
	})
}
