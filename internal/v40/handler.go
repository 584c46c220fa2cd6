// Package v40 serves the guest API, wire-compatible with the "V40 Interactive Messages" API
// family (SPEC §3, §4): case-insensitive routes under /API/V40/, case-insensitive JSON property
// names, and the response envelope on every answer, success or failure.
package v40

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"concierge/internal/concierge"
	"concierge/internal/live"
	"concierge/internal/wire"
)

// Limiter refuses a key that has been used too often.
type Limiter interface {
	// Allow reports whether key may make one more request now, and if not for how long it
	// must wait. ctx is the request's: a limiter kept elsewhere (a shared database) gives up
	// its call when ctx ends, and decides itself whether to let the request through then.
	Allow(ctx context.Context, key string) (ok bool, retryAfter time.Duration)
}

// Options configures the guest API.
type Options struct {
	// PerSession limits requests per authenticated session; nil: unlimited.
	PerSession Limiter
	// PerInterfaceToken limits session initialisations per interface token; nil: unlimited.
	PerInterfaceToken Limiter
	// Events configures the live event stream; a nil Hub turns the stream off.
	Events live.Options
	// Streams caps the open event streams per session; nil: unlimited.
	Streams *live.StreamLimit
	// Document serves the guest API's OpenAPI document (GET /API/V40/openapi.json, in any
	// letter case); nil: that route answers RouteNotFound.
	Document http.Handler
}

// Handler serves the guest API.
type Handler struct {
	svc    *concierge.Service
	logger *slog.Logger
	opts   Options
	router router
	// rendered shares the JSON of events among the streams that deliver them.
	rendered live.DataCache
}

// NewHandler returns the guest API's http.Handler. Any path it does not know answers
// RouteNotFound (404) in the envelope; a known path with another method MethodNotAllowed (405).
func NewHandler(svc *concierge.Service, logger *slog.Logger, opts Options) *Handler {
	h := &Handler{svc: svc, logger: logger, opts: opts}
	h.router = newRouter(h.routes())
	return h
}

// ServeHTTP routes the request case-insensitively.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r = r.WithContext(context.WithValue(r.Context(), loggerKey{}, h.logger))
	rt, params, allowed := h.router.match(r.Method, r.URL.Path)
	switch {
	case rt != nil:
		wire.SetRoute(r.Context(), rt.pattern)
		for name, value := range params {
			r.SetPathValue(name, value)
		}
		rt.handle(w, r)
	case len(allowed) > 0:
		w.Header().Set("Allow", allowed)
		writeFailure(w, r, "", itemStatus, concierge.Errorf(concierge.CodeMethodNotAllowed,
			"The method %s is not allowed here; use %s.", r.Method, allowed))
	default:
		writeFailure(w, r, "", itemStatus, concierge.Errorf(concierge.CodeRouteNotFound,
			"There is no route %s.", r.URL.Path))
	}
}

// document serves the OpenAPI document of the guest API.
func (h *Handler) document(w http.ResponseWriter, r *http.Request) {
	if h.opts.Document == nil {
		writeFailure(w, r, "", itemStatus, concierge.Errorf(concierge.CodeRouteNotFound, "There is no route %s.", r.URL.Path))
		return
	}
	h.opts.Document.ServeHTTP(w, r)
}

// Routes lists the guest API's routes as "METHOD /path" with the path's canonical letter case
// (the router matches any case), for the tests that keep the OpenAPI document in step.
func Routes() []string {
	var h Handler
	rs := h.routes()
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.method + " " + r.pattern
	}
	return out
}

// WriteError answers err in the guest envelope for middleware in front of the guest API (rate
// limits, idempotency keys, panics): as a failure of the item the call answers with on success
// (responseStatus on an unknown route), keeping the session token the call sent when it is a
// well-formed token of this server, so that a client that keeps the returned token keeps its
// session (see failEarly).
func (h *Handler) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	name := itemStatus
	if rt, _, _ := h.router.match(r.Method, r.URL.Path); rt != nil && rt.item != "" {
		name = rt.item
	}
	h.failEarly(w, r, name, callToken(r), err)
}

// failEarly answers err for a call that failed before its session was checked (a bad body, a
// limit, a reused idempotency key): the envelope keeps token, the one the call sent, when it
// is well-formed and signed by this server (its session is not looked up: the next call
// checks it), and is "" otherwise.
func (h *Handler) failEarly(w http.ResponseWriter, r *http.Request, name, token string, err error) {
	if token != "" && (h.svc == nil || !h.svc.SessionTokenSigned(token)) {
		token = ""
	}
	writeFailure(w, r, token, name, err)
}
