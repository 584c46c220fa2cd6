package live

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the live path's Prometheus collectors: open streams and delivered events by API,
// and the delivery lag (from an event's write to its delivery).
type Metrics struct {
	open  *prometheus.GaugeVec
	count *prometheus.CounterVec
	lag   prometheus.Histogram
	now   func() time.Time
}

// NewMetrics registers the live collectors on reg; now is the clock events are written with
// (nil: time.Now). It panics when they are registered twice, like prometheus.MustRegister.
func NewMetrics(reg prometheus.Registerer, now func() time.Time) *Metrics {
	if now == nil {
		now = time.Now
	}
	m := &Metrics{
		open: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "concierge_event_streams_open",
			Help: "Open live event streams, by API (guest, staff_sse, staff_ws).",
		}, []string{"api"}),
		count: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "concierge_events_delivered_total",
			Help: "Live events written to streams, by API.",
		}, []string{"api"}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "concierge_event_delivery_lag_seconds",
			Help:    "Time from an event's write to its delivery to a stream.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}),
		now: now,
	}
	// The streaming APIs: the guest API's SSE stream, the staff API's SSE stream and its
	// WebSocket, present at zero from the start.
	for _, api := range []string{"guest", "staff_sse", "staff_ws"} {
		m.open.WithLabelValues(api)
		m.count.WithLabelValues(api)
	}
	reg.MustRegister(m.open, m.count, m.lag)
	return m
}

// delivered counts items written to a stream of api and observes their lag.
func (m *Metrics) delivered(api string, items []Item) {
	m.count.WithLabelValues(api).Add(float64(len(items)))
	now := m.now()
	for _, it := range items {
		if !it.CreatedAt.IsZero() {
			m.lag.Observe(max(now.Sub(it.CreatedAt), 0).Seconds())
		}
	}
}

// StreamOpened and StreamClosed track a stream that does not go through ServeSSE (WebSocket).
func (m *Metrics) StreamOpened(api string) { m.open.WithLabelValues(api).Inc() }

// StreamClosed is the counterpart of StreamOpened.
func (m *Metrics) StreamClosed(api string) { m.open.WithLabelValues(api).Dec() }
