package translate

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the translation worker's Prometheus collectors: attempt outcomes, cache hits and
// the duration of provider calls.
type Metrics struct {
	outcomes *prometheus.CounterVec
	cache    *prometheus.CounterVec
	provider prometheus.Histogram
}

// NewMetrics registers the translation collectors on reg. It panics when they are registered
// twice, like prometheus.MustRegister.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "concierge_translation_attempts_total",
			Help: "Translation attempts by outcome: done, retry, failed, unsupported.",
		}, []string{"outcome"}),
		cache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "concierge_translation_cache_total",
			Help: "Translation cache lookups by result: hit, miss.",
		}, []string{"result"}),
		provider: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "concierge_translation_provider_seconds",
			Help:    "Duration of calls to the translation provider, failed ones included.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}),
	}
	reg.MustRegister(m.outcomes, m.cache, m.provider)
	return m
}

func (m *Metrics) outcome(o string) {
	if m != nil {
		m.outcomes.WithLabelValues(o).Inc()
	}
}

func (m *Metrics) cacheLookup(hit bool) {
	if m == nil {
		return
	}
	if hit {
		m.cache.WithLabelValues("hit").Inc()
	} else {
		m.cache.WithLabelValues("miss").Inc()
	}
}

func (m *Metrics) providerCall(d time.Duration) {
	if m != nil {
		m.provider.Observe(d.Seconds())
	}
}
