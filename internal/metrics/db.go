package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// PoolStats is a snapshot of one connection pool of a store.
type PoolStats struct {
	Pool     string // the pool's name: "sqlite_writer", "sqlite_readers", "postgres"
	Max      int    // connections the pool may open
	InUse    int    // connections lent out
	Idle     int    // connections open and free
	Waits    int64  // how often a caller waited for a connection, since the start
	WaitTime time.Duration
}

// DB are a store's collectors: the time of its read and write transactions, of its commits,
// the size of its write batches (the SQLite writer's group commit) and its connection pools.
// A nil *DB counts nothing.
type DB struct {
	tx     *prometheus.HistogramVec
	commit prometheus.Histogram
	batch  prometheus.Histogram
}

var dbBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}

// NewDB registers a store's collectors on reg; pools returns its pools' statistics, read at
// every scrape. It panics when they are registered twice, like prometheus.MustRegister.
func NewDB(reg prometheus.Registerer, pools func() []PoolStats) *DB {
	m := &DB{
		tx: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "concierge_db_transaction_duration_seconds",
			Help: "Time of the store's transactions, by access (read; write: from the call until committed, " +
				"the wait for the SQLite writer included).",
			Buckets: dbBuckets,
		}, []string{"access"}),
		commit: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "concierge_db_commit_duration_seconds",
			Help:    "Time of the COMMIT of write transactions (SQLite: of one batch).",
			Buckets: dbBuckets,
		}),
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "concierge_db_write_batch_size",
			Help:    "Writes committed together by one transaction of the SQLite writer (group commit); PostgreSQL: always 1.",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64},
		}),
	}
	m.tx.WithLabelValues("read")
	m.tx.WithLabelValues("write")
	reg.MustRegister(m.tx, m.commit, m.batch, poolCollector{stats: pools})
	return m
}

// Transaction observes a transaction of access ("read" or "write") begun at start.
func (m *DB) Transaction(access string, start time.Time) {
	if m != nil {
		m.tx.WithLabelValues(access).Observe(time.Since(start).Seconds())
	}
}

// Committed observes a commit of n writes that began at start.
func (m *DB) Committed(n int, start time.Time) {
	if m != nil {
		m.commit.Observe(time.Since(start).Seconds())
		m.batch.Observe(float64(n))
	}
}

// poolCollector exports PoolStats.
type poolCollector struct{ stats func() []PoolStats }

var (
	poolConnsDesc = prometheus.NewDesc("concierge_db_pool_connections",
		"Open connections of the store's pools, by pool and state (in_use, idle).", []string{"pool", "state"}, nil)
	poolMaxDesc = prometheus.NewDesc("concierge_db_pool_max_connections",
		"Connections the pool may open.", []string{"pool"}, nil)
	poolWaitsDesc = prometheus.NewDesc("concierge_db_pool_waits_total",
		"Times a caller waited for a free connection of the pool.", []string{"pool"}, nil)
	poolWaitDesc = prometheus.NewDesc("concierge_db_pool_wait_seconds_total",
		"Time callers spent waiting for a free connection of the pool.", []string{"pool"}, nil)
)

func (c poolCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- poolConnsDesc
	ch <- poolMaxDesc
	ch <- poolWaitsDesc
	ch <- poolWaitDesc
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.stats() {
		ch <- prometheus.MustNewConstMetric(poolConnsDesc, prometheus.GaugeValue, float64(s.InUse), s.Pool, "in_use")
		ch <- prometheus.MustNewConstMetric(poolConnsDesc, prometheus.GaugeValue, float64(s.Idle), s.Pool, "idle")
		ch <- prometheus.MustNewConstMetric(poolMaxDesc, prometheus.GaugeValue, float64(s.Max), s.Pool)
		ch <- prometheus.MustNewConstMetric(poolWaitsDesc, prometheus.CounterValue, float64(s.Waits), s.Pool)
		ch <- prometheus.MustNewConstMetric(poolWaitDesc, prometheus.CounterValue, s.WaitTime.Seconds(), s.Pool)
	}
}
