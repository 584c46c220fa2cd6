package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable clock for the server under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// madridNoon is a Wednesday at noon in the demo property's time zone: every demo outlet is open.
func madridNoon(t *testing.T) time.Time {
	loc, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(2026, 11, 25, 12, 0, 0, 0, loc)
}

// lockedBuffer is a goroutine-safe buffer for the server's stderr.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// server is a running `concierge serve`.
type server struct {
	URL    string
	DB     string
	Dir    string
	Clock  *clock
	Stdout *lockedBuffer
	Stderr *lockedBuffer
	stop   func() error
}

// serverOptions tune startServer.
type serverOptions struct {
	env   map[string]string // CONCIERGE_* variables
	args  []string          // extra serve flags
	dir   string            // data directory (default: a new temp dir)
	clock *clock            // default: Madrid noon
	demo  bool
	// demoConversations keeps the demo's sample conversations (default: an empty inbox, which
	// most tests count on).
	demoConversations bool
}

// startServer runs the real program (`run` with a clock) on 127.0.0.1:0 and waits until it
// listens. The server stops at the end of the test; the test fails if run returned an error.
func startServer(t testing.TB, opts serverOptions) *server {
	t.Helper()
	if opts.dir == "" {
		opts.dir = t.TempDir()
	}
	if opts.clock == nil {
		loc, _ := time.LoadLocation("Europe/Madrid")
		opts.clock = newClock(time.Date(2026, 11, 25, 12, 0, 0, 0, loc))
	}
	db := testDB(t, opts.dir) // the SQLite file in dir, or a PostgreSQL database (engine_test.go)
	args := []string{"concierge", "serve", "--addr", "127.0.0.1:0", "--db", db}
	if opts.demo {
		args = append(args, "--demo")
		if !opts.demoConversations {
			args = append(args, "--demo-conversations=false")
		}
	}
	args = append(args, opts.args...)
	getenv := func(k string) string { return opts.env[k] }

	pr, pw := io.Pipe()
	stdout, stderr := &lockedBuffer{}, &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		err := runAt(ctx, args, getenv, io.MultiWriter(pw, stdout), stderr, opts.clock.Now)
		pw.CloseWithError(fmt.Errorf("run returned: %v", err))
		done <- err
	}()
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "Concierge listening on "); ok {
				urlc <- rest
			}
		}
		close(urlc)
		_, _ = io.Copy(io.Discard, pr)
	}()
	url, ok := <-urlc
	if !ok {
		cancel()
		t.Fatalf("server did not start: %v\nstderr:\n%s", <-done, stderr.String())
	}
	s := &server{URL: url, DB: db, Dir: opts.dir, Clock: opts.clock, Stdout: stdout, Stderr: stderr}
	var once sync.Once
	var stopErr error
	s.stop = func() error {
		once.Do(func() {
			cancel()
			stopErr = <-done
			pw.Close()
		})
		return stopErr
	}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Errorf("run returned %v\nstderr:\n%s", err, stderr.String())
		}
	})
	return s
}

// response is an answer from the server, its body decoded as JSON.
type response struct {
	Status int
	Header http.Header
	Raw    []byte
	Body   map[string]any
}

