package httpserver

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// CORS answers browsers on other origins (Cross-Origin Resource Sharing) for the guest API
// (/API/V40/…, any letter case) and the staff API (/api/v1/…): the origins it was given may
// call them from a page, preflights included. Both APIs authenticate with a bearer token, never
// a cookie, so no answer allows credentials and "*" (any origin) is safe to offer.
type CORS struct {
	any     bool            // "*": every origin
	origins map[string]bool // exact origins, in lower case: "https://app.example:8443"
}

// The CORS answers' fixed parts.
const (
	corsMethods = "GET, POST, PUT, PATCH, DELETE"
	corsHeaders = "Authorization, Content-Type, Idempotency-Key, Last-Event-ID, X-Request-Id"
	corsExposed = "Retry-After, Idempotent-Replayed, ETag, Location, X-Request-Id, Content-Disposition"
	corsMaxAge  = "600" // seconds a browser may cache a preflight's answer
)

// NewCORS returns the policy allowing origins: each "*" or an exact origin,
// scheme://host[:port] (http or https, no path, query or user). It fails on anything else, and
// when "*" is mixed with exact origins. No origins: nil (CORS off).
func NewCORS(origins []string) (*CORS, error) {
	if len(origins) == 0 {
		return nil, nil
	}
	c := &CORS{origins: map[string]bool{}}
	for _, o := range origins {
		o = strings.TrimSpace(o)
		if o == "*" {
			c.any = true
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("CORS origin %q: want scheme://host[:port], e.g. https://app.example", o)
		}
		c.origins[strings.ToLower(u.Scheme+"://"+u.Host)] = true
	}
	if c.any && len(c.origins) > 0 {
		return nil, fmt.Errorf("CORS origins: \"*\" allows every origin; do not list others with it")
	}
	return c, nil
}

// Allows reports whether a page of origin (an Origin header) may call the APIs and open the
// staff WebSocket; never for a nil CORS.
func (c *CORS) Allows(origin string) bool {
	return c != nil && origin != "" && (c.any || c.origins[strings.ToLower(origin)])
}

// corsPath reports whether path is one of the APIs CORS applies to.
func corsPath(path string) bool {
	return strings.HasPrefix(path, "/api/v1/") || (len(path) >= 9 && strings.EqualFold(path[:9], "/api/v40/"))
}

// Wrap returns next answering CORS: an allowed origin's preflight (OPTIONS with
// Access-Control-Request-Method) gets 204 with the methods, headers and max age; its other
// requests get Access-Control-Allow-Origin and the exposed headers. Requests from other origins
// and without Origin pass unchanged (the browser then refuses the answer to the page). A nil
// CORS returns next.
func (c *CORS) Wrap(next http.Handler) http.Handler {
	if c == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !corsPath(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		if !c.Allows(origin) {
			next.ServeHTTP(w, r)
			return
		}
		if c.any {
			h.Set("Access-Control-Allow-Origin", "*")
		} else {
			h.Set("Access-Control-Allow-Origin", origin)
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			h.Set("Access-Control-Allow-Methods", corsMethods)
			h.Set("Access-Control-Allow-Headers", corsHeaders)
			h.Set("Access-Control-Max-Age", corsMaxAge)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.Set("Access-Control-Expose-Headers", corsExposed)
		next.ServeHTTP(w, r)
	})
}
