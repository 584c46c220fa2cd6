// Package bench is the load tool behind cmd/concierge-bench: it starts (or targets) a Concierge
// server, drives it through its public APIs only (the guest V40 API, the staff /api/v1 API and
// their event streams) with closed-loop or open-loop load, and reports throughput, latency
// percentiles, errors and server memory as JSON and SVG charts.
package bench

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Recorder collects the outcome of every measured operation: latencies per operation name,
// errors by kind, and completions over time. It is safe for concurrent use.
type Recorder struct {
	start  time.Time // start of the measured window
	end    time.Time // its end
	bucket time.Duration

	mu      sync.Mutex
	samples map[string][]time.Duration // per operation
	errors  map[string]int64
	ok      int64
	failed  int64
	okIn    int64 // successes completed within the window

	timeline []atomic.Int64 // completions per bucket since start
}

// NewRecorder returns a recorder whose measured window starts at start and lasts about d;
// completions are counted in buckets of the given width for the throughput chart.
func NewRecorder(start time.Time, d, bucket time.Duration) *Recorder {
	n := int(d/bucket) + 2
	return &Recorder{start: start, end: start.Add(d), bucket: bucket, samples: map[string][]time.Duration{},
		errors: map[string]int64{}, timeline: make([]atomic.Int64, n)}
}

// Done records a finished operation that began at began and lasted d. A non-empty errKind
// counts it as an error of that kind (its latency is not kept). Operations that began before
// the window are ignored (warm-up).
func (r *Recorder) Done(op string, began time.Time, d time.Duration, errKind string) {
	if began.Before(r.start) {
		return
	}
	if i := int(began.Add(d).Sub(r.start) / r.bucket); i >= 0 && i < len(r.timeline) {
		r.timeline[i].Add(1)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if errKind != "" {
		r.failed++
		r.errors[errKind]++
		return
	}
	r.ok++
	if !began.Add(d).After(r.end) {
		r.okIn++
	}
	r.samples[op] = append(r.samples[op], d)
}

// InWindow returns the successful operations that completed within the measured window.
func (r *Recorder) InWindow() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.okIn
}

// Sample records a latency that is not a request (a live event's post-to-delivery time).
func (r *Recorder) Sample(op string, d time.Duration) {
	r.mu.Lock()
	r.samples[op] = append(r.samples[op], d)
	r.mu.Unlock()
}

// Counts returns the successful and failed operations so far.
func (r *Recorder) Counts() (ok, failed int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ok, r.failed
}

// Stats are latency percentiles in milliseconds.
type Stats struct {
	Count int64   `json:"count"`
	Mean  float64 `json:"mean_ms"`
	P50   float64 `json:"p50_ms"`
	P95   float64 `json:"p95_ms"`
	P99   float64 `json:"p99_ms"`
	Max   float64 `json:"max_ms"`
}

// statsOf returns the percentiles of ds (sorted in place).
func statsOf(ds []time.Duration) Stats {
	if len(ds) == 0 {
		return Stats{}
	}
	slices.Sort(ds)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	pick := func(p float64) float64 {
		i := int(p*float64(len(ds))+0.5) - 1
		return ms(ds[min(max(i, 0), len(ds)-1)])
	}
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return Stats{Count: int64(len(ds)), Mean: ms(sum / time.Duration(len(ds))), P50: pick(0.50),
		P95: pick(0.95), P99: pick(0.99), Max: ms(ds[len(ds)-1])}
}

// snapshot returns the samples of the given operations merged (all operations when none is
// given) and sorted.
func (r *Recorder) snapshot(ops ...string) []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []time.Duration
	for op, s := range r.samples {
		if len(ops) == 0 || slices.Contains(ops, op) {
			out = append(out, s...)
		}
	}
	slices.Sort(out)
	return out
}

// opNames returns the names of the recorded operations, sorted.
func (r *Recorder) opNames() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for op := range r.samples {
		out = append(out, op)
	}
	slices.Sort(out)
	return out
}

// errorCounts returns a copy of the errors by kind.
func (r *Recorder) errorCounts() map[string]int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int64, len(r.errors))
	for k, v := range r.errors {
		out[k] = v
	}
	return out
}

// rates returns the completions per second of each bucket of the first d of the window.
func (r *Recorder) rates(d time.Duration) []float64 {
	n := min(int(d/r.bucket), len(r.timeline))
	out := make([]float64, n)
	for i := range n {
		out[i] = float64(r.timeline[i].Load()) / r.bucket.Seconds()
	}
	return out
}
