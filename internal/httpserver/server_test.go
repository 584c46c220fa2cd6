package httpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"concierge/internal/concierge"
	"concierge/internal/logging"
)

// brokenStore fails (or panics) the way a store whose disk died would; every method it does
// not override panics on the nil embedded interface.
type brokenStore struct {
	concierge.Store
	panics bool
}

func (b brokenStore) PropertyByCode(ctx context.Context, code string) (concierge.Property, error) {
	if b.panics {
		panic("disk on fire")
	}
	return concierge.Property{}, errors.New("disk I/O error: secret detail /var/lib/x")
}

func (b brokenStore) Ping(ctx context.Context) error { return errors.New("no database") }

type noTokens struct{}

func (noTokens) Sign(int64, time.Time) string { return "" }
func (noTokens) Verify(string) (int64, error) { return 0, errors.New("invalid") }

func newTestServer(t *testing.T, st concierge.Store) (http.Handler, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	logger := slog.New(logging.NewHandler(slog.NewJSONHandler(&logs, nil)))
	svc, err := concierge.NewService(concierge.Config{Store: st, Tokens: noTokens{}, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewServer(Config{Service: svc, Logger: logger, Registry: prometheus.NewRegistry(), Idempotency: nil})
	if err != nil {
		t.Fatal(err)
	}
	return h, &logs
}

func TestInternalErrorIsGenericAndLogged(t *testing.T) {
	t.Parallel()
	for _, panics := range []bool{false, true} {
		h, logs := newTestServer(t, brokenStore{panics: panics})
		req := httptest.NewRequest(http.MethodPost, "/API/V40/System/Session/Initialise",
			strings.NewReader(`{"PropertyCode":"DEMO","InterfaceToken":"x"}`))
		req.Header.Set("X-Request-Id", "req-500")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusInternalServerError {
			t.Fatalf("panics=%v: HTTP %d %s", panics, rec.Code, rec.Body)
		}
		var env map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
			t.Fatal(err)
		}
		if env["status"] != "Failure" || !strings.Contains(rec.Body.String(), `"areaError":"InternalError"`) {
			t.Fatalf("body %s", rec.Body)
		}
		if strings.Contains(rec.Body.String(), "disk") || strings.Contains(rec.Body.String(), "/var/lib") {
			t.Fatalf("internal details leaked to the client: %s", rec.Body)
		}
		if !strings.Contains(logs.String(), `"request_id":"req-500"`) || !strings.Contains(logs.String(), "disk") {
			t.Fatalf("details not logged with the request id:\n%s", logs.String())
		}
	}
}

func TestReadyzReportsStore(t *testing.T) {
	t.Parallel()
	h, _ := newTestServer(t, brokenStore{})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"store":"unavailable"`) {
		t.Fatalf("readyz with a dead store: %d %s", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("healthz: %d", rec.Code)
	}
}
