// Package httpserver composes Concierge's HTTP surface: the operational endpoints, the guest
// API and (later) the staff API and web pages, behind the middleware every request passes
// through (request id, logging, panic recovery, per-address rate limit, metrics).
package httpserver

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"concierge/internal/clientaddr"
	"concierge/internal/concierge"
	"concierge/internal/openapi"
	"concierge/internal/staffapi"
	"concierge/internal/v40"
	"concierge/internal/web"
)

// Config holds the server's dependencies. Service, Logger and Registry are required.
type Config struct {
	Service  *concierge.Service
	Logger   *slog.Logger
	Registry *prometheus.Registry
	// Idempotency remembers answers to writes sent with an Idempotency-Key.
	Idempotency concierge.IdempotencyStore
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// PerAddress limits requests per client address; nil: unlimited.
	PerAddress v40.Limiter
	// TrustedProxies are the reverse proxies whose Forwarded or X-Forwarded-For header names
	// the client (the zero value: none, every client is its connection's peer).
	TrustedProxies clientaddr.Trusted
	// Guest configures the guest API's own limits and live events.
	Guest v40.Options
	// Staff configures the staff API's live events.
	Staff staffapi.Options
	// Metrics serves /metrics (MetricsHandler); nil: not on this listener (--debug-addr
	// serves it).
	Metrics http.Handler
	// CORS lets pages of other origins call the APIs; nil: none may.
	CORS *CORS

	openAPI http.Handler
	pages   http.Handler // the embedded web pages (package web)
	guest   *v40.Handler // the guest API
}

// NewServer returns the root http.Handler. It errors only when an embedded OpenAPI document
// is broken, which the openapi package's tests rule out.
func NewServer(cfg Config) (http.Handler, error) {
	doc, err := openapi.Handler()
	if err != nil {
		return nil, err
	}
	cfg.openAPI = doc
	if cfg.Guest.Document, err = openapi.GuestHandler(); err != nil {
		return nil, err
	}
	pages, err := web.New()
	if err != nil {
		return nil, err
	}
	cfg.pages = pages
	cfg.guest = v40.NewHandler(cfg.Service, cfg.Logger, cfg.Guest)
	mux := http.NewServeMux()
	addRoutes(mux, cfg)
	m := newMetrics(cfg.Registry)
	var h http.Handler = mux
	h = limitPerAddress(h, cfg.PerAddress, cfg.writeError)
	h = cfg.CORS.Wrap(h)
	h = withClient(h)
	h = recoverPanics(h, cfg.Logger, cfg.writeError)
	h = logRequests(h, cfg.Logger, m)
	h = withRequestID(h)
	h = cfg.TrustedProxies.Middleware(h) // first: everything after keys on the client address
	return h, nil
}

// metrics are the HTTP layer's Prometheus collectors.
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "concierge_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "concierge_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests (streams: until they end), by route pattern and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// unmatchedRoute labels the requests no route matched, so that scanners probing random paths
// cannot add label values without end.
const unmatchedRoute = "unmatched"

// observe counts a request answered with code after d. route is the route pattern it matched.
func (m *metrics) observe(route, method string, code int, d time.Duration) {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
	default:
		method = "other" // any token is a method: keep the label's values bounded
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(code)).Inc()
	m.duration.WithLabelValues(route, method).Observe(d.Seconds())
}

// routeOf is the route label of a request: the pattern the API that served it matched
// (wire.SetRoute), else the pattern of the server's own mux, unless that is a mount point
// of an API (its routes did not match: unmatchedRoute).
func routeOf(noted string, r *http.Request) string {
	if noted != "" {
		return noted
	}
	switch r.Pattern {
	case "", "/", "/api/v1/":
		return unmatchedRoute
	}
	if _, path, ok := strings.Cut(r.Pattern, " "); ok {
		return path
	}
	return r.Pattern
}