// do sends a request and decodes the answer (which must be JSON).
func (s *server) do(t testing.TB, method, path string, body []byte, header map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstOpenAPI(t, req, body, resp.StatusCode, resp.Header, raw)
	r := response{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	if len(raw) > 0 && method != http.MethodHead {
		if err := json.Unmarshal(raw, &r.Body); err != nil {
			t.Fatalf("%s %s: answer is not a JSON object: %v\n%s", method, path, err, raw)
		}
	}
	return r
}

// post sends v as JSON.
func (s *server) post(t testing.TB, path string, v any) response {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return s.do(t, http.MethodPost, path, b, nil)
}

func (s *server) get(t testing.TB, path string) response {
	t.Helper()
	return s.do(t, http.MethodGet, path, nil, nil)
}

// item returns the content of the first response item named name (nil if absent).
func (r response) item(t testing.TB, name string) map[string]any {
	t.Helper()
	items, _ := r.Body["responses"].([]any)
	for _, it := range items {
		m, _ := it.(map[string]any)
		if v, ok := m[name].(map[string]any); ok {
			return v
		}
	}
	t.Fatalf("no item %q in %s", name, r.Raw)
	return nil
}

// content returns the content object of item name, failing unless it succeeded.
func (r response) content(t testing.TB, name string) map[string]any {
	t.Helper()
	it := r.item(t, name)
	if it["succeeded"] != true || r.Body["status"] != "Success" || r.Status != http.StatusOK {
		t.Fatalf("%s did not succeed (HTTP %d): %s", name, r.Status, r.Raw)
	}
	c, _ := it["content"].(map[string]any)
	return c
}

// token returns the envelope's session token.
func (r response) token() string {
	s, _ := r.Body["sessionToken"].(string)
	return s
}

// wantFailure checks an envelope failure: HTTP status, areaError, item name, status Failure.
func (r response) wantFailure(t testing.TB, status int, item, areaError string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("HTTP %d, want %d: %s", r.Status, status, r.Raw)
	}
	if r.Body["status"] != "Failure" {
		t.Fatalf("status %v, want Failure: %s", r.Body["status"], r.Raw)
	}
	if r.Body["responsesIncluded"] != item {
		t.Fatalf("responsesIncluded %v, want %s: %s", r.Body["responsesIncluded"], item, r.Raw)
	}
	it := r.item(t, item)
	if it["succeeded"] != false || it["areaError"] != areaError {
		t.Fatalf("item %v, want succeeded false and areaError %s: %s", it, areaError, r.Raw)
	}
	if msg, _ := it["message"].(string); msg == "" {
		t.Fatalf("failure without a message: %s", r.Raw)
	}
	if _, ok := it["content"]; ok {
		t.Fatalf("failure carries content: %s", r.Raw)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
}

// keysOf returns the keys of a JSON object in the order they appear.
func keysOf(t testing.TB, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", raw)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// rawPath walks a JSON document by object keys and array indexes and returns the raw value.
func rawPath(t testing.TB, raw []byte, path ...any) []byte {
	t.Helper()
	cur := json.RawMessage(raw)
	for _, p := range path {
		switch k := p.(type) {
		case string:
			var m map[string]json.RawMessage
			if err := json.Unmarshal(cur, &m); err != nil {
				t.Fatalf("at %v: %v", p, err)
			}
			cur = m[k]
		case int:
			var a []json.RawMessage
			if err := json.Unmarshal(cur, &a); err != nil || k >= len(a) {
				t.Fatalf("at %v: %v (len %d)", p, err, len(a))
			}
			cur = a[k]
		}
	}
	return cur
}

// Demo constants used across the tests.
const (
	demoToken     = "demo-interface-token"
	pathInitRoom  = "/API/V40/System/Session/InitialiseByRoom"
	pathInit      = "/API/V40/System/Session/Initialise"
	pathInitGuest = "/API/V40/System/Session/InitialiseByGuestIdentifier"
	pathLogin     = "/API/V40/System/Session/LoginByRoom"
	pathLogout    = "/API/V40/System/Session/Logout"
	pathOutlets   = "/API/V40/System/Settings/Outlet"
	pathCreate    = "/API/V40/Interactive/Messages/Conversations"
	pathCreateNV  = "/API/V40/Interactive/Messages/NonVerifiedGuestConversations"
	pathMessages  = "/API/V40/Interactive/Messages"
)

// loginRoom opens a verified demo session and returns its token.
func (s *server) loginRoom(t testing.TB, room, lastName string) string {
	t.Helper()
	r := s.post(t, pathInitRoom, map[string]any{"PropertyCode": "DEMO", "InterfaceToken": demoToken,
		"RoomNumber": room, "LastName": lastName})
	r.content(t, "initialiseSessionResponse")
	if r.token() == "" {
		t.Fatalf("no token: %s", r.Raw)
	}
	return r.token()
}
