package httpserver

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestNewCORSRejectsWhatIsNotAnOrigin(t *testing.T) {
	t.Parallel()
	for _, bad := range [][]string{
		{"app.example"}, {"ftp://app.example"}, {"https://app.example/path"}, {"https://user@app.example"},
		{"https://app.example?x=1"}, {"https://"}, {"*", "https://app.example"},
	} {
		if _, err := NewCORS(bad); err == nil {
			t.Errorf("NewCORS(%q) accepted", bad)
		}
	}
	if c, err := NewCORS(nil); c != nil || err != nil {
		t.Errorf("NewCORS(nil) = %v, %v; want nil (off)", c, err)
	}
	if c, err := NewCORS([]string{"https://App.Example:8443/"}); err != nil || !c.Allows("https://app.example:8443") || c.Allows("https://app.example") {
		t.Errorf("exact origin: %v %v", c, err)
	}
}

func TestCORSWrap(t *testing.T) {
	t.Parallel()
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	serve := func(c *CORS, method, path, origin string, preflight bool) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, nil)
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		if preflight {
			r.Header.Set("Access-Control-Request-Method", "POST")
		}
		w := httptest.NewRecorder()
		c.Wrap(next).ServeHTTP(w, r)
		return w
	}
	exact, _ := NewCORS([]string{"https://app.example"})
	star, _ := NewCORS([]string{"*"})

	w := serve(exact, http.MethodOptions, "/API/V40/Interactive/Messages", "https://app.example", true)
	if w.Code != http.StatusNoContent || w.Header().Get("Access-Control-Allow-Origin") != "https://app.example" ||
		w.Header().Get("Access-Control-Allow-Methods") == "" || w.Header().Get("Access-Control-Max-Age") == "" {
		t.Errorf("preflight: %d %v", w.Code, w.Header())
	}
	w = serve(exact, http.MethodPost, "/api/v1/conversations", "https://app.example", false)
	if w.Code != http.StatusTeapot || w.Header().Get("Access-Control-Allow-Origin") != "https://app.example" ||
		!strings.Contains(w.Header().Get("Access-Control-Expose-Headers"), "Idempotent-Replayed") {
		t.Errorf("request: %d %v", w.Code, w.Header())
	}
	for _, c := range []struct {
		cors         *CORS
		path, origin string
	}{
		{exact, "/api/v1/conversations", "https://evil.example"},
		{exact, "/api/v1/conversations", ""},
		{exact, "/metrics", "https://app.example"},
		{exact, "/console/", "https://app.example"},
		{nil, "/api/v1/conversations", "https://app.example"},
	} {
		w := serve(c.cors, http.MethodOptions, c.path, c.origin, true)
		if w.Code != http.StatusTeapot || w.Header().Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%s from %q: %d %v, want passed through without CORS", c.path, c.origin, w.Code, w.Header())
		}
	}
	w = serve(star, http.MethodGet, "/api/v1/me", "https://anywhere.example", false)
	if w.Header().Get("Access-Control-Allow-Origin") != "*" || w.Header().Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("* origin: %v", w.Header())
	}
}
