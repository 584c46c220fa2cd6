package staffapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// serve runs a request through a handler without a service: enough for routing and for the
// checks that come before any service call.
func serve(t *testing.T, method, path string, header map[string]string) (*httptest.ResponseRecorder, map[string]map[string]any) {
	t.Helper()
	h := NewHandler(nil, nil, Options{})
	r := httptest.NewRequest(method, path, nil)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var body map[string]map[string]any
	if w.Body.Len() > 0 {
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Fatalf("%s %s: answer is not JSON: %v\n%s", method, path, err, w.Body)
		}
	}
	return w, body
}

func wantError(t *testing.T, w *httptest.ResponseRecorder, body map[string]map[string]any, status int, code string) {
	t.Helper()
	if w.Code != status || body["error"]["code"] != code {
		t.Fatalf("HTTP %d %v, want %d %s", w.Code, body, status, code)
	}
	if msg, _ := body["error"]["message"].(string); msg == "" {
		t.Fatalf("error without a message: %v", body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
}

func TestRoutingFailures(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"/api/v1/", "/api/v1/nope", "/api/v1/auth", "/api/v1/auth/login/x",
		"/api/v1/me/", "/api/v1/api-keys/1", "/api/v1/API-KEYS"} {
		w, body := serve(t, http.MethodGet, path, nil)
		wantError(t, w, body, http.StatusNotFound, "RouteNotFound")
	}
	cases := []struct{ method, path, allow string }{
		{http.MethodGet, "/api/v1/auth/login", "POST"},
		{http.MethodDelete, "/api/v1/me", "GET, HEAD"},
		{http.MethodPut, "/api/v1/api-keys", "GET, HEAD, POST"},
		{http.MethodGet, "/api/v1/api-keys/3/revoke", "POST"},
	}
	for _, c := range cases {
		w, body := serve(t, c.method, c.path, nil)
		wantError(t, w, body, http.StatusMethodNotAllowed, "MethodNotAllowed")
		if got := w.Header().Get("Allow"); got != c.allow {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, got, c.allow)
		}
	}
	// HEAD gets the status and headers without a body.
	w, _ := serve(t, http.MethodHead, "/api/v1/nope", nil)
	if w.Code != http.StatusNotFound || w.Body.Len() != 0 {
		t.Fatalf("HEAD unknown route: %d, %q", w.Code, w.Body)
	}
}

func TestAuthenticationRequired(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, "/api/v1/me"},
		{http.MethodPost, "/api/v1/auth/logout"},
		{http.MethodGet, "/api/v1/api-keys"},
		{http.MethodPost, "/api/v1/api-keys"},
		{http.MethodPost, "/api/v1/api-keys/1/revoke"},
	} {
		for _, auth := range []string{"", "Basic YWRtaW46eA==", "Bearer", "Bearer a b"} {
			w, body := serve(t, c.method, c.path, map[string]string{"Authorization": auth})
			wantError(t, w, body, http.StatusUnauthorized, "AuthenticationFailed")
			if w.Header().Get("WWW-Authenticate") == "" {
				t.Errorf("%s %s: no WWW-Authenticate", c.method, c.path)
			}
		}
	}
}
