package translate_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"concierge/internal/concierge"
	"concierge/internal/live"
	"concierge/internal/sqlite"
	"concierge/internal/translate"
	"concierge/internal/translate/apytest"
)

// fakeClock is a settable clock: back-off waits are crossed by moving it, never by sleeping.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// queue is a real SQLite store with one conversation to write messages into.
type queue struct {
	store *sqlite.DB
	prop  concierge.Property
	conv  concierge.Conversation
	clock *fakeClock
}

func newQueue(t *testing.T) *queue {
	t.Helper()
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "q.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	q := &queue{store: db, clock: &fakeClock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}}
	q.prop = concierge.Property{Code: "TR", Name: "Hotel", TimeZone: "UTC", DefaultLanguage: "en", CreatedAt: q.clock.Now()}
	must(t, db.CreateProperty(ctx, &q.prop))
	sc := concierge.ServiceCenter{PropertyID: q.prop.ID, Code: "FO", Name: "Front Office", StaffLanguage: "en"}
	must(t, db.CreateServiceCenter(ctx, &sc))
	o := concierge.Outlet{PropertyID: q.prop.ID, Code: "FD", Name: "Front Desk", ServiceCenterID: sc.ID, AllowGuestMessages: true}
	must(t, db.CreateOutlet(ctx, &o))
	g, err := db.EnsureGuest(ctx, q.prop.ID, "guest-1", q.clock.Now())
	must(t, err)
	q.conv = concierge.Conversation{Code: concierge.NewCode("C"), PropertyID: q.prop.ID, OutletID: o.ID, GuestID: &g.ID,
		Status: concierge.ConversationOpen, GuestLanguage: "es", CreatedAt: q.clock.Now(), UpdatedAt: q.clock.Now()}
	must(t, concierge.NewConversations(db).Create(ctx, &q.conv, nil))
	return q
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// add writes a message from lang queued for translation to target.
func (q *queue) add(t *testing.T, text, lang, target string) concierge.Message {
	t.Helper()
	m := concierge.Message{Code: concierge.NewCode("M"), ConversationID: q.conv.ID, Type: concierge.MessageGuest,
		Content: text, Language: lang, CreatedAt: q.clock.Now(), TranslateTo: target}
	must(t, concierge.NewConversations(q.store).AddMessage(t.Context(), &m, concierge.ConversationOpen, q.clock.Now()))
	return m
}

func (q *queue) translation(t *testing.T, m concierge.Message) concierge.Translation {
	t.Helper()
	trs, err := q.store.Translations(t.Context(), []int64{m.ID})
	must(t, err)
	if len(trs) != 1 {
		t.Fatalf("message %d has %d translations, want 1", m.ID, len(trs))
	}
	return trs[0]
}

func (q *queue) worker(t *testing.T, tr translate.Translator, attempts int) *translate.Worker {
	t.Helper()
	w, err := translate.NewWorker(translate.WorkerConfig{Store: q.store, Translator: tr, Now: q.clock.Now,
		MaxAttempts: attempts, MinBackoff: time.Second, MaxBackoff: time.Minute, Timeout: 20 * time.Second})
	must(t, err)
	return w
}

// eventKinds returns the kinds of the events about message m.
func (q *queue) eventKinds(t *testing.T, m concierge.Message) []concierge.EventKind {
	t.Helper()
	evs, err := q.store.EventsAfter(t.Context(), 0, 0)
	must(t, err)
	var out []concierge.EventKind
	for _, e := range evs {
		if e.MessageID != nil && *e.MessageID == m.ID {
			out = append(out, e.Kind)
		}
	}
	return out
}

func TestWorkerWithApertium(t *testing.T) {
	t.Parallel()
	apy := apytest.Start(t)
	q := newQueue(t)
	ctx := t.Context()
	_, err := q.store.PutGlossaryTerm(ctx, &concierge.GlossaryTerm{PropertyID: q.prop.ID, Term: "Sol y Mar", CreatedAt: q.clock.Now()})
	must(t, err)
	tr, err := translate.NewApertium(translate.Options{URL: apy.URL, Now: q.clock.Now})
	must(t, err)
	reg := prometheus.NewRegistry()
	w, err := translate.NewWorker(translate.WorkerConfig{Store: q.store, Translator: tr, Now: q.clock.Now,
		MaxAttempts: 3, Metrics: translate.NewMetrics(reg)})
	must(t, err)

	m1 := q.add(t, "Quiero cenar en Sol y Mar esta noche.", "es", "en")
	m2 := q.add(t, "Good morning", "en", "es")
	m3 := q.add(t, "Good morning", "en", "fr") // no such pair
	if n := w.RunOnce(ctx); n != 3 {
		t.Fatalf("RunOnce claimed %d jobs, want 3", n)
	}
	got := q.translation(t, m1)
	if got.State != concierge.TranslationDone || !strings.Contains(got.Content, "Sol y Mar") || !strings.Contains(got.Content, "tonight") {
		t.Errorf("es→en translation = %+v, want done with the glossary term kept", got)
	}
	if got := q.translation(t, m2); got.State != concierge.TranslationDone || got.Content != "Buenos días" {
		t.Errorf("en→es translation = %+v", got)
	}
	if got := q.translation(t, m3); got.State != concierge.TranslationUnsupported || got.Attempts != 1 {
		t.Errorf("en→fr translation = %+v, want unsupported after one attempt", got)
	}
	for _, m := range []concierge.Message{m1, m2, m3} {
		kinds := q.eventKinds(t, m)
		if len(kinds) != 2 || kinds[1] != concierge.EventMessageTranslated {
			t.Errorf("events of message %d = %v, want message.created then message.translated", m.ID, kinds)
		}
	}
	if n := w.RunOnce(ctx); n != 0 {
		t.Errorf("RunOnce on a worked queue claimed %d", n)
	}

	// The cache answers the same text without the provider.
	apy.Stop()
	m4 := q.add(t, "Good morning", "en", "es")
	w.RunOnce(ctx)
	if got := q.translation(t, m4); got.State != concierge.TranslationDone || got.Content != "Buenos días" {
		t.Errorf("cached translation with APy stopped = %+v", got)
	}
	metrics := counters(t, reg)
	for k, v := range map[string]float64{"attempts done": 3, "attempts unsupported": 1, "cache hit": 1, "cache miss": 3} {
		if metrics[k] != v {
			t.Errorf("metric %s = %v, want %v (all: %v)", k, metrics[k], v, metrics)
		}
	}
}

// TestWorkerRetries covers a provider that is down: the job backs off and is retried when due,
// a job that keeps failing fails for good after the last attempt, and a provider back up
// translates what waited.
func TestWorkerRetries(t *testing.T) {
	t.Parallel()
	srv := newLibreServer(t, "")
	q := newQueue(t)
	ctx := t.Context()
	tr, err := translate.NewLibreTranslate(translate.Options{URL: srv.URL, Now: q.clock.Now})
	must(t, err)
	w := q.worker(t, tr, 3)

	srv.mu.Lock()
	srv.fail = 2
	srv.mu.Unlock()
	m := q.add(t, "Hola", "es", "en")
	w.RunOnce(ctx)
	got := q.translation(t, m)
	if got.State != concierge.TranslationPending || got.Attempts != 1 || !strings.Contains(got.LastError, "worker busy") {
		t.Fatalf("after a failed attempt: %+v", got)
	}
	wait := got.NextAttemptAt.Sub(q.clock.Now())
	if wait < 750*time.Millisecond || wait > 1250*time.Millisecond {
		t.Errorf("first retry in %v, want 1 s ± 25 %%", wait)
	}
	if n := w.RunOnce(ctx); n != 0 {
		t.Errorf("a job not yet due was claimed (%d)", n)
	}
	q.clock.Advance(2 * time.Second)
	w.RunOnce(ctx)
	got = q.translation(t, m)
	if got.State != concierge.TranslationPending || got.Attempts != 2 {
		t.Fatalf("after the second failed attempt: %+v", got)
	}
	if wait := got.NextAttemptAt.Sub(q.clock.Now()); wait < 1500*time.Millisecond || wait > 2500*time.Millisecond {
		t.Errorf("second retry in %v, want 2 s ± 25 %%", wait)
	}
	q.clock.Advance(time.Minute)
	w.RunOnce(ctx)
	if got := q.translation(t, m); got.State != concierge.TranslationDone || got.Content != "Hello" || got.Attempts != 3 {
		t.Errorf("after the provider came back: %+v", got)
	}

	// Always failing: failed for good after MaxAttempts, with message.translated.
	srv.mu.Lock()
	srv.fail = 100
	srv.mu.Unlock()
	m2 := q.add(t, "Hola otra vez", "es", "en")
	for range 3 {
		w.RunOnce(ctx)
		q.clock.Advance(time.Hour)
	}
	got = q.translation(t, m2)
	if got.State != concierge.TranslationFailed || got.Attempts != 3 || got.LastError == "" {
		t.Errorf("after 3 failed attempts: %+v", got)
	}
	if kinds := q.eventKinds(t, m2); len(kinds) != 2 || kinds[1] != concierge.EventMessageTranslated {
		t.Errorf("events of a failed translation = %v", kinds)
	}
	if n := w.RunOnce(ctx); n != 0 {
		t.Errorf("a failed job was claimed again")
	}
}

// TestWorkerRunWakes checks the Run loop: an advance of the commit position (live.Hub) makes
// it work the queue, and a cancelled context stops it.
func TestWorkerRunWakes(t *testing.T) {
	t.Parallel()
	srv := newLibreServer(t, "")
	q := newQueue(t)
	tr, err := translate.NewLibreTranslate(translate.Options{URL: srv.URL})
	must(t, err)
	hub := live.NewHub(0)
	w, err := translate.NewWorker(translate.WorkerConfig{Store: q.store, Translator: tr, Commits: hub, Now: q.clock.Now, Poll: time.Hour})
	must(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	m := q.add(t, "Hola", "es", "en")
	hub.Notify(1) // what the store's commit of the message announces
	for deadline := time.Now().Add(time.Minute); q.translation(t, m).State == concierge.TranslationPending; {
		if time.Now().After(deadline) {
			t.Fatal("the woken worker did not translate the job")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := q.translation(t, m); got.Content != "Hello" {
		t.Errorf("translation = %+v", got)
	}
	cancel()
	<-done
	if _, err := translate.NewWorker(translate.WorkerConfig{}); err == nil {
		t.Error("NewWorker without store and translator succeeded")
	}
}

// counters reads the translation counters of reg as "attempts OUTCOME" and "cache RESULT".
func counters(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	fams, err := reg.Gather()
	must(t, err)
	out := map[string]float64{}
	for _, f := range fams {
		prefix := map[string]string{"concierge_translation_attempts_total": "attempts ", "concierge_translation_cache_total": "cache "}[f.GetName()]
		if prefix == "" {
			continue
		}
		for _, m := range f.GetMetric() {
			out[prefix+m.GetLabel()[0].GetValue()] = m.GetCounter().GetValue()
		}
	}
	return out
}
