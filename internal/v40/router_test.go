package v40

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// testRouter has a literal POST and GET on one path, a GET-only path, and a path with a
// parameter in the middle and one at the end.
func testRouter() router {
	return newRouter([]route{
		{method: http.MethodPost, pattern: "/API/V40/Interactive/Messages/Conversations"},
		{method: http.MethodGet, pattern: "/API/V40/Interactive/Messages"},
		{method: http.MethodPut, pattern: "/API/V40/Interactive/Messages"},
		{method: http.MethodGet, pattern: "/API/V40/Interactive/Messages/Conversations/{code}"},
		{method: http.MethodPost, pattern: "/API/V40/Interactive/Messages/Conversations/{code}/Messages"},
		{method: http.MethodGet, pattern: "/API/V40/Properties/{property}/Outlets/{outlet}"},
	})
}

func TestRouterLiteralSegmentsAreCaseInsensitive(t *testing.T) {
	t.Parallel()
	rt := testRouter()
	for _, path := range []string{
		"/API/V40/Interactive/Messages/Conversations",
		"/api/v40/interactive/messages/conversations",
		"/Api/V40/INTERACTIVE/messages/CONVERSATIONS",
	} {
		r, params, allowed := rt.match(http.MethodPost, path)
		if r == nil || r.pattern != "/API/V40/Interactive/Messages/Conversations" {
			t.Errorf("POST %s: no match (allowed %q)", path, allowed)
		}
		if len(params) != 0 {
			t.Errorf("POST %s: params %v", path, params)
		}
	}
}

func TestRouterCapturesParamsWithTheirCase(t *testing.T) {
	t.Parallel()
	rt := testRouter()
	r, params, _ := rt.match(http.MethodGet, "/api/v40/interactive/messages/conversations/CaBc12xYz")
	if r == nil || r.pattern != "/API/V40/Interactive/Messages/Conversations/{code}" {
		t.Fatalf("no match: %v", r)
	}
	if params["code"] != "CaBc12xYz" {
		t.Fatalf("params %v, want code CaBc12xYz as sent", params)
	}
	r, params, _ = rt.match(http.MethodPost, "/API/V40/Interactive/Messages/Conversations/C1/messages")
	if r == nil || params["code"] != "C1" || len(params) != 1 {
		t.Fatalf("mid-path param: %v %v", r, params)
	}
	r, params, _ = rt.match(http.MethodGet, "/API/V40/Properties/demo/Outlets/Spa")
	if r == nil || params["property"] != "demo" || params["outlet"] != "Spa" {
		t.Fatalf("two params: %v %v", r, params)
	}
	// A parameter is never empty.
	if r, _, _ := rt.match(http.MethodGet, "/API/V40/Properties//Outlets/Spa"); r != nil {
		t.Fatalf("empty parameter matched %s", r.pattern)
	}
}

func TestRouterTrailingSlash(t *testing.T) {
	t.Parallel()
	rt := testRouter()
	for _, path := range []string{
		"/API/V40/Interactive/Messages/Conversations/",
		"/api/v40/interactive/messages/conversations/",
		"API/V40/Interactive/Messages/Conversations",
	} {
		if r, _, _ := rt.match(http.MethodPost, path); r == nil {
			t.Errorf("POST %s: no match", path)
		}
	}
	if _, params, _ := rt.match(http.MethodGet, "/API/V40/Interactive/Messages/Conversations/C1/"); params["code"] != "C1" {
		t.Errorf("trailing slash after a parameter: params %v", params)
	}
}

