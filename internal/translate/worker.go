package translate

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"concierge/internal/concierge"
	"concierge/internal/supervise"
)

// Commits is the position the worker waits on: the seq of the newest committed event
// (live.Hub). A message that queues a translation commits with its message.created event, and
// a move queues its translations in its own transaction, with its conversation.updated event,
// so every queued job is announced by an advance.
type Commits interface {
	// Latest returns the position.
	Latest() int64
	// After returns a channel closed once the position is above seq.
	After(seq int64) <-chan struct{}
}

// Store is what the worker reads and writes: the job queue, cache and glossaries, and the
// transactions in which concierge.Translations records outcomes.
type Store interface {
	concierge.TranslationStore
	concierge.Transactor
}

// WorkerConfig configures a Worker. Store and Translator are required.
type WorkerConfig struct {
	Store      Store
	Translator Translator
	// Commits wakes the worker when events commit; nil: it looks at the queue every Poll only.
	Commits Commits
	Logger  *slog.Logger     // nil: discard
	Now     func() time.Time // nil: time.Now

	// Timeout bounds one provider call. Default 10 s.
	Timeout time.Duration
	// MaxAttempts is how many attempts a job gets before it fails for good. Default 10.
	MaxAttempts int
	// MinBackoff is the wait before the first retry; it doubles per attempt (with ±25 %
	// jitter) up to MaxBackoff. Defaults 1 s and 5 min.
	MinBackoff time.Duration
	MaxBackoff time.Duration
	// Poll is how often the queue is looked at without an advance of Commits (jobs written by
	// other processes, retries coming due). Default 2 s.
	Poll time.Duration
	// Batch is how many jobs one claim takes. Default 8.
	Batch int
	// Concurrency is how many jobs of a batch are translated at once. Default 4.
	Concurrency int
	// Metrics counts outcomes, cache hits and provider time; nil: not counted.
	Metrics *Metrics
}

// Worker runs the translation queue kept in the store: it claims due jobs, translates them
// (glossary masked, cache first, provider with a timeout), and records each outcome, which
// appends message.translated for the final ones. Provider failures are retried with
// exponential back-off and jitter; a job fails for good after MaxAttempts; a missing pair
// ends it at once as unsupported. The queue being in the store, a restart loses nothing: jobs
// claimed by a process that died are claimed again when their lease ends.
type Worker struct {
	cfg WorkerConfig
}

// NewWorker returns a Worker for cfg, with defaults filled in; it errors when Store or
// Translator is missing.
func NewWorker(cfg WorkerConfig) (*Worker, error) {
	if cfg.Store == nil || cfg.Translator == nil {
		return nil, errors.New("translate: WorkerConfig needs a Store and a Translator")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 10
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = time.Second
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(5*time.Minute, cfg.MinBackoff)
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 2 * time.Second
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 8
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 4
	}
	return &Worker{cfg: cfg}, nil
}

// lease is how long a claimed job stays reserved to this worker.
func (w *Worker) lease() time.Duration { return 2*w.cfg.Timeout + 30*time.Second }

// Run works the queue until ctx is cancelled: at once, then after every advance of Commits
// (events committed while it works wake it once more when it is done) and every Poll.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTicker(w.cfg.Poll)
	defer t.Stop()
	for {
		var advanced <-chan struct{} // nil without Commits: never ready
		if w.cfg.Commits != nil {
			advanced = w.cfg.Commits.After(w.cfg.Commits.Latest())
		}
		for ctx.Err() == nil && w.RunOnce(ctx) > 0 {
		}
		select {
		case <-ctx.Done():
			return
		case <-advanced:
		case <-t.C:
		}
	}
}

// RunOnce claims one batch of due jobs and works it; it returns how many jobs it claimed.
func (w *Worker) RunOnce(ctx context.Context) int {
	jobs, err := w.cfg.Store.ClaimTranslations(ctx, w.cfg.Now(), w.lease(), w.cfg.Batch)
	if err != nil {
		if ctx.Err() == nil {
			w.cfg.Logger.ErrorContext(ctx, "claim translations", "err", err)
		}
		return 0
	}
	glossaries := map[int64][]string{}
	for _, j := range jobs {
		if _, ok := glossaries[j.PropertyID]; ok {
			continue
		}
		gl, err := w.cfg.Store.GlossaryTerms(ctx, j.PropertyID)
		if err != nil && ctx.Err() == nil {
			w.cfg.Logger.ErrorContext(ctx, "glossary terms", "property_id", j.PropertyID, "err", err)
		}
		terms := []string{}
		for _, g := range gl {
			terms = append(terms, g.Term)
		}
		glossaries[j.PropertyID] = terms
	}
	sem := make(chan struct{}, w.cfg.Concurrency)
	var wg sync.WaitGroup
	for _, j := range jobs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			// A panic here (the store, a bug) is logged; the job's lease then ends and it is
			// claimed again. The provider's own panics are an attempt's error (translate).
			supervise.Recover(ctx, w.cfg.Logger, "translation job", func() { w.work(ctx, j, glossaries[j.PropertyID]) })
		})
	}
	wg.Wait()
	return len(jobs)
}

