package sqlite

import (
	"context"
	"time"
)

// Checkpoints. In WAL mode a commit appends pages to the -wal file, and a checkpoint copies them
// back into the database file (and fsyncs it). SQLite's default runs the checkpoint inside the
// COMMIT that pushes the WAL past 1,000 pages, on the writer connection: every write queued
// behind that commit waits for the copy and its fsync. Here a checkpointer goroutine on a
// connection of its own does it instead, a PASSIVE checkpoint (it never blocks the writer or a
// reader) every checkpointInterval while there were commits. The writer's own automatic
// checkpoint stays on, at writerAutoCheckpoint pages, only as a bound on the WAL should the
// checkpointer fall behind.

const (
	// checkpointInterval is how often the checkpointer copies committed pages back.
	checkpointInterval = 250 * time.Millisecond
	// writerAutoCheckpoint is the WAL size, in pages, at which the writer checkpoints itself.
	writerAutoCheckpoint = 20000
)

// runCheckpointer checkpoints every checkpointInterval when write transactions committed since
// the last checkpoint, or when the last one could not copy the whole WAL (a reader still used
// older pages), until stop is closed.
func (db *DB) runCheckpointer(stop <-chan struct{}) {
	tick := time.NewTicker(checkpointInterval)
	defer tick.Stop()
	ctx := context.Background()
	var done int64
	complete := true
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		// Commits, not transactions begun: a transaction under way at one tick is checkpointed
		// at a later tick, once it committed.
		commits := db.commits.Load()
		if commits == done && complete {
			continue
		}
		done = commits
		if db.truncateWAL.Load() {
			if db.truncate(ctx) {
				db.truncateWAL.Store(false)
				db.logger.InfoContext(ctx, "sqlite WAL emptied after an erasure")
			}
			continue
		}
		var busy, walPages, copied int
		if err := db.checkpointer.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &walPages, &copied); err != nil {
			db.logger.WarnContext(ctx, "sqlite checkpoint failed", "err", err)
			complete = false
			continue
		}
		complete = busy == 0 && copied == walPages
	}
}

// truncateAttempts is how many TRUNCATE checkpoints emptyWAL tries (each waits up to the busy
// timeout for readers) before it leaves the work to the checkpointer.
const truncateAttempts = 3

// emptyWAL copies every committed page of the WAL back into the database file and truncates
// the WAL to zero bytes (a TRUNCATE checkpoint, on the checkpointer's connection), so that
// pages overwritten by an erasure survive in no file. It waits for the readers still using
// older pages (and holds writers back meanwhile); when they keep it from finishing, it logs
// the fact and the checkpointer empties the WAL at its next ticks instead.
func (db *DB) emptyWAL(ctx context.Context) {
	for range truncateAttempts {
		if db.truncate(ctx) {
			return
		}
	}
	db.logger.WarnContext(ctx, "sqlite WAL not emptied after an erasure (readers held it); the checkpointer retries")
	db.truncateWAL.Store(true)
}

// truncate runs one TRUNCATE checkpoint and reports whether it emptied the WAL.
func (db *DB) truncate(ctx context.Context) bool {
	var busy, walPages, copied int
	err := db.checkpointer.QueryRowContext(context.WithoutCancel(ctx), `PRAGMA wal_checkpoint(TRUNCATE)`).
		Scan(&busy, &walPages, &copied)
	if err != nil {
		db.logger.WarnContext(ctx, "sqlite TRUNCATE checkpoint failed", "err", err)
		return false
	}
	return busy == 0
}
