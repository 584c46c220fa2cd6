package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"concierge/internal/concierge"
	"concierge/internal/supervise"
)

// Defaults of Config.
const (
	DefaultTimeout  = 10 * time.Second
	DefaultRetryMin = time.Second
	DefaultRetryMax = time.Hour
	DefaultWindow   = 24 * time.Hour
	DefaultPoll     = time.Second
	// batchSize is how many log entries a webhook takes deliveries from at once.
	batchSize = 200
	// maxErrorText bounds the last error kept with a delivery.
	maxErrorText = 500
)

// Service is what the dispatcher needs of concierge.Service.
type Service interface {
	ActiveWebhooks(ctx context.Context) ([]concierge.Webhook, error)
	WebhookByID(ctx context.Context, id int64) (concierge.Webhook, error)
	WebhookEvents(ctx context.Context, w concierge.Webhook, limit int) ([]concierge.WebhookEvent, int64, error)
	TakeWebhookDeliveries(ctx context.Context, w concierge.Webhook, next int64, ds []concierge.WebhookDelivery) (bool, error)
	NextWebhookDelivery(ctx context.Context, webhookID int64) (concierge.WebhookDelivery, bool, error)
	ClaimWebhookDelivery(ctx context.Context, d concierge.WebhookDelivery, until time.Time) (bool, error)
	RecordWebhookAttempt(ctx context.Context, d concierge.WebhookDelivery, lease time.Time) (bool, error)
}

// Commits is the position the dispatcher waits on: the seq of the newest committed event
// (live.Hub).
type Commits interface {
	// Latest returns the position.
	Latest() int64
	// After returns a channel closed once the position is above seq.
	After(seq int64) <-chan struct{}
}

// Config configures a Dispatcher. Service and Render are required.
type Config struct {
	Service Service
	// Commits wakes idle webhooks when events commit; nil: they look every Poll only.
	Commits Commits
	// Render returns the JSON body of a delivery (staffapi.WebhookBody).
	Render func(deliveryID string, e concierge.WebhookEvent) ([]byte, error)
	Policy Policy       // which addresses may be dialled
	Logger *slog.Logger // nil: discard
	// Timeout bounds one attempt (connection, request and answer); default DefaultTimeout.
	Timeout time.Duration
	// RetryMin and RetryMax bound the backoff: the wait before attempt n+1 is drawn uniformly
	// from [0, min(RetryMax, RetryMin·2ⁿ⁻¹)] (full jitter). Defaults DefaultRetryMin, DefaultRetryMax.
	RetryMin, RetryMax time.Duration
	// Window is how long a delivery is retried before it is dead; default DefaultWindow.
	Window time.Duration
	// Poll is how often idle webhooks look for new events and the webhook list is re-read;
	// default DefaultPoll.
	Poll time.Duration
	// Now is the clock of the schedule; nil: time.Now.
	Now func() time.Time
	// Metrics counts attempts and delivery lag; nil: not counted.
	Metrics *Metrics
}

// Dispatcher delivers every enabled webhook's events, each webhook in its own goroutine, so
// that a slow or dead receiver delays nobody else. All its state is in the store: it resumes
// after a restart where it stopped.
type Dispatcher struct {
	cfg    Config
	client *http.Client
}

// New returns a Dispatcher for cfg, with defaults for what cfg leaves zero.
func New(cfg Config) *Dispatcher {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.RetryMin <= 0 {
		cfg.RetryMin = DefaultRetryMin
	}
	if cfg.RetryMax < cfg.RetryMin {
		cfg.RetryMax = max(DefaultRetryMax, cfg.RetryMin)
	}
	if cfg.Window <= 0 {
		cfg.Window = DefaultWindow
	}
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Dispatcher{cfg: cfg, client: NewClient(cfg.Policy, cfg.Timeout)}
}

// NewClient returns the HTTP client of deliveries: no proxy, no redirects followed (a 3xx is
// a failed attempt), every connection dialled through policy's Control, each request bounded
// by timeout.
func NewClient(policy Policy, timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: timeout, Control: policy.Control}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           dialer.DialContext,
			TLSHandshakeTimeout:   timeout,
			ResponseHeaderTimeout: timeout,
			MaxIdleConnsPerHost:   2,
			IdleConnTimeout:       90 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// worker is the goroutine delivering one webhook: cancel stops it, wake wakes it.
type worker struct {
	cancel context.CancelFunc
	wake   chan struct{}
}

