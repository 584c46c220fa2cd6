package bench

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// Op performs one operation of a scenario for worker w and returns the name of the operation
// (for per-operation latencies) and the kind of error ("" on success).
type Op func(ctx context.Context, w int, rng *rand.Rand) (name, errKind string)

// Load says how to drive a scenario.
type Load struct {
	Concurrency int           // closed loop: workers each running one operation after the other
	Rate        float64       // open loop when > 0: operations started per second, whatever the answers
	MaxInFlight int           // open loop: at most this many outstanding operations (default 4096)
	Warmup      time.Duration // run but not measured
	Duration    time.Duration // measured
	Bucket      time.Duration // width of the throughput chart's buckets (default 250 ms)
	// Measuring, when not nil, is called in its own goroutine when the measured window
	// begins (after the warm-up), with the window's length.
	Measuring func(window time.Duration)
}

// run drives op under l and returns the recorder holding the measured window. tick, when not
// nil, is called about every 200 ms with the time spent so far (for the progress bar).
func run(ctx context.Context, l Load, op Op, tick func(elapsed time.Duration, rec *Recorder)) *Recorder {
	if l.Bucket <= 0 {
		l.Bucket = 250 * time.Millisecond
	}
	begin := time.Now()
	rec := NewRecorder(begin.Add(l.Warmup), l.Duration, l.Bucket)
	end := begin.Add(l.Warmup + l.Duration)

	done := make(chan struct{})
	if l.Measuring != nil {
		timer := time.AfterFunc(l.Warmup, func() { l.Measuring(l.Duration) })
		defer timer.Stop()
	}
	if tick != nil {
		go func() {
			t := time.NewTicker(200 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case now := <-t.C:
					tick(now.Sub(begin), rec)
				}
			}
		}()
	}
	if l.Rate > 0 {
		runOpen(ctx, l, op, rec, end)
	} else {
		runClosed(ctx, l, op, rec, end)
	}
	close(done)
	if tick != nil {
		tick(l.Warmup+l.Duration, rec)
	}
	return rec
}

// runClosed runs l.Concurrency workers until end. Operations under way at the end are not
// cut: they finish (or time out) and count in the latencies, so a server that stalls shows as
// slow requests and timeouts, not as fewer requests; the throughput counts only completions
// within the window.
func runClosed(ctx context.Context, l Load, op Op, rec *Recorder, end time.Time) {
	var wg sync.WaitGroup
	for w := range max(l.Concurrency, 1) {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			for ctx.Err() == nil && time.Now().Before(end) {
				began := time.Now()
				name, kind := op(ctx, w, rng)
				rec.Done(name, began, time.Since(began), kind)
			}
		})
	}
	wg.Wait()
}

// runOpen starts operations at l.Rate per second until end. Latency counts from the time an
// operation was due, not when it could start, so that a server falling behind shows in the
// percentiles (no coordinated omission). Operations over MaxInFlight count as "overload".
// As in runClosed, operations under way at the end finish and count.
func runOpen(ctx context.Context, l Load, op Op, rec *Recorder, end time.Time) {
	maxIn := l.MaxInFlight
	if maxIn <= 0 {
		maxIn = 4096
	}
	sem := make(chan struct{}, maxIn)
	interval := time.Duration(float64(time.Second) / l.Rate)
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; ; i++ {
		due := start.Add(time.Duration(i) * interval)
		if due.After(end) {
			break
		}
		if d := time.Until(due); d > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(d):
			}
		}
		if ctx.Err() != nil {
			break
		}
		select {
		case sem <- struct{}{}:
		default:
			rec.Done("overload", due, time.Since(due), "overload")
			continue
		}
		wg.Go(func() {
			defer func() { <-sem }()
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			name, kind := op(ctx, i, rng)
			rec.Done(name, due, time.Since(due), kind)
		})
	}
	wg.Wait()
}
