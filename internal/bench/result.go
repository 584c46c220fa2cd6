package bench

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
	"time"
)

// Result is the outcome of one scenario run: what the JSON result file holds per scenario.
type Result struct {
	Scenario    string  `json:"scenario"`
	Label       string  `json:"label"` // the scenario, or e.g. "create@half" for a variant
	Concurrency int     `json:"concurrency"`
	Rate        float64 `json:"rate,omitempty"` // open loop: operations started per second
	DurationS   float64 `json:"duration_s"`
	WarmupS     float64 `json:"warmup_s"`
	Rooms       int     `json:"rooms,omitempty"`
	Streams     int     `json:"streams,omitempty"`
	// DBMessages is the number of messages the database held before the run (scale runs).
	DBMessages int64 `json:"db_messages,omitempty"`

	Requests     int64            `json:"requests"` // successful operations begun in the measured window
	Errors       int64            `json:"errors"`
	ErrorsByKind map[string]int64 `json:"errors_by_kind"`
	Throughput   float64          `json:"throughput_rps"` // successful operations per second
	// VsTrivial is Throughput over the trivial handler's at the same concurrency (0: not measured).
	VsTrivial float64          `json:"vs_trivial,omitempty"`
	Latency   Stats            `json:"latency"` // every request of the window
	Ops       map[string]Stats `json:"ops"`     // per operation; "delivery" is post-to-delivery on streams
	Delivery  *Stats           `json:"delivery,omitempty"`

	Deliveries       int64 `json:"deliveries,omitempty"`
	StreamsAtEnd     int   `json:"streams_at_end,omitempty"`
	StreamReadErrors int64 `json:"stream_read_errors,omitempty"`

	ServerRSSStartBytes int64 `json:"server_rss_start_bytes"`
	ServerRSSMaxBytes   int64 `json:"server_rss_max_bytes"`
	ServerRSSEndBytes   int64 `json:"server_rss_end_bytes"`
	// ServerRSSPeakBytes is the child's largest resident set since it started (VmHWM), which
	// the samples of ServerRSSMaxBytes (once a second) may miss; 0 for a server given by URL.
	ServerRSSPeakBytes int64 `json:"server_rss_peak_bytes,omitempty"`
	// CPU time per successful operation of the measured window, in microseconds: the
	// server's process (0 for a server given by URL) and the load tool's. Both share the
	// machine's cores, so their sum is what one operation costs the machine: a steadier
	// comparison between two builds than throughput on a shared VM.
	ServerCPUPerOpUS   float64 `json:"server_cpu_us_per_op,omitempty"`
	LoadToolCPUPerOpUS float64 `json:"loadtool_cpu_us_per_op,omitempty"`

	BucketS  float64   `json:"timeline_bucket_s"`
	Timeline []float64 `json:"timeline_rps"` // completions per second, per bucket of the window

	latencies []time.Duration // every request latency, sorted (for the histogram)
	delivery  []time.Duration
}

// fill computes the figures of r from the recorder of its run.
func (r *Result) fill(rec *Recorder, l Load) {
	ok, failed := rec.Counts()
	r.Requests, r.Errors, r.ErrorsByKind = ok, failed, rec.errorCounts()
	r.Throughput = float64(rec.InWindow()) / l.Duration.Seconds()
	r.Ops = map[string]Stats{}
	var reqOps []string
	for _, op := range rec.opNames() {
		st := statsOf(rec.snapshot(op))
		r.Ops[op] = st
		if op != "delivery" {
			reqOps = append(reqOps, op)
		}
	}
	r.latencies = rec.snapshot(reqOps...)
	if len(reqOps) == 0 {
		r.latencies = nil
	}
	r.Latency = statsOf(r.latencies)
	if d, ok := r.Ops["delivery"]; ok {
		r.Delivery = &d
		r.delivery = rec.snapshot("delivery")
	}
	r.BucketS = rec.bucket.Seconds()
	r.Timeline = rec.rates(l.Duration)
}

// Machine describes where the figures were measured.
type Machine struct {
	CPUs      int    `json:"cpus"`
	CPUModel  string `json:"cpu_model"`
	GoVersion string `json:"go_version"`
	Kernel    string `json:"kernel"`
	MemoryKiB int64  `json:"memory_kib"`
	Time      string `json:"time"`
}

// ThisMachine reads the machine's description from /proc and the Go toolchain.
func ThisMachine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), Time: time.Now().UTC().Format(time.RFC3339)}
	if out, err := exec.Command("go", "version").Output(); err == nil {
		m.GoVersion = strings.TrimSpace(string(out))
	}
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if raw, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(raw))
	}
	if raw, err := os.ReadFile("/proc/meminfo"); err == nil {
		fmt.Sscanf(strings.TrimPrefix(strings.SplitN(string(raw), "\n", 2)[0], "MemTotal:"), "%d", &m.MemoryKiB)
	}
	return m
}

// Target is one of the targets with the measured value.
type Target struct {
	Name     string  `json:"name"`
	Goal     string  `json:"goal"`
	Measured float64 `json:"measured"`
	Unit     string  `json:"unit"`
	Met      bool    `json:"met"`
}

// Report is the whole JSON result file.
type Report struct {
	Command string    `json:"command"`
	Machine Machine   `json:"machine"`
	Results []*Result `json:"results"`
	Targets []Target  `json:"targets,omitempty"`
	Scale   []*Result `json:"scale,omitempty"`
}

// PrintTable writes one line per result: throughput, share of trivial, latencies, errors, memory.
func PrintTable(w io.Writer, results []*Result) {
	fmt.Fprintf(w, "%-22s %9s %7s %8s %8s %8s %8s %7s %9s %9s %9s\n", "scenario", "req/s", "trivial", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors", "rss MiB", "srv µs/op", "tool µs/op")
	for _, r := range results {
		share := "-"
		if r.VsTrivial > 0 {
			share = fmt.Sprintf("%.2f", r.VsTrivial)
		}
		fmt.Fprintf(w, "%-22s %9.0f %7s %8.2f %8.2f %8.2f %8.1f %7d %9.1f %9.0f %9.0f\n", r.Label, r.Throughput, share,
			r.Latency.P50, r.Latency.P95, r.Latency.P99, r.Latency.Max, r.Errors, float64(r.ServerRSSMaxBytes)/(1<<20),
			r.ServerCPUPerOpUS, r.LoadToolCPUPerOpUS)
		if d := r.Delivery; d != nil {
			fmt.Fprintf(w, "%-22s %9d %7s %8.2f %8.2f %8.2f %8.1f   (post-to-delivery on %d streams)\n", "  delivery", d.Count, "",
				d.P50, d.P95, d.P99, d.Max, r.Streams)
		}
		if r.ServerRSSPeakBytes > 0 {
			fmt.Fprintf(w, "%-22s server peak RSS (VmHWM) %.1f MiB\n", "", float64(r.ServerRSSPeakBytes)/(1<<20))
		}
		if len(r.ErrorsByKind) > 0 {
			kinds := make([]string, 0, len(r.ErrorsByKind))
			for k, v := range r.ErrorsByKind {
				kinds = append(kinds, fmt.Sprintf("%s=%d", k, v))
			}
			sort.Strings(kinds)
			fmt.Fprintf(w, "%-22s errors: %s\n", "", strings.Join(kinds, " "))
		}
	}
}