// Run delivers until ctx ends, then waits for the attempts in flight to end (their requests
// are cancelled; they are retried after their lease ends).
func (d *Dispatcher) Run(ctx context.Context) {
	workers := map[int64]*worker{}
	var wg sync.WaitGroup
	defer func() {
		for _, w := range workers {
			w.cancel()
		}
		wg.Wait()
	}()
	ticker := time.NewTicker(d.cfg.Poll)
	defer ticker.Stop()
	// The webhook list is read at start and then once per Poll, never per event: with no
	// webhook configured, an event costs the dispatcher only this loop's wake-up, and a
	// webhook's worker sleeps until an event, its next retry or the poll. A new webhook
	// therefore starts within Poll.
	reload := true
	var pos int64
	if d.cfg.Commits != nil {
		pos = d.cfg.Commits.Latest()
	}
	for {
		var advanced <-chan struct{} // nil without Commits: never ready
		if d.cfg.Commits != nil {
			advanced = d.cfg.Commits.After(pos)
		}
		if reload {
			d.startWorkers(ctx, workers, func(id int64) *worker {
				wctx, cancel := context.WithCancel(ctx)
				w := &worker{cancel: cancel, wake: make(chan struct{}, 1)}
				wg.Add(1)
				go func() {
					defer wg.Done()
					supervise.Loop(wctx, d.cfg.Logger, "webhook worker", func(ctx context.Context) { d.work(ctx, id, w.wake) })
				}()
				return w
			})
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			reload = true
		case <-advanced:
			pos = d.cfg.Commits.Latest()
			reload = false
		}
		for _, w := range workers {
			select {
			case w.wake <- struct{}{}:
			default:
			}
		}
	}
}

// startWorkers reads the enabled webhooks, starts a worker with start for each one workers
// lacks, and cancels and forgets the workers of webhooks no longer listed. A failed read
// (logged) changes nothing.
func (d *Dispatcher) startWorkers(ctx context.Context, workers map[int64]*worker, start func(id int64) *worker) {
	hooks, err := d.cfg.Service.ActiveWebhooks(ctx)
	if err != nil {
		if ctx.Err() == nil {
			d.cfg.Logger.ErrorContext(ctx, "webhooks: list", "err", err)
		}
		return
	}
	active := map[int64]bool{}
	for _, h := range hooks {
		active[h.ID] = true
		if workers[h.ID] == nil {
			workers[h.ID] = start(h.ID)
		}
	}
	for id, w := range workers {
		if !active[id] {
			w.cancel()
			delete(workers, id)
		}
	}
}

// work delivers webhook id's outbox in event order until ctx ends or the webhook is gone or
// disabled.
func (d *Dispatcher) work(ctx context.Context, id int64, wake <-chan struct{}) {
	log := d.cfg.Logger.With("webhook_id", id)
	for ctx.Err() == nil {
		wait, err := d.step(ctx, id)
		if err != nil {
			var ce *concierge.Error
			if errors.As(err, &ce) && ce.Code == concierge.CodeWebhookNotFound {
				return
			}
			if ctx.Err() != nil {
				return
			}
			log.ErrorContext(ctx, "webhooks: step", "err", err)
			wait = d.cfg.Poll
		}
		if wait <= 0 {
			continue
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-wake:
			t.Stop()
		}
	}
}

// step does one thing for webhook id: attempts its next due delivery, or takes new events as
// deliveries. It returns how long to wait before the next step (0: at once).
func (d *Dispatcher) step(ctx context.Context, id int64) (time.Duration, error) {
	w, err := d.cfg.Service.WebhookByID(ctx, id)
	if err != nil {
		return 0, err
	}
	if !w.Enabled {
		return 0, concierge.Errorf(concierge.CodeWebhookNotFound, "webhook %d is disabled", id)
	}
	next, ok, err := d.cfg.Service.NextWebhookDelivery(ctx, id)
	if err != nil {
		return 0, err
	}
	if !ok {
		return d.take(ctx, w)
	}
	now := d.cfg.Now()
	if next.NextAttemptAt.After(now) {
		return min(next.NextAttemptAt.Sub(now), d.cfg.Poll), nil
	}
	lease := now.Add(2*d.cfg.Timeout + time.Second)
	claimed, err := d.cfg.Service.ClaimWebhookDelivery(ctx, next, lease)
	if err != nil || !claimed {
		return 0, err
	}
	return 0, d.attempt(ctx, w, next, lease)
}

