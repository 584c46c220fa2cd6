// Package staffapi serves the staff and admin REST API under /api/v1/ (SPEC §5): JSON bodies,
// bearer-token authentication (a staff login or an API key), and errors in one shape,
// {"error": {"code", "message", "fields"?}}, with the HTTP status of wire.Status.
package staffapi

import (
	"encoding/json"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"concierge/api"
	"concierge/internal/clientaddr"
	"concierge/internal/concierge"
	"concierge/internal/live"
	"concierge/internal/wire"
)

// Handler serves the staff and admin API.
type Handler struct {
	svc    *concierge.Service
	logger *slog.Logger
	opts   Options
	mux    *http.ServeMux
	// rendered shares the JSON of events among the streams that deliver them.
	rendered live.DataCache
}

// NewHandler returns the staff and admin API's http.Handler, for every path under /api/v1/.
// A path it does not know answers RouteNotFound (404), a known path called with another method
// MethodNotAllowed (405, with Allow), both in the API's error shape. A nil logger discards.
// opts configures the live event streams.
func NewHandler(svc *concierge.Service, logger *slog.Logger, opts Options) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{svc: svc, logger: logger, opts: opts, mux: http.NewServeMux()}
	h.addRoutes(h.mux)
	return h
}

// ServeHTTP routes the request, answering routing failures in the API's error shape.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	handler, pattern := h.mux.Handler(r)
	if pattern != "" {
		path := pattern
		if _, p, ok := strings.Cut(pattern, " "); ok {
			path = p // without the method
		}
		wire.SetRoute(r.Context(), path)
	} else {
		// No route matched: let the mux tell a wrong method (405, with the Allow header it
		// computed) from an unknown path (404), then answer in our own shape. Anything else
		// (a redirect to a cleaned path) is the mux's to answer.
		probe := &probeWriter{header: http.Header{}}
		handler.ServeHTTP(probe, r)
		switch probe.status {
		case http.StatusMethodNotAllowed:
			allowed := probe.header.Get("Allow")
			w.Header().Set("Allow", allowed)
			h.fail(w, r, concierge.Errorf(concierge.CodeMethodNotAllowed,
				"The method %s is not allowed here; use %s.", r.Method, allowed))
			return
		case http.StatusNotFound:
			h.fail(w, r, concierge.Errorf(concierge.CodeRouteNotFound, "There is no route %s.", r.URL.Path))
			return
		}
	}
	h.mux.ServeHTTP(w, r)
}

// probeWriter records what a handler would answer, and discards it.
type probeWriter struct {
	header http.Header
	status int
}

func (p *probeWriter) Header() http.Header { return p.header }

func (p *probeWriter) Write(b []byte) (int, error) {
	if p.status == 0 {
		p.status = http.StatusOK
	}
	return len(b), nil
}

func (p *probeWriter) WriteHeader(code int) {
	if p.status == 0 {
		p.status = code
	}
}

// authedFunc is a handler of an authenticated route.
type authedFunc func(w http.ResponseWriter, r *http.Request, p *concierge.Principal)

// authed authenticates the bearer token of the request (Authorization: Bearer <token>) before
// calling fn; AuthenticationFailed otherwise.
func (h *Handler) authed(fn authedFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		values := r.Header.Values("Authorization")
		if len(values) > 1 {
			h.fail(w, r, concierge.Errorf(concierge.CodeAuthenticationFailed, "Send one Authorization header."))
			return
		}
		header := ""
		if len(values) == 1 {
			header = values[0]
		}
		token, err := bearerToken(header)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		p, err := h.svc.AuthenticateStaff(r.Context(), token)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		// Audit entries written while serving the call record where it came from.
		fn(w, r.WithContext(concierge.WithClient(r.Context(), clientAddress(r))), p)
	}
}

// decodeBody reads and decodes a JSON request body into dst (see wire.ReadJSONBody and
// wire.DecodeJSON for the errors).
func decodeBody(w http.ResponseWriter, r *http.Request, dst any) error {
	body, err := wire.ReadJSONBody(w, r)
	if err != nil {
		return err
	}
	return wire.DecodeJSON(body, dst)
}

// fail answers err in the error shape with its HTTP status. Internal errors are logged (their
// answer is generic).
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if wire.AsError(err).Code == concierge.CodeInternal {
		h.logger.ErrorContext(r.Context(), "request failed", "err", err)
	}
	WriteError(w, r, err)
}

// WriteError answers err in the staff API's error shape, {"error": {code, message, fields}},
// with its HTTP status; RateLimited sets Retry-After and AuthenticationFailed WWW-Authenticate.
// Middleware in front of the staff API uses it too.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	e := wire.AsError(err)
	switch e.Code {
	case concierge.CodeRateLimited:
		secs := max(int(math.Ceil(e.RetryAfter.Seconds())), 1)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	case concierge.CodeAuthenticationFailed:
		w.Header().Set("WWW-Authenticate", `Bearer realm="concierge"`)
	}
	body, _ := json.Marshal(api.ErrorBody{Error: api.ErrorDetail{Code: string(e.Code), Message: e.Message, Fields: fieldErrors(e.Fields)}})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(wire.Status(e.Code))
	if r.Method != http.MethodHead {
		_, _ = w.Write(append(body, '\n'))
	}
}

// fieldErrors converts the fields at fault of an error to their wire shape (nil for none).
func fieldErrors(fs []concierge.FieldError) []api.FieldError {
	if len(fs) == 0 {
		return nil
	}
	out := make([]api.FieldError, len(fs))
	for i, f := range fs {
		out[i] = api.FieldError(f)
	}
	return out
}

// writeJSON answers v as JSON with the status (no body for HEAD).
func (h *Handler) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil { // only a bug can get here
		h.logger.ErrorContext(r.Context(), "encode answer", "err", err)
		status = http.StatusInternalServerError
		body = []byte(`{"error":{"code":"InternalError","message":"An internal error occurred."}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(append(body, '\n'))
	}
}

// clientAddress is the client's IP: the peer's, or the one a trusted proxy forwarded (see
// package clientaddr).
func clientAddress(r *http.Request) string {
	return clientaddr.Of(r)
}

// timeLayout renders instants as RFC 3339 in UTC with nine fractional digits, so that they
// sort as strings.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// formatTime renders t in timeLayout.
func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// formatOptionalTime renders an optional time: nil (JSON null) when absent.
func formatOptionalTime(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := formatTime(*t)
	return &s
}
