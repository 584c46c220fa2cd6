package translate_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"concierge/internal/concierge"
	"concierge/internal/live"
	"concierge/internal/supervise"
	"concierge/internal/translate"
)

// panicOnce is a Translator that panics on its first call and then translates through next.
type panicOnce struct {
	translate.Translator // next: Pairs, and Translate after the first call
	mu                   sync.Mutex
	panicked             bool
}

func (p *panicOnce) Translate(ctx context.Context, text, from, to string) (string, error) {
	p.mu.Lock()
	first := !p.panicked
	p.panicked = true
	p.mu.Unlock()
	if first {
		panic("injected translator failure")
	}
	return p.Translator.Translate(ctx, text, from, to)
}

// TestWorkerSurvivesATranslatorPanic: the worker, run as the server runs it (supervised),
// outlives a translator that panics: the attempt counts as failed (the panic its error) and is
// retried, and the message is translated; later messages are too.
func TestWorkerSurvivesATranslatorPanic(t *testing.T) {
	t.Parallel()
	srv := newLibreServer(t, "")
	q := newQueue(t)
	lt, err := translate.NewLibreTranslate(translate.Options{URL: srv.URL})
	must(t, err)
	logger := slog.New(slog.DiscardHandler) // supervise's tests check what is logged
	hub := live.NewHub(0)
	w, err := translate.NewWorker(translate.WorkerConfig{Store: q.store, Translator: &panicOnce{Translator: lt}, Commits: hub, Now: q.clock.Now,
		Logger: logger, Poll: 10 * time.Millisecond, MinBackoff: time.Second, MaxBackoff: time.Second, MaxAttempts: 5})
	must(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { supervise.Loop(ctx, logger, "translation worker", w.Run); close(done) }()
	defer func() { cancel(); <-done }()

	m := q.add(t, "Hola", "es", "en")
	hub.Notify(1)
	waitFor(t, "the failed attempt", func() bool { return q.translation(t, m).LastError != "" })
	if got := q.translation(t, m); got.State != concierge.TranslationPending || !strings.Contains(got.LastError, "panicked") {
		t.Fatalf("after the panic: %+v, want pending with the panic as its error", got)
	}
	q.clock.Advance(time.Minute) // past the retry's back-off
	waitFor(t, "the retried translation", func() bool { return q.translation(t, m).State == concierge.TranslationDone })
	if got := q.translation(t, m); got.Content != "Hello" {
		t.Errorf("translation after the panic = %+v", got)
	}
	m2 := q.add(t, "Hola", "es", "en")
	hub.Notify(2)
	waitFor(t, "a later translation", func() bool { return q.translation(t, m2).State == concierge.TranslationDone })
}

// waitFor polls cond until it holds; the deadline only ends a failing run.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
