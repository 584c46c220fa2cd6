package bench

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestStatsOf(t *testing.T) {
	t.Parallel()
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	st := statsOf(ds)
	if st.Count != 100 || st.P50 != 50 || st.P95 != 95 || st.P99 != 99 || st.Max != 100 || st.Mean != 50.5 {
		t.Errorf("statsOf(1..100 ms) = %+v", st)
	}
	if st := statsOf(nil); st != (Stats{}) {
		t.Errorf("statsOf(nil) = %+v", st)
	}
	if st := statsOf([]time.Duration{3 * time.Millisecond}); st.P50 != 3 || st.P99 != 3 {
		t.Errorf("statsOf(one) = %+v", st)
	}
}

func TestRecorderIgnoresWarmupAndCountsErrors(t *testing.T) {
	t.Parallel()
	start := time.Now()
	r := NewRecorder(start, time.Second, 250*time.Millisecond)
	r.Done("x", start.Add(-time.Millisecond), time.Millisecond, "")    // warm-up
	r.Done("x", start.Add(time.Millisecond), 2*time.Millisecond, "")   // bucket 0
	r.Done("x", start.Add(300*time.Millisecond), time.Millisecond, "") // bucket 1
	r.Done("x", start.Add(time.Millisecond), time.Millisecond, "http_500")
	ok, failed := r.Counts()
	if ok != 2 || failed != 1 || r.errorCounts()["http_500"] != 1 {
		t.Fatalf("counts %d/%d, errors %v", ok, failed, r.errorCounts())
	}
	rates := r.rates(time.Second)
	if len(rates) != 4 || rates[0] != 8 || rates[1] != 4 {
		t.Errorf("rates = %v; want [8 4 0 0] (2 then 1 completion per 250 ms bucket)", rates)
	}
}

func TestTimedIndex(t *testing.T) {
	t.Parallel()
	m := []byte("lt-abc-")
	for line, want := range map[string]int{
		`data: {"content":"lt-abc-42 please"}`: 42,
		`data: {"content":"lt-abc-0"}`:         0,
	} {
		if n, ok := timedIndex([]byte(line), m); !ok || n != want {
			t.Errorf("timedIndex(%s) = %d, %v; want %d", line, n, ok, want)
		}
	}
	for _, line := range []string{`data: {"content":"lt-abc-"}`, `data: {"content":"lt-xyz-4"}`, ``, `lt-abc-x1`} {
		if n, ok := timedIndex([]byte(line), m); ok {
			t.Errorf("timedIndex(%s) = %d, true; want false", line, n)
		}
	}
}

func FuzzTimedIndex(f *testing.F) {
	f.Add([]byte(`data: {"content":"lt-r-12 please"}`), []byte("lt-r-"))
	f.Add([]byte("lt-r-99999999999999999999"), []byte("lt-r-"))
	f.Fuzz(func(t *testing.T, line, marker []byte) {
		n, ok := timedIndex(line, marker)
		if ok && (n < 0 || !bytes.Contains(line, marker)) {
			t.Fatalf("timedIndex(%q, %q) = %d, true", line, marker, n)
		}
	})
}

// wellFormed reports an error unless s is well-formed XML.
func wellFormed(s string) error {
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func TestCharts(t *testing.T) {
	t.Parallel()
	lat := []time.Duration{0, time.Microsecond, 500 * time.Microsecond, 3 * time.Millisecond, 20 * time.Second}
	for _, tc := range []struct {
		name string
		draw func(io.Writer) error
	}{
		{"latency", func(w io.Writer) error { return LatencySVG(w, `a <b> & "c"`, lat) }},
		{"latency-empty", func(w io.Writer) error { return LatencySVG(w, "empty", nil) }},
		{"throughput", func(w io.Writer) error { return ThroughputSVG(w, "t", []float64{0, 10, 12345.6, 3}, 0.25) }},
		{"throughput-empty", func(w io.Writer) error { return ThroughputSVG(w, "t", nil, 0.25) }},
	} {
		var b strings.Builder
		if err := tc.draw(&b); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if err := wellFormed(b.String()); err != nil || !strings.HasPrefix(b.String(), "<svg") {
			t.Errorf("%s: not a well-formed SVG: %v\n%s", tc.name, err, b.String())
		}
	}
}

func TestNiceMax(t *testing.T) {
	t.Parallel()
	for v, want := range map[float64]float64{0: 1, 0.3: 0.5, 1: 1, 1.1: 2, 3: 5, 7: 10, 12345: 20000} {
		if got := niceMax(v); got < want*0.999 || got > want*1.001 {
			t.Errorf("niceMax(%v) = %v; want %v", v, got, want)
		}
	}
}

func TestV40Code(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		`{"responses":[{"createConversationResponse":{"succeeded":false,"areaError":"OutletNotFound"}}],"status":"Failure"}`: "_OutletNotFound",
		`{"responses":[{"responseStatus":{"succeeded":true}}],"status":"Success"}`:                                           "",
		`not json`: "",
	} {
		if got := v40Code([]byte(raw)); got != want {
			t.Errorf("v40Code(%s) = %q; want %q", raw, got, want)
		}
	}
}

func FuzzV40Code(f *testing.F) {
	f.Add([]byte(`{"responses":[{"x":{"areaError":"E"}}]}`))
	f.Add([]byte(`{"responses":null}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		if c := v40Code(raw); c != "" && c[0] != '_' {
			t.Fatalf("v40Code = %q", c)
		}
		_, _ = guestItem(raw)
	})
}

func TestRunFinishesOperationsUnderWay(t *testing.T) {
	t.Parallel()
	// Each operation outlasts the whole window: it must still be recorded (as a latency), but
	// not counted in the window's throughput.
	op := func(ctx context.Context, w int, rng *rand.Rand) (string, string) {
		time.Sleep(120 * time.Millisecond)
		return "slow", ""
	}
	rec := run(t.Context(), Load{Concurrency: 3, Duration: 50 * time.Millisecond}, op, nil)
	ok, failed := rec.Counts()
	if ok != 3 || failed != 0 {
		t.Fatalf("counts %d/%d; want the 3 operations under way recorded", ok, failed)
	}
	if n := rec.InWindow(); n != 0 {
		t.Errorf("InWindow = %d; want 0 (they ended after the window)", n)
	}
	if st := statsOf(rec.snapshot("slow")); st.Count != 3 || st.P50 < 120 {
		t.Errorf("stats %+v; want 3 latencies of at least 120 ms", st)
	}
}

func TestRunOpenLoopCountsErrorsByKind(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	calls := 0
	op := func(ctx context.Context, w int, rng *rand.Rand) (string, string) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls%2 == 0 {
			return "x", "http_500"
		}
		return "x", ""
	}
	rec := run(t.Context(), Load{Rate: 200, Duration: 100 * time.Millisecond}, op, nil)
	ok, failed := rec.Counts()
	if ok == 0 || failed == 0 || rec.errorCounts()["http_500"] != failed {
		t.Errorf("ok %d, failed %d, errors %v; want both, failures as http_500", ok, failed, rec.errorCounts())
	}
}