// take turns the next events of w into deliveries; it returns the poll interval when there
// were none.
func (d *Dispatcher) take(ctx context.Context, w concierge.Webhook) (time.Duration, error) {
	events, next, err := d.cfg.Service.WebhookEvents(ctx, w, batchSize)
	if err != nil {
		return 0, err
	}
	if next == w.Cursor {
		return d.cfg.Poll, nil
	}
	now := d.cfg.Now()
	ds := make([]concierge.WebhookDelivery, 0, len(events))
	for _, ev := range events {
		id := concierge.NewCode("whd_")
		body, err := d.cfg.Render(id, ev)
		if err != nil {
			return 0, fmt.Errorf("webhook: render event %d: %w", ev.Seq, err)
		}
		ds = append(ds, concierge.WebhookDelivery{ID: id, WebhookID: w.ID, EventSeq: ev.Seq, Kind: ev.Kind,
			ConversationID: ev.ConversationID, Body: body, Status: concierge.DeliveryPending,
			NextAttemptAt: now, WindowStart: now, CreatedAt: now})
	}
	_, err = d.cfg.Service.TakeWebhookDeliveries(ctx, w, next, ds)
	return 0, err
}

// attempt POSTs a delivery claimed until lease and records the outcome: delivered on a 2xx
// answer; otherwise pending with a backoff, or dead once the retry window has passed. A
// cancelled attempt (shutdown) does not count: its lease is released, so that the delivery is
// attempted again at once by whoever runs next (a crash leaves the lease to expire instead).
// The outcome is stored only while the attempt still holds its lease: one that a manager's
// redelivery or another dispatcher's claim (after the lease ended) overtook is dropped.
func (d *Dispatcher) attempt(ctx context.Context, w concierge.Webhook, del concierge.WebhookDelivery, lease time.Time) error {
	status, err := d.post(ctx, w, del)
	if err != nil && ctx.Err() != nil {
		del.NextAttemptAt = d.cfg.Now()
		return d.record(ctx, del, lease)
	}
	now := d.cfg.Now()
	del.Attempts++
	del.LastStatus = status
	if err == nil {
		del.Status, del.LastError, del.DeliveredAt = concierge.DeliveryDelivered, "", &now
		del.NextAttemptAt = now
		d.cfg.Metrics.attempted("delivered", del.CreatedAt, now)
	} else {
		msg := err.Error()
		if len(msg) > maxErrorText {
			msg = msg[:maxErrorText]
		}
		del.LastError = msg
		if now.Sub(del.WindowStart) >= d.cfg.Window {
			d.cfg.Metrics.attempted("dead", del.CreatedAt, now)
			del.Status = concierge.DeliveryDead
			del.NextAttemptAt = now
			d.cfg.Logger.WarnContext(ctx, "webhook delivery dead", "webhook_id", w.ID, "delivery_id", del.ID,
				"attempts", del.Attempts, "err", msg)
		} else {
			d.cfg.Metrics.attempted("failed", del.CreatedAt, now)
			del.NextAttemptAt = now.Add(Backoff(del.Attempts, d.cfg.RetryMin, d.cfg.RetryMax, rand.Float64()))
		}
	}
	return d.record(ctx, del, lease)
}

// record stores the outcome del of an attempt that claimed it until lease, even when ctx is
// cancelled, and logs at debug when it was dropped because the lease is gone.
func (d *Dispatcher) record(ctx context.Context, del concierge.WebhookDelivery, lease time.Time) error {
	ctx = context.WithoutCancel(ctx)
	stored, err := d.cfg.Service.RecordWebhookAttempt(ctx, del, lease)
	if err == nil && !stored {
		d.cfg.Logger.DebugContext(ctx, "webhook attempt outcome dropped: the delivery was redelivered, claimed again or erased meanwhile",
			"webhook_id", del.WebhookID, "delivery_id", del.ID, "status", string(del.Status))
	}
	return err
}

// Backoff returns the wait after the n-th failed attempt (n ≥ 1): full jitter, r (in [0, 1))
// times min(hi, lo·2ⁿ⁻¹).
func Backoff(n int, lo, hi time.Duration, r float64) time.Duration {
	ceiling := hi
	if n-1 < 62 {
		if c := lo << (n - 1); c > 0 && c < hi {
			ceiling = c
		}
	}
	return time.Duration(r * float64(ceiling))
}

// post sends one attempt of a delivery and returns the HTTP status (0: none) and an error
// unless the receiver answered 2xx.
func (d *Dispatcher) post(ctx context.Context, w concierge.Webhook, del concierge.WebhookDelivery) (int, error) {
	ts := d.cfg.Now().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(del.Body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Concierge-Webhooks/1")
	req.Header.Set(HeaderDeliveryID, del.ID)
	req.Header.Set(HeaderEvent, string(del.Kind))
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(w.Secret, ts, del.Body))
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return resp.StatusCode, nil
}
