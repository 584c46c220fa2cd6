package webhook

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the dispatcher's Prometheus collectors: delivery attempts by outcome and the
// lag of successful deliveries. A nil *Metrics counts nothing.
type Metrics struct {
	attempts *prometheus.CounterVec
	lag      prometheus.Histogram
}

// NewMetrics registers the webhook collectors on reg, every outcome present at zero. It
// panics when they are registered twice, like prometheus.MustRegister.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "concierge_webhook_deliveries_total",
			Help: "Webhook delivery attempts by outcome: delivered (2xx), failed (retried later), dead (retry window over).",
		}, []string{"outcome"}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "concierge_webhook_delivery_lag_seconds",
			Help:    "Time from a delivery's creation (its event picked up) to its successful attempt.",
			Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400, 86400},
		}),
	}
	for _, o := range []string{"delivered", "failed", "dead"} {
		m.attempts.WithLabelValues(o)
	}
	reg.MustRegister(m.attempts, m.lag)
	return m
}

// attempted counts an attempt's outcome; delivered ones observe their lag since created.
func (m *Metrics) attempted(outcome string, created, now time.Time) {
	if m == nil {
		return
	}
	m.attempts.WithLabelValues(outcome).Inc()
	if outcome == "delivered" && !created.IsZero() {
		m.lag.Observe(max(now.Sub(created), 0).Seconds())
	}
}
