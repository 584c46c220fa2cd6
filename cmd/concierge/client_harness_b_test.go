package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"concierge/api"
	"concierge/client"
)

// The end-to-end tests speak to the server through the Go client (package client) and read
// its typed answers (package api), so that a shape drift breaks the build or a strict decode.
// Every exchange still goes through checkAgainstOpenAPI, as server.do's do, and the last answer
// of each client is kept for the assertions that are about the wire itself (envelope and item
// names, key order, headers).

// wireLog is the http.RoundTripper of the test clients: it validates each exchange against the
// OpenAPI documents and keeps the last answer. Event streams pass through unread.
type wireLog struct {
	t    testing.TB
	next http.RoundTripper // nil: http.DefaultTransport
	mu   sync.Mutex
	last response
}

// RoundTrip sends req, checks the exchange against the OpenAPI documents and records it.
func (w *wireLog) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.GetBody != nil {
		if b, err := req.GetBody(); err == nil {
			reqBody, _ = io.ReadAll(b)
		}
	}
	next := w.next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		return resp, nil
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	checkAgainstOpenAPI(w.t, req, reqBody, resp.StatusCode, resp.Header, raw)
	r := response{Status: resp.StatusCode, Header: resp.Header.Clone(), Raw: raw}
	_ = json.Unmarshal(raw, &r.Body)
	w.mu.Lock()
	w.last = r
	w.mu.Unlock()
	return resp, nil
}

// answer is the last answer the client received.
func (w *wireLog) answer() response {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.last
}

// clientOptions are the options of every test client: strict decoding, the checking wire, and
// no retries (a test that expects a 429 sees it).
func clientOptions(t testing.TB, w *wireLog, extra ...client.Option) []client.Option {
	return append([]client.Option{client.WithStrictDecoding(), client.WithRetries(0),
		client.WithHTTPClient(&http.Client{Transport: w})}, extra...)
}

// guestApp is a guest-API client of the server under test that sends the session token as the
// vendor's documentation shows (in POST bodies and GET query strings).
type guestApp struct {
	*client.Guest
	wire *wireLog
}

// guestApp returns a guest client without a session.
func (s *server) guestApp(t testing.TB, opts ...client.Option) *guestApp {
	w := &wireLog{t: t}
	g := &guestApp{Guest: client.NewGuest(s.URL, clientOptions(t, w, opts...)...), wire: w}
	g.SendTokenIn(client.TokenInBody)
	return g
}

// guestWithToken returns a guest client that uses tok.
func (s *server) guestWithToken(t testing.TB, tok string) *guestApp {
	g := s.guestApp(t)
	g.SetToken(tok)
	return g
}

// initialisedGuest returns a guest client whose session req opened.
func (s *server) initialisedGuest(t testing.TB, req api.GuestInitialiseRequest) *guestApp {
	t.Helper()
	g := s.guestApp(t)
	if _, err := g.Initialise(t.Context(), req); err != nil || g.Token() == "" {
		t.Fatalf("session %+v: %v (token %q)", req, err, g.Token())
	}
	return g
}

// roomGuest returns a guest client with a verified session at the demo property.
func (s *server) roomGuest(t testing.TB, room, lastName string) *guestApp {
	t.Helper()
	return s.initialisedGuest(t, api.GuestInitialiseRequest{PropertyCode: "DEMO", InterfaceToken: demoToken,
		RoomNumber: room, LastName: lastName})
}

// identifiedGuest returns a guest client with a non-verified session of identifier id at the
// demo property, in language lang ("" for the property's).
func (s *server) identifiedGuest(t testing.TB, id, lang string) *guestApp {
	t.Helper()
	return s.initialisedGuest(t, api.GuestInitialiseRequest{PropertyCode: "DEMO", InterfaceToken: demoToken,
		GuestUniqueIdentifier: id, LanguageCode: lang})
}

// answer is the last answer the guest client received.
func (g *guestApp) answer() response { return g.wire.answer() }

// wantFailure checks that err is the guest API's failure areaError with that HTTP status, and
// that the answer on the wire is the failure envelope of item (response.wantFailure).
func (g *guestApp) wantFailure(t testing.TB, err error, status int, item, areaError string) {
	t.Helper()
	var ce *client.Error
	if !errors.As(err, &ce) || ce.Code != areaError || ce.StatusCode != status {
		t.Fatalf("%v, want %s (HTTP %d)", err, areaError, status)
	}
	g.answer().wantFailure(t, status, item, areaError)
}

