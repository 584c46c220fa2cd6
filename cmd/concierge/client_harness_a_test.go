package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"testing"

	"concierge/api"
	"concierge/client"
)

// Test clients: the package client against a test server, decoding strictly (a field the
// server sends that package api does not know fails the call), trying each call once (a 429
// is an answer to check, not one to retry), and sending every exchange through the OpenAPI
// checks of server.do. The last exchange stays readable, so that a test can still look at
// the wire (headers, key order, exact bytes) of a call made through the client.

// testClient makes with newClient (client.NewStaff or client.NewGuest) a client of the server
// at url that reports to w (clientOptions).
func testClient[C any](t testing.TB, url string, newClient func(string, ...client.Option) C, w *wireLog, extra []client.Option) C {
	w.t = t
	return newClient(url, clientOptions(t, w, extra...)...)
}

// lastAnswer returns w's last answer, failing t unless its body (when it has one) is a JSON
// object.
func lastAnswer(t testing.TB, w *wireLog) response {
	t.Helper()
	r := w.answer()
	if len(r.Raw) > 0 && r.Body == nil {
		t.Fatalf("answer is not a JSON object:\n%s", r.Raw)
	}
	return r
}

// staffAPI is a staff client of a test server with its wire.
type staffAPI struct {
	*client.Staff
	wire *wireLog
}

// staffAPI returns a staff client sending token ("" for none).
func (s *server) staffAPI(t testing.TB, token string, opts ...client.Option) *staffAPI {
	t.Helper()
	w := &wireLog{}
	c := &staffAPI{Staff: testClient(t, s.URL, client.NewStaff, w, opts), wire: w}
	c.SetToken(token)
	return c
}

// staffAPIFrom returns a staff client without a token that connects from the local address ip
// (any 127.0.0.0/8 address reaches the server on loopback), as server.doFrom does, with opts
// (e.g. client.WithHeader for a forwarded address).
func (s *server) staffAPIFrom(t testing.TB, ip string, opts ...client.Option) *staffAPI {
	t.Helper()
	tr := &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}).DialContext}
	t.Cleanup(tr.CloseIdleConnections)
	w := &wireLog{next: tr}
	return &staffAPI{Staff: testClient(t, s.URL, client.NewStaff, w, opts), wire: w}
}

// staffAs returns a staff client logged in as a demo user.
func (s *server) staffAs(t testing.TB, username string, opts ...client.Option) *staffAPI {
	t.Helper()
	c := s.staffAPI(t, "", opts...)
	if _, err := c.Login(t.Context(), username, demoPassword); err != nil {
		t.Fatalf("login %s: %v", username, err)
	}
	return c
}

// last returns the client's last exchange, its body decoded.
func (c *staffAPI) last(t testing.TB) response {
	t.Helper()
	return lastAnswer(t, c.wire)
}

// fail checks that err is the staff API failure of the client's last call, with the status
// and code, in the API's error shape (response.wantStaffError), and returns it.
func (c *staffAPI) fail(t testing.TB, err error, status int, code string) *client.Error {
	t.Helper()
	ce := clientError(t, err, status, code)
	c.last(t).wantStaffError(t, status, code)
	return ce
}

// guestAPI is a guest client of a test server with its wire.
type guestAPI struct {
	*client.Guest
	wire *wireLog
}

// guestAPI returns a guest client using token ("" for none).
func (s *server) guestAPI(t testing.TB, token string, opts ...client.Option) *guestAPI {
	t.Helper()
	g := &guestAPI{wire: &wireLog{}}
	g.Guest = testClient(t, s.URL, client.NewGuest, g.wire, opts)
	g.SetToken(token)
	return g
}

// guestAt returns a guest client with a verified demo session of the room.
func (s *server) guestAt(t testing.TB, room, lastName string) *guestAPI {
	t.Helper()
	g := s.guestAPI(t, "")
	if _, err := g.Initialise(t.Context(), api.GuestInitialiseRequest{PropertyCode: "DEMO", InterfaceToken: demoToken,
		RoomNumber: room, LastName: lastName}); err != nil {
		t.Fatalf("session of room %s: %v", room, err)
	}
	return g
}

// last returns the client's last exchange, its body decoded.
func (g *guestAPI) last(t testing.TB) response {
	t.Helper()
	return lastAnswer(t, g.wire)
}

// fail checks that err is the guest API failure of the client's last call: the status and
// areaError in an envelope that names item (response.wantFailure).
func (g *guestAPI) fail(t testing.TB, err error, status int, item, areaError string) *client.Error {
	t.Helper()
	ce := clientError(t, err, status, areaError)
	g.last(t).wantFailure(t, status, item, areaError)
	return ce
}

// clientError fails t unless err is a *client.Error with the status and code.
func clientError(t testing.TB, err error, status int, code string) *client.Error {
	t.Helper()
	var ce *client.Error
	if !errors.As(err, &ce) || ce.StatusCode != status || ce.Code != code {
		t.Fatalf("%v, want %s (HTTP %d)", err, code, status)
	}
	return ce
}

// fieldNames returns the names of a validation failure's fields.
func fieldNames(ce *client.Error) []string {
	var out []string
	for _, f := range ce.Fields {
		out = append(out, f.Field)
	}
	return out
}

// need checks a call's answer: need(c.Call(…))(t) fails t on the call's error and returns
// its value.
func need[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// auditReader reads the audit log: a staff client of either harness.
type auditReader interface {
	Audit(ctx context.Context, l client.List) (*api.AuditList, error)
}

// auditLog returns the audit log's entries as c reads them, newest first, following every
// cursor two entries at a time.
func auditLog(t testing.TB, c auditReader) []api.AuditEntry {
	t.Helper()
	var out []api.AuditEntry
	l := client.List{Limit: 2}
	for {
		page := need(c.Audit(t.Context(), l))(t)
		out = append(out, page.Entries...)
		if l.Cursor = page.NextCursor; l.Cursor == "" {
			return out
		}
	}
}

// strictJSON decodes raw into dst, failing t on a field dst does not know: the client's
// strict decoding for an answer a test read raw.
func strictJSON(t testing.TB, raw []byte, dst any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		t.Fatalf("%T: %v\n%s", dst, err, raw)
	}
}

// collect returns one field of each item.
func collect[T any](items []T, field func(T) string) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, field(it))
	}
	return out
}
