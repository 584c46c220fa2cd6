// Package supervise keeps Concierge's background goroutines alive: a loop that panics is
// logged, with its stack, and started again; one piece of work that panics is logged and
// counted as failed, and the goroutine that ran it goes on.
package supervise

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"
)

// RestartDelay is how long Loop waits before it runs a loop again after a panic, so that a loop
// that panics at once every time logs once a second rather than spinning.
const RestartDelay = time.Second

// Loop runs fn(ctx) and returns when fn returns. When fn panics, Loop logs the panic at error
// level ("panic recovered", with the loop's name, the value and the stack, then "background
// loop restarting") and, unless ctx has ended by then or during the RestartDelay that follows, runs fn
// again. fn is a loop that returns only when it is done (usually when ctx ends).
func Loop(ctx context.Context, logger *slog.Logger, name string, fn func(context.Context)) {
	for {
		if !Recover(ctx, logger, name, func() { fn(ctx) }) {
			return
		}
		logger.ErrorContext(ctx, "background loop restarting", "loop", name, "after", RestartDelay)
		select {
		case <-ctx.Done():
			return
		case <-time.After(RestartDelay):
		}
	}
}

// Recover runs fn and reports whether it panicked; a panic is logged at error level ("panic
// recovered", with name, the value and the stack) instead of ending the process.
func Recover(ctx context.Context, logger *slog.Logger, name string, fn func()) (panicked bool) {
	defer func() {
		if p := recover(); p != nil {
			panicked = true
			logger.ErrorContext(ctx, "panic recovered", "in", name, "panic", fmt.Sprint(p),
				"stack", string(debug.Stack()))
		}
	}()
	fn()
	return false
}