// staffApp is a staff-API client of the server under test.
type staffApp struct {
	*client.Staff
	wire *wireLog
}

// staffApp returns a staff client without credentials.
func (s *server) staffApp(t testing.TB) *staffApp {
	w := &wireLog{t: t}
	return &staffApp{Staff: client.NewStaff(s.URL, clientOptions(t, w)...), wire: w}
}

// loggedIn returns a staff client logged in as a demo user.
func (s *server) loggedIn(t testing.TB, username string) *staffApp {
	t.Helper()
	c := s.staffApp(t)
	if _, err := c.Login(t.Context(), username, demoPassword); err != nil {
		t.Fatalf("login %s: %v", username, err)
	}
	return c
}

// staffWithToken returns a staff client that sends tok (a login's token or an API key).
func (s *server) staffWithToken(t testing.TB, tok string) *staffApp {
	c := s.staffApp(t)
	c.SetToken(tok)
	return c
}

// answer is the last answer the staff client received.
func (c *staffApp) answer() response { return c.wire.answer() }

// wantStaffFailure checks that err is the staff API's error code with that HTTP status and
// that the answer on the wire is the API's error shape (response.wantStaffError).
func (c *staffApp) wantStaffFailure(t testing.TB, err error, status int, code string) {
	t.Helper()
	var ce *client.Error
	if !errors.As(err, &ce) || ce.Code != code || ce.StatusCode != status {
		t.Fatalf("%v, want %s (HTTP %d)", err, code, status)
	}
	c.answer().wantStaffError(t, status, code)
}

// typedContent decodes strictly the content of the successful item of a raw guest-API answer
// (one a test sends by hand on purpose: another letter case, a wrong type) into a T.
func typedContent[T any](t testing.TB, r response, item string) T {
	t.Helper()
	r.content(t, item)
	return strictDecode[T](t, string(rawPath(t, r.Raw, "responses", 0, item, "content")))
}

// wantStatus fails unless the last answer had the HTTP status (e.g. 201 for a creation).
func (c *staffApp) wantStatus(t testing.TB, status int) {
	t.Helper()
	if r := c.answer(); r.Status != status {
		t.Fatalf("HTTP %d, want %d: %s", r.Status, status, r.Raw)
	}
}

// messages returns the messages of a conversation as staff read them.
func (c *staffApp) messages(t testing.TB, code string) []api.Message {
	t.Helper()
	return need(c.Conversation(t.Context(), code))(t).Messages
}

// reply posts a staff message of type typ ("Staff" or "Note") and checks the 201.
func (c *staffApp) reply(t testing.TB, code, typ, content string) *api.Message {
	t.Helper()
	m := need(c.AddMessage(t.Context(), code, api.AddMessageRequest{Type: typ, Content: content}, ""))(t)
	c.wantStatus(t, http.StatusCreated)
	return m
}

// open opens a conversation as the guest at outlet (ConversationType guest) and returns its code.
func (g *guestApp) open(t testing.TB, outlet, message string) string {
	t.Helper()
	return need(g.CreateConversation(t.Context(), api.GuestCreateConversationRequest{OutletCode: outlet, Message: message,
		ConversationType: "guest"}, ""))(t).Code
}

// messagesOf returns the messages of one of the guest's conversations, as the guest reads them.
func (g *guestApp) messagesOf(t testing.TB, code string) []api.GuestMessage {
	t.Helper()
	return need(g.Conversation(t.Context(), code))(t).Messages
}

// staffEvent decodes strictly the data of a staff stream's event.
func (ev sseEvent) staffEvent(t testing.TB) api.StaffEvent {
	t.Helper()
	return strictDecode[api.StaffEvent](t, ev.Raw)
}

// guestEvent decodes strictly the data of a guest stream's event.
func (ev sseEvent) guestEvent(t testing.TB) api.GuestEvent {
	t.Helper()
	return strictDecode[api.GuestEvent](t, ev.Raw)
}

// strictDecode is strictJSON returning the value.
func strictDecode[T any](t testing.TB, raw string) T {
	t.Helper()
	var v T
	strictJSON(t, []byte(raw), &v)
	return v
}
