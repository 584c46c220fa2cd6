package idempotency

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"concierge/internal/concierge"
	"concierge/internal/sqlite"
	"concierge/internal/wire"
)

// counter is a write handler that counts how often it really ran.
type counter struct {
	runs   atomic.Int32
	status int
}

func (c *counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := c.runs.Add(1)
	w.Header().Set("Content-Type", "application/json")
	if c.status != 0 {
		w.WriteHeader(c.status)
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"run": n})
}

func writeErr(w http.ResponseWriter, r *http.Request, err error) {
	e := wire.AsError(err)
	w.WriteHeader(wire.Status(e.Code))
	_, _ = w.Write([]byte(string(e.Code)))
}

func setup(t *testing.T, h http.Handler, opts Options) (http.Handler, *sqlite.DB) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "i.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	opts.Store, opts.WriteError = db, writeErr
	return Middleware(h, opts), db
}

func send(h http.Handler, key, auth, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/API/V40/x", strings.NewReader(body))
	if key != "" {
		req.Header.Set(Header, key)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestReplayAndReuse(t *testing.T) {
	t.Parallel()
	c := &counter{}
	h, _ := setup(t, c, Options{})
	first := send(h, "k1", "Session a", `{"m":1}`)
	again := send(h, "k1", "Session a", `{"m":1}`)
	if c.runs.Load() != 1 || again.Body.String() != first.Body.String() || again.Header().Get("Idempotent-Replayed") != "true" {
		t.Fatalf("runs %d, first %q, again %q", c.runs.Load(), first.Body, again.Body)
	}
	if r := send(h, "k1", "Session a", `{"m":2}`); r.Code != http.StatusConflict || r.Body.String() != "IdempotencyKeyReused" {
		t.Fatalf("different request, same key: %d %s", r.Code, r.Body)
	}
	send(h, "k1", "Session b", `{"m":1}`) // another caller's key space
	send(h, "", "Session a", `{"m":1}`)   // no key: always runs
	send(h, "", "Session a", `{"m":1}`)
	if c.runs.Load() != 4 {
		t.Fatalf("runs %d, want 4", c.runs.Load())
	}
	if r := send(h, "bad key with spaces", "Session a", `{}`); r.Code != http.StatusBadRequest {
		t.Fatalf("bad key: %d", r.Code)
	}
}

func TestServerErrorsAndRateLimitsAreNotRemembered(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusInternalServerError, http.StatusTooManyRequests} {
		c := &counter{status: status}
		h, _ := setup(t, c, Options{})
		send(h, "k", "Session a", `{}`)
		send(h, "k", "Session a", `{}`)
		if c.runs.Load() != 2 {
			t.Fatalf("status %d: runs %d, want 2 (a retry must run again)", status, c.runs.Load())
		}
	}
	c := &counter{status: http.StatusBadRequest}
	h, _ := setup(t, c, Options{})
	send(h, "k", "Session a", `{}`)
	if r := send(h, "k", "Session a", `{}`); r.Code != http.StatusBadRequest || c.runs.Load() != 1 {
		t.Fatalf("a client error is a final answer: %d, runs %d", r.Code, c.runs.Load())
	}
}

func TestOversizedBodyPassesThroughUnremembered(t *testing.T) {
	t.Parallel()
	c := &counter{}
	h, _ := setup(t, c, Options{})
	big := `{"m":"` + strings.Repeat("x", wire.MaxBodyBytes) + `"}`
	send(h, "k", "Session a", big)
	send(h, "k", "Session a", big)
	if c.runs.Load() != 2 {
		t.Fatalf("runs %d", c.runs.Load())
	}
}

func TestReservationsOfOtherNodes(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	c := &counter{}
	h, db := setup(t, c, Options{Now: func() time.Time { return now }, Wait: 50 * time.Millisecond, Abandoned: time.Minute})
	req := httptest.NewRequest(http.MethodPost, "/API/V40/x", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Session a")
	scope := Scope(req, []byte(`{}`))
	hash := requestHash(req, []byte(`{}`))
	ctx := context.Background()

	// Another node is still answering: the duplicate waits, then is told to retry later.
	if _, ok, err := db.ReserveIdempotencyKey(ctx, concierge.IdempotentRecord{Scope: scope, Key: "busy", RequestHash: hash, CreatedAt: now}); err != nil || !ok {
		t.Fatal(err)
	}
	if r := send(h, "busy", "Session a", `{}`); r.Code != http.StatusConflict || c.runs.Load() != 0 {
		t.Fatalf("in progress elsewhere: %d, runs %d", r.Code, c.runs.Load())
	}
	// A reservation whose node died long ago is taken over.
	if _, ok, err := db.ReserveIdempotencyKey(ctx, concierge.IdempotentRecord{Scope: scope, Key: "dead", RequestHash: hash, CreatedAt: now.Add(-time.Hour)}); err != nil || !ok {
		t.Fatal(err)
	}
	if r := send(h, "dead", "Session a", `{}`); r.Code != http.StatusOK || c.runs.Load() != 1 {
		t.Fatalf("abandoned: %d, runs %d", r.Code, c.runs.Load())
	}
	// Pruning forgets old keys.
	n, err := db.PruneIdempotencyKeys(ctx, now.Add(time.Second))
	if err != nil || n != 2 {
		t.Fatalf("pruned %d, %v", n, err)
	}
}

func TestScope(t *testing.T) {
	t.Parallel()
	mk := func(auth, body string) string {
		r := httptest.NewRequest(http.MethodPost, "/x", nil)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		return Scope(r, []byte(body))
	}
	if mk("", `{"SessionToken":"abc"}`) != mk("", `{"sessiontoken":"abc","Message":"x"}`) {
		t.Fatal("the body token decides the scope, whatever its letter case")
	}
	if mk("", `{"SessionToken":"abc"}`) == mk("", `{"SessionToken":"abd"}`) {
		t.Fatal("different sessions share a scope")
	}
	if mk("Bearer x", `{"SessionToken":"abc"}`) == mk("Bearer y", `{"SessionToken":"abc"}`) {
		t.Fatal("the Authorization header is ignored")
	}
	if s := mk("", `{"InterfaceToken":"secret-token"}`); strings.Contains(s, "secret") || len(s) != 32 {
		t.Fatalf("scope %q must be a hash", s)
	}
}

// FuzzScope: any body and header yields a 32-character hash without panicking.
func FuzzScope(f *testing.F) {
	f.Add("", `{"SessionToken":"abc"}`)
	f.Add("Session x", `[1,2`)
	f.Add("", `{"interfacetoken":5,"sessionToken":null}`)
	f.Fuzz(func(t *testing.T, auth, body string) {
		r := httptest.NewRequest(http.MethodPost, "/x", nil)
		r.Header["Authorization"] = []string{auth}
		if s := Scope(r, []byte(body)); len(s) != 32 {
			t.Fatalf("scope %q", s)
		}
	})
}
