package postgres

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"concierge/internal/supervise"
)

// The listener's reconnection back-off: it starts at minBackoff and doubles up to maxBackoff
// while connecting fails.
const (
	minBackoff = 50 * time.Millisecond
	maxBackoff = 5 * time.Second
)

// listenerName is the application_name of the listener's connection (seen in
// pg_stat_activity).
const listenerName = "concierge-listener"

// OnEvents makes fn be called with the seq of the newest event after every commit that
// appended events, on this node (right after the commit) and on any other node sharing the
// database (through LISTEN/NOTIFY), and with the latest seq whenever the listener's connection
// is (re)established, so that a wake-up lost while it was down is made up for. Wake-ups may
// repeat; fn must not block. The first call with a non-nil fn starts the listener, which Close
// stops; nil stops the calls.
func (db *DB) OnEvents(fn func(seq int64)) {
	if fn == nil {
		db.notify.Store(nil)
		return
	}
	db.notify.Store(&fn)
	db.listenOnce.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		db.stop = cancel
		go func() {
			defer close(db.stopped)
			supervise.Loop(ctx, db.logger, "postgres event listener", db.listen)
		}()
	})
}

// wake calls the OnEvents function, if any, with seq.
func (db *DB) wake(seq int64) {
	if f := db.notify.Load(); f != nil {
		(*f)(seq)
	}
}

// listen keeps one connection listening on eventsChannel until ctx is done, reconnecting with
// back-off when it drops, and wakes the OnEvents function for every notification and after
// every (re)connection. The back-off starts again from minBackoff once a connection has lasted
// maxBackoff.
func (db *DB) listen(ctx context.Context) {
	backoff := minBackoff
	for attempt := 0; ; attempt++ {
		var since time.Time
		err := db.listenConn(ctx, func() {
			since = time.Now()
			if attempt > 0 {
				db.logger.InfoContext(ctx, "postgres event listener reconnected")
			}
		})
		if ctx.Err() != nil {
			return
		}
		if !since.IsZero() && time.Since(since) >= maxBackoff {
			backoff = minBackoff
		}
		db.logger.WarnContext(ctx, "postgres event listener disconnected; reconnecting",
			"error", err, "backoff", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// listenConn connects, listens and wakes the OnEvents function until the connection fails or
// ctx is done; connected is called once the connection listens.
func (db *DB) listenConn(ctx context.Context, connected func()) error {
	cfg := db.pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["application_name"] = listenerName
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	if _, err := conn.Exec(ctx, "LISTEN "+eventsChannel); err != nil {
		return err
	}
	connected()
	// Commits made while no connection listened were announced to nobody: catch up.
	var latest int64
	if err := conn.QueryRow(ctx, `SELECT seq FROM event_counter`).Scan(&latest); err != nil {
		return err
	}
	db.wake(latest)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		seq, err := strconv.ParseInt(n.Payload, 10, 64)
		if err != nil {
			db.logger.WarnContext(ctx, "postgres event listener: bad payload", "payload", n.Payload)
			continue
		}
		db.wake(seq)
	}
}