func TestRouterNoMatch(t *testing.T) {
	t.Parallel()
	rt := testRouter()
	for _, path := range []string{
		"/",
		"",
		"/API",
		"/API/V40",
		"/API/V40/Interactive",
		"/API/V40/Interactive/Messages/Conversations/C1/Messages/extra",
		"/API/V40/Interactive/Messages/Conversation",
		"/API/V41/Interactive/Messages/Conversations",
		"/API/V40/Interactive/Messages/Conversations/C1/Replies",
		"/API/V40/Interactive//Messages",
		"/prefix/API/V40/Interactive/Messages",
	} {
		for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodHead} {
			r, _, allowed := rt.match(method, path)
			if r != nil || allowed != "" {
				t.Errorf("%s %q: matched %v, allowed %q; want no route", method, path, r, allowed)
			}
		}
	}
}

func TestRouterAllowedMethods(t *testing.T) {
	t.Parallel()
	rt := testRouter()
	cases := []struct{ method, path, allowed string }{
		{http.MethodGet, "/API/V40/Interactive/Messages/Conversations", "POST"},
		{http.MethodDelete, "/api/v40/interactive/messages/conversations/", "POST"},
		{http.MethodHead, "/API/V40/Interactive/Messages/Conversations", "POST"},
		{http.MethodPost, "/API/V40/Interactive/Messages", "GET, PUT"},
		{http.MethodOptions, "/API/V40/Interactive/Messages", "GET, PUT"},
		{http.MethodPost, "/API/V40/Interactive/Messages/Conversations/C1", "GET"},
		{"post", "/API/V40/Interactive/Messages/Conversations", "POST"}, // methods are case-sensitive
	}
	for _, c := range cases {
		r, _, allowed := rt.match(c.method, c.path)
		if r != nil {
			t.Errorf("%s %s matched %s %s", c.method, c.path, r.method, r.pattern)
		}
		if allowed != c.allowed {
			t.Errorf("%s %s: allowed %q, want %q", c.method, c.path, allowed, c.allowed)
		}
	}
}

func TestRouterHeadMatchesGet(t *testing.T) {
	t.Parallel()
	rt := testRouter()
	r, _, _ := rt.match(http.MethodHead, "/api/v40/interactive/messages")
	if r == nil || r.method != http.MethodGet {
		t.Fatalf("HEAD did not match the GET route: %v", r)
	}
	r, params, _ := rt.match(http.MethodHead, "/API/V40/Interactive/Messages/Conversations/xY")
	if r == nil || params["code"] != "xY" {
		t.Fatalf("HEAD with a parameter: %v %v", r, params)
	}
}

// TestRoutesTable checks the real route table: every route is reachable in any case, and a
// wrong method on it names the right one.
func TestRoutesTable(t *testing.T) {
	t.Parallel()
	h := &Handler{}
	routes := h.routes()
	rt := newRouter(routes)
	seen := map[string]bool{}
	for _, want := range routes {
		key := want.method + " " + want.pattern
		if seen[key] {
			t.Errorf("duplicate route %s", key)
		}
		seen[key] = true
		for _, path := range []string{want.pattern, strings.ToLower(want.pattern), want.pattern + "/"} {
			r, _, _ := rt.match(want.method, path)
			if r == nil || r.pattern != want.pattern || r.method != want.method {
				t.Errorf("%s %s: matched %v", want.method, path, r)
			}
		}
		other := http.MethodDelete
		if r, _, allowed := rt.match(other, want.pattern); r != nil || allowed == "" {
			t.Errorf("%s %s: matched %v, allowed %q", other, want.pattern, r, allowed)
		}
	}
}

// TestServeHTTPRouting checks the routing failures of the handler itself (they need no service).
func TestServeHTTPRouting(t *testing.T) {
	t.Parallel()
	h := &Handler{}
	h.router = newRouter(h.routes())
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodDelete, "/api/v40/interactive/messages/nonverifiedguestconversations", nil))
	if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "POST" {
		t.Fatalf("wrong method: %d, Allow %q: %s", w.Code, w.Header().Get("Allow"), w.Body)
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/API/V40/Nothing/Here", nil))
	if w.Code != http.StatusNotFound {
		t.Fatalf("unknown route: %d: %s", w.Code, w.Body)
	}
}
