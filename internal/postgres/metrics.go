package postgres

import (
	"github.com/prometheus/client_golang/prometheus"

	"concierge/internal/metrics"
)

// Instrument registers the DB's collectors on reg (package metrics: transaction and commit
// times, the connection pool) and starts measuring. Call it once; it panics when the
// collectors are registered twice.
func (db *DB) Instrument(reg prometheus.Registerer) {
	db.metrics.Store(metrics.NewDB(reg, func() []metrics.PoolStats {
		s := db.pool.Stat()
		return []metrics.PoolStats{{Pool: "postgres", Max: int(s.MaxConns()), InUse: int(s.AcquiredConns()),
			Idle: int(s.IdleConns()), Waits: s.EmptyAcquireCount(), WaitTime: s.EmptyAcquireWaitTime()}}
	}))
}
