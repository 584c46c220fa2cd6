package supervise

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestLoopRestartsAfterAPanic: a loop that panics on its first run is logged (name, value,
// stack) and run again; Loop returns when the loop returns.
func TestLoopRestartsAfterAPanic(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	runs := 0
	Loop(t.Context(), logger, "test loop", func(ctx context.Context) {
		runs++
		if runs == 1 {
			panic("injected failure")
		}
	})
	if runs != 2 {
		t.Fatalf("the loop ran %d times, want 2 (a panic, then a normal return)", runs)
	}
	out := logs.String()
	for _, want := range []string{`"msg":"panic recovered"`, `"in":"test loop"`, `"loop":"test loop"`, `"panic":"injected failure"`,
		"supervise_test.go", `"msg":"background loop restarting"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
}

// TestLoopStopsWithItsContext: after a panic, an ended context means no restart.
func TestLoopStopsWithItsContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	runs := 0
	Loop(ctx, slog.New(slog.DiscardHandler), "test loop", func(context.Context) {
		runs++
		cancel()
		panic("again")
	})
	if runs != 1 {
		t.Fatalf("the loop ran %d times after its context ended, want 1", runs)
	}
}

// TestRecover: a panic is reported and logged; a normal return is not.
func TestRecover(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	if Recover(t.Context(), logger, "job", func() {}) {
		t.Error("Recover reported a panic for a normal return")
	}
	if !Recover(t.Context(), logger, "job", func() { panic(42) }) {
		t.Error("Recover did not report a panic")
	}
	if !strings.Contains(logs.String(), `"panic":"42"`) {
		t.Errorf("log: %s", logs.String())
	}
}
