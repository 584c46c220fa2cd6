package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	h, err := New()
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	for _, p := range []string{"GET /console/", "GET /console", "GET /guest/", "GET /guest", "GET /assets/"} {
		mux.Handle(p, h)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// client does not follow redirects, so that tests see them.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func get(t *testing.T, url string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestServesFilesWithTypesAndSecurityHeaders(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	cases := []struct {
		path, contentType, contains string
	}{
		{"/console/", "text/html; charset=utf-8", "<title>Concierge console</title>"},
		{"/console/app.js", "text/javascript; charset=utf-8", "class Console"},
		{"/console/console.css", "text/css; charset=utf-8", ".inbox"},
		{"/guest/", "text/html; charset=utf-8", `id="login-form"`},
		{"/guest/app.js", "text/javascript; charset=utf-8", "class GuestPage"},
		{"/guest/i18n.js", "text/javascript; charset=utf-8", "Deutsch"},
		{"/guest/guest.css", "text/css; charset=utf-8", ".composer"},
		{"/assets/sse.js", "text/javascript; charset=utf-8", "class LiveStream"},
		{"/assets/base.css", "text/css; charset=utf-8", ":focus-visible"},
		{"/assets/icon.svg", "image/svg+xml", "<svg"},
	}
	for _, c := range cases {
		resp, body := get(t, srv.URL+c.path, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", c.path, resp.StatusCode)
		}
		if got := resp.Header.Get("Content-Type"); got != c.contentType {
			t.Errorf("GET %s: Content-Type %q, want %q", c.path, got, c.contentType)
		}
		if !strings.Contains(body, c.contains) {
			t.Errorf("GET %s: body lacks %q", c.path, c.contains)
		}
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options %q", c.path, got)
		}
		if got := resp.Header.Get("Content-Security-Policy"); got != ContentSecurityPolicy {
			t.Errorf("GET %s: Content-Security-Policy %q", c.path, got)
		}
		if got := resp.Header.Get("Referrer-Policy"); got != "no-referrer" {
			t.Errorf("GET %s: Referrer-Policy %q", c.path, got)
		}
	}
}

func TestCachingETagAnd304(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	for _, p := range []string{"/console/", "/console/app.js", "/guest/guest.css"} {
		resp, body := get(t, srv.URL+p, nil)
		etag := resp.Header.Get("ETag")
		if !regexp.MustCompile(`^"[A-Za-z0-9_-]{16}"$`).MatchString(etag) {
			t.Fatalf("GET %s: ETag %q is not a strong hash", p, etag)
		}
		if got := resp.Header.Get("Cache-Control"); got != "no-cache" {
			t.Errorf("GET %s: Cache-Control %q, want no-cache (revalidate every load)", p, got)
		}
		if body == "" {
			t.Fatalf("GET %s: empty body", p)
		}
		again, _ := get(t, srv.URL+p, nil)
		if again.Header.Get("ETag") != etag {
			t.Errorf("GET %s: ETag changed between requests", p)
		}

		resp, body = get(t, srv.URL+p, map[string]string{"If-None-Match": etag})
		if resp.StatusCode != http.StatusNotModified {
			t.Errorf("GET %s with If-None-Match: %d, want 304", p, resp.StatusCode)
		}
		if body != "" {
			t.Errorf("GET %s 304 has a body of %d bytes", p, len(body))
		}
		if resp.Header.Get("ETag") != etag {
			t.Errorf("GET %s 304: ETag %q", p, resp.Header.Get("ETag"))
		}

		resp, _ = get(t, srv.URL+p, map[string]string{"If-None-Match": `"stale"`})
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s with a stale ETag: %d, want 200", p, resp.StatusCode)
		}
	}
	// Different files have different ETags.
	a, _ := get(t, srv.URL+"/console/app.js", nil)
	b, _ := get(t, srv.URL+"/guest/app.js", nil)
	if a.Header.Get("ETag") == b.Header.Get("ETag") {
		t.Error("two different files share an ETag")
	}
}

func TestRedirectsAndUnknownFiles(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	cases := []struct{ path, location string }{
		{"/console", "/console/"},
		{"/guest", "/guest/"},
		{"/guest?property=DEMO&token=x", "/guest/?property=DEMO&token=x"},
		{"/console/index.html", "/console/"},
	}
	for _, c := range cases {
		resp, _ := get(t, srv.URL+c.path, nil)
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != c.location {
			t.Errorf("GET %s: %d Location %q, want 301 %q", c.path, resp.StatusCode, resp.Header.Get("Location"), c.location)
		}
	}
	for _, p := range []string{"/console/nope.js", "/guest/app.js.map", "/console/app", "/guest/sub/", "/console/%2e%2e/web.go", "/assets/", "/assets/web.go"} {
		resp, _ := get(t, srv.URL+p, nil)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, resp.StatusCode)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: 404 without nosniff", p)
		}
	}
}

func TestHeadAndMethods(t *testing.T) {
	t.Parallel()
	h, err := New()
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodHead, "/console/app.js", nil))
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 || rec.Header().Get("ETag") == "" {
		t.Errorf("HEAD: %d, %d bytes, ETag %q", rec.Code, rec.Body.Len(), rec.Header().Get("ETag"))
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/console/", strings.NewReader("x")))
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
}

// TestPagesUseNoInlineCodeOrRemoteResources keeps the pages within the Content-Security-Policy:
// no inline scripts, styles or handlers, and nothing loaded from another origin.
func TestPagesUseNoInlineCodeOrRemoteResources(t *testing.T) {
	t.Parallel()
	h, err := New()
	if err != nil {
		t.Fatal(err)
	}
	inline := regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>[^<]|<style|\sstyle=|\son[a-z]+=|javascript:`)
	remote := regexp.MustCompile(`(?i)(?:src|href)="(?:https?:)?//`)
	for p, f := range h.files {
		body := string(f.body)
		switch {
		case strings.HasSuffix(p, ".html"):
			if m := inline.FindString(body); m != "" {
				t.Errorf("%s has inline code %q", p, m)
			}
			if m := remote.FindString(body); m != "" {
				t.Errorf("%s loads from another origin: %q", p, m)
			}
		case strings.HasSuffix(p, ".js"):
			if strings.Contains(body, "innerHTML") || strings.Contains(body, "eval(") || strings.Contains(body, "http://") || strings.Contains(body, "https://") {
				t.Errorf("%s uses innerHTML, eval or an absolute URL", p)
			}
		}
	}
}