// release gives jobs back (due now) when the worker stops before working them.
func (w *Worker) release(jobs []concierge.TranslationJob) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	now := w.cfg.Now()
	for _, j := range jobs {
		_ = concierge.NewTranslations(w.cfg.Store).Finish(ctx, j.MessageID, j.Target, concierge.TranslationOutcome{
			State: concierge.TranslationPending, Error: "worker stopped", NextAttemptAt: now, At: now})
	}
}

// work translates one job and records its outcome.
func (w *Worker) work(ctx context.Context, j concierge.TranslationJob, terms []string) {
	log := w.cfg.Logger.With("message_id", j.MessageID, "from", j.Source, "to", j.Target, "attempt", j.Attempts)
	text, err := w.translate(ctx, j, terms)
	if ctx.Err() != nil {
		w.release([]concierge.TranslationJob{j})
		return
	}
	now := w.cfg.Now()
	out := concierge.TranslationOutcome{State: concierge.TranslationDone, Content: text, At: now}
	outcome := "done"
	switch {
	case errors.Is(err, ErrUnsupported):
		outcome = "unsupported"
		out = concierge.TranslationOutcome{State: concierge.TranslationUnsupported, Error: err.Error(), At: now}
		log.InfoContext(ctx, "translation unsupported", "err", err)
	case err != nil && j.Attempts >= w.cfg.MaxAttempts:
		outcome = "failed"
		out = concierge.TranslationOutcome{State: concierge.TranslationFailed, Error: err.Error(), At: now}
		log.WarnContext(ctx, "translation failed", "err", err)
	case err != nil:
		outcome = "retry"
		next := now.Add(Backoff(j.Attempts, w.cfg.MinBackoff, w.cfg.MaxBackoff, rand.Float64()))
		out = concierge.TranslationOutcome{State: concierge.TranslationPending, Error: err.Error(), NextAttemptAt: next, At: now}
		log.InfoContext(ctx, "translation retry", "err", err, "next_attempt_at", next)
	}
	w.cfg.Metrics.outcome(outcome)
	if err := concierge.NewTranslations(w.cfg.Store).Finish(context.WithoutCancel(ctx), j.MessageID, j.Target, out); err != nil &&
		!errors.Is(err, concierge.ErrNotFound) {
		log.ErrorContext(ctx, "finish translation", "err", err)
	}
}

// errTranslatorPanicked is the error of an attempt whose Translator call panicked: the job is
// retried like after any other failure.
var errTranslatorPanicked = errors.New("translate: the translator panicked")

// translate returns the translation of a job's text: glossary terms masked, from the cache
// when it has the masked text, else from the provider (and then cached).
func (w *Worker) translate(ctx context.Context, j concierge.TranslationJob, terms []string) (string, error) {
	m := Mask(j.Text, terms)
	cached, err := w.cfg.Store.CachedTranslation(ctx, j.Source, j.Target, m.Text)
	w.cfg.Metrics.cacheLookup(err == nil)
	if err == nil {
		return m.Unmask(cached), nil
	}
	if !errors.Is(err, concierge.ErrNotFound) {
		w.cfg.Logger.ErrorContext(ctx, "cached translation", "err", err)
	}
	cctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	start := time.Now()
	var out string
	if supervise.Recover(ctx, w.cfg.Logger, "translation provider", func() {
		out, err = w.cfg.Translator.Translate(cctx, m.Text, j.Source, j.Target)
	}) {
		out, err = "", errTranslatorPanicked
	}
	w.cfg.Metrics.providerCall(time.Since(start))
	if err != nil {
		return "", err
	}
	if err := w.cfg.Store.CacheTranslation(ctx, j.Source, j.Target, m.Text, out, w.cfg.Now()); err != nil {
		w.cfg.Logger.ErrorContext(ctx, "cache translation", "err", err)
	}
	return m.Unmask(out), nil
}

// Backoff is the wait after a failed attempt number attempt (from 1): min doubled per earlier
// attempt, capped at max, then moved by jitter (0 to 1) within ±25 %.
func Backoff(attempt int, lo, hi time.Duration, jitter float64) time.Duration {
	d := lo
	for i := 1; i < attempt && d < hi; i++ {
		d *= 2
	}
	if d > hi {
		d = hi
	}
	return time.Duration(float64(d) * (0.75 + 0.5*jitter))
}
