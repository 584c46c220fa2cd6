package live

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Poll advances hub to latest's answer every interval until ctx ends: the safety net for
// events that no OnEvents hook announced (another process writing the same database, such as
// `concierge import`). A failed read is logged and retried at the next tick.
func Poll(ctx context.Context, hub *Hub, latest func(context.Context) (int64, error), interval time.Duration, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		seq, err := latest(ctx)
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				logger.ErrorContext(ctx, "reading the latest event", "err", err)
			}
			continue
		}
		hub.Notify(seq)
	}
}

// Prune deletes the events older than keep at once and then every interval, until ctx ends.
// A failure is logged and retried at the next tick.
func Prune(ctx context.Context, prune func(context.Context, time.Time) (int, error), keep, interval time.Duration, now func() time.Time, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := prune(ctx, now().Add(-keep))
		if err != nil && !errors.Is(err, context.Canceled) {
			logger.ErrorContext(ctx, "pruning events", "err", err)
		} else if n > 0 {
			logger.InfoContext(ctx, "pruned events", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
