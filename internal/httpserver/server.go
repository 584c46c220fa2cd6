// Package httpserver composes Concierge's HTTP surface: the operational endpoints, the guest
// API and (later) the staff API and web pages, behind the middleware every request passes
// through (request id, logging, panic recovery, per-address rate limit, metrics).
package httpserver

import (
	"log/slog"
	"net/http"
	"strconv"
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

	openAPI http.Handler
	pages   http.Handler // the embedded web pages (package web)
}

// NewServer returns the root http.Handler. It errors only when the embedded OpenAPI document
// is broken, which the openapi package's tests rule out.
func NewServer(cfg Config) (http.Handler, error) {
	doc, err := openapi.Handler()
	if err != nil {
		return nil, err
	}
	cfg.openAPI = doc
	pages, err := web.New()
	if err != nil {
		return nil, err
	}
	cfg.pages = pages
	mux := http.NewServeMux()
	addRoutes(mux, cfg)
	m := newMetrics(cfg.Registry)
	var h http.Handler = mux
	h = limitPerAddress(h, cfg.PerAddress)
	h = recoverPanics(h, cfg.Logger)
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
			Help: "HTTP requests answered, by method and status code.",
		}, []string{"method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "concierge_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

func (m *metrics) observe(method string, code int, d time.Duration) {
	m.requests.WithLabelValues(method, strconv.Itoa(code)).Inc()
	m.duration.WithLabelValues(method).Observe(d.Seconds())
}
