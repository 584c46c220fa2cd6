package sqlite

import (
	"database/sql"

	"github.com/prometheus/client_golang/prometheus"

	"concierge/internal/metrics"
)

// Instrument registers the DB's collectors on reg (package metrics: transaction and commit
// times, write batch sizes, the writer's and the readers' connection pools) and starts
// measuring. Call it once; it panics when the collectors are registered twice.
func (db *DB) Instrument(reg prometheus.Registerer) {
	db.metrics.Store(metrics.NewDB(reg, func() []metrics.PoolStats {
		return []metrics.PoolStats{poolStats("sqlite_writer", db.writer), poolStats("sqlite_readers", db.readers)}
	}))
}

// poolStats converts database/sql's statistics of pool.
func poolStats(name string, pool *sql.DB) metrics.PoolStats {
	s := pool.Stats()
	return metrics.PoolStats{Pool: name, Max: s.MaxOpenConnections, InUse: s.InUse, Idle: s.Idle,
		Waits: s.WaitCount, WaitTime: s.WaitDuration}
}
