package metrics

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"concierge/internal/concierge"
)

// queueReadTimeout bounds the store read of one scrape.
const queueReadTimeout = 5 * time.Second

// RegisterTranslationQueue registers concierge_translation_queue_depth and
// concierge_translation_queue_oldest_age_seconds, read from the store at every scrape
// through queue; now is the clock the jobs were queued with. A failed read is logged and
// leaves both out of that scrape. It panics when registered twice.
func RegisterTranslationQueue(reg prometheus.Registerer, queue func(context.Context) (concierge.TranslationQueue, error),
	now func() time.Time, logger *slog.Logger) {
	reg.MustRegister(queueCollector{queue: queue, now: now, logger: logger})
}

type queueCollector struct {
	queue  func(context.Context) (concierge.TranslationQueue, error)
	now    func() time.Time
	logger *slog.Logger
}

var (
	queueDepthDesc = prometheus.NewDesc("concierge_translation_queue_depth",
		"Translation jobs waiting (pending: queued or waiting for a retry).", nil, nil)
	queueAgeDesc = prometheus.NewDesc("concierge_translation_queue_oldest_age_seconds",
		"Age of the oldest waiting translation job, from its message's creation; 0 when none waits.", nil, nil)
)

func (c queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueDepthDesc
	ch <- queueAgeDesc
}

func (c queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), queueReadTimeout)
	defer cancel()
	q, err := c.queue(ctx)
	if err != nil {
		c.logger.Warn("metrics: reading the translation queue", "err", err)
		return
	}
	age := 0.0
	if q.Pending > 0 {
		age = max(c.now().Sub(q.Oldest), 0).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(queueDepthDesc, prometheus.GaugeValue, float64(q.Pending))
	ch <- prometheus.MustNewConstMetric(queueAgeDesc, prometheus.GaugeValue, age)
}
