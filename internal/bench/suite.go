package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Options configures a run of one or more scenarios.
type Options struct {
	URL       string // target this running server instead of starting one
	ServerBin string // the concierge binary ("" builds ./cmd/concierge)
	Self      string // this program, for the trivial server child
	DB        string // start the child on this database instead of a fresh one
	LogLevel  string // the child's --log-level
	WorkDir   string // temporary files (databases, logs)
	// ProfileDir, when set, receives a CPU profile of the server during each scenario's
	// measured window (<label>-cpu.pprof; read with `go tool pprof`).
	ProfileDir string

	Config       Config
	LiveRate     float64 // live: posts per second (open loop), unless Config.Load.Rate is set
	LiveStreams  int     // live: open streams
	MixedStreams int     // mixed: open streams (default: one per room, plus the staff streams)
	// MixedConcurrency is the mixed scenario's closed-loop clients (0: Config.Load's).
	MixedConcurrency int
	Baseline         bool  // measure the trivial handler first and report each scenario against it
	Half             bool  // all: also run create open-loop at half its closed-loop throughput
	ScaleSizes       []int // all: prefill databases of these many messages and run read on each
	Log              io.Writer
}

// Suite runs scenarios against fresh servers and collects their results.
type Suite struct {
	o       Options
	trivial *Result
	report  *Report
}

// NewSuite returns a suite; the report's Command is set to command.
func NewSuite(o Options, command string) *Suite {
	if o.Log == nil {
		o.Log = io.Discard
	}
	return &Suite{o: o, report: &Report{Command: command, Machine: ThisMachine()}}
}

// Report returns the results so far.
func (s *Suite) Report() *Report { return s.report }

// server starts the server a scenario runs against (or returns the one given by URL).
func (s *Suite) server(ctx context.Context, label, db string) (*Server, error) {
	if s.o.URL != "" {
		return External(s.o.URL), nil
	}
	if s.o.ServerBin == "" {
		bin, err := BuildConcierge(ctx, s.o.WorkDir)
		if err != nil {
			return nil, err
		}
		s.o.ServerBin = bin
	}
	if db == "" {
		db = s.o.DB
	}
	if db == "" {
		db = filepath.Join(s.o.WorkDir, label+".db")
	}
	return StartConcierge(ctx, ConciergeOptions{Bin: s.o.ServerBin, DB: db, LogLevel: s.o.LogLevel,
		LogFile: filepath.Join(s.o.WorkDir, label+".log"), Debug: s.o.ProfileDir != ""})
}

// Trivial measures the trivial handler at the configured concurrency.
func (s *Suite) Trivial(ctx context.Context) (*Result, error) {
	srv, err := StartTrivial(ctx, s.o.Self)
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	cfg := s.o.Config
	cfg.Label = "trivial"
	cfg.Load.Rate = 0
	r, err := RunScenario(ctx, "trivial", srv, cfg)
	if err != nil {
		return nil, err
	}
	r.VsTrivial = 1
	s.trivial = r
	s.report.Results = append(s.report.Results, r)
	return r, nil
}

// Run runs one scenario on a fresh server (label names its files and the result).
func (s *Suite) Run(ctx context.Context, name, label string, mod func(*Config)) (*Result, error) {
	if name == "trivial" {
		return s.Trivial(ctx)
	}
	cfg := s.o.Config
	cfg.Label = label
	switch name {
	case "live":
		cfg.Streams = s.o.LiveStreams
		// Two devices per guest: a phone and the in-room tablet.
		cfg.Rooms = max(cfg.Rooms, (cfg.Streams-cfg.StaffStreams)/2)
		if cfg.Load.Rate <= 0 {
			cfg.Load.Rate = s.o.LiveRate
		}
	case "mixed":
		cfg.Streams = s.o.MixedStreams
		if s.o.MixedConcurrency > 0 && cfg.Load.Rate <= 0 {
			cfg.Load.Concurrency = s.o.MixedConcurrency
		}
		if cfg.Streams <= 0 {
			cfg.Streams = cfg.Rooms + cfg.StaffStreams
		}
	}
	if mod != nil {
		mod(&cfg)
	}
	srv, err := s.server(ctx, label, "")
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	profiled := s.profile(ctx, srv, &cfg)
	r, err := RunScenario(ctx, name, srv, cfg)
	if err != nil {
		return nil, err
	}
	if err := profiled(); err != nil {
		fmt.Fprintf(s.o.Log, "%s: CPU profile: %v\n", label, err)
	}
	if s.trivial != nil && s.trivial.Throughput > 0 && cfg.Load.Rate <= 0 {
		r.VsTrivial = r.Throughput / s.trivial.Throughput
	}
	s.report.Results = append(s.report.Results, r)
	return r, nil
}

// profile arranges, when Options.ProfileDir is set and srv has a debug listener, for the
// server's CPU profile to be recorded during the measured window of the load cfg drives. The
// returned function waits for the profile and returns its error.
func (s *Suite) profile(ctx context.Context, srv *Server, cfg *Config) (wait func() error) {
	if s.o.ProfileDir == "" || srv.DebugURL == "" {
		return func() error { return nil }
	}
	path := filepath.Join(s.o.ProfileDir, cfg.Label+"-cpu.pprof")
	errc := make(chan error, 1)
	cfg.Load.Measuring = func(window time.Duration) {
		own := make(chan error, 1)
		go func() {
			own <- selfProfile(ctx, window, filepath.Join(s.o.ProfileDir, cfg.Label+"-loadtool-cpu.pprof"))
		}()
		err := srv.CPUProfile(ctx, window, path)
		errc <- errors.Join(err, <-own)
	}
	return func() error {
		select {
		case err := <-errc:
			return err
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(cfg.Load.Duration + cfg.Load.Warmup + 30*time.Second):
			return errors.New("no profile (the load did not run)")
		}
	}
}

// All runs every scenario, the half-load create, and the scale runs, then checks the targets.
func (s *Suite) All(ctx context.Context) error {
	if _, err := s.Trivial(ctx); err != nil {
		return fmt.Errorf("trivial: %w", err)
	}
	fmt.Fprintf(s.o.Log, "trivial: %.0f req/s\n", s.trivial.Throughput)
	for _, name := range Scenarios()[1:] {
		r, err := s.Run(ctx, name, name, nil)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		fmt.Fprintf(s.o.Log, "%s: %.0f req/s, p99 %.2f ms, %d errors\n", name, r.Throughput, r.Latency.P99, r.Errors)
		if name == "create" && s.o.Half && r.Throughput > 0 {
			half := r.Throughput / 2
			h, err := s.Run(ctx, "create", "create@half", func(c *Config) { c.Load.Rate = half })
			if err != nil {
				return fmt.Errorf("create@half: %w", err)
			}
			fmt.Fprintf(s.o.Log, "create@half (%.0f/s): p99 %.2f ms, %d errors\n", half, h.Latency.P99, h.Errors)
		}
	}
	for _, n := range s.o.ScaleSizes {
		if _, err := s.Scale(ctx, n); err != nil {
			return fmt.Errorf("scale %d: %w", n, err)
		}
	}
	s.report.Targets = s.Targets()
	return nil
}

// Scale prefills a fresh database with n messages and runs the read scenario on it.
func (s *Suite) Scale(ctx context.Context, n int) (*Result, error) {
	if s.o.URL != "" {
		return nil, fmt.Errorf("scale runs start their own server: drop --url")
	}
	label := fmt.Sprintf("read@%s", humanCount(n))
	db := filepath.Join(s.o.WorkDir, label+".db")
	st, err := Prefill(ctx, db, PrefillOptions{Messages: n, Progress: s.o.Log})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(s.o.Log, "prefilled %d messages in %s (%.0f messages/s)\n", st.Messages, st.Elapsed.Round(time.Second),
		float64(st.Messages)/st.Elapsed.Seconds())
	srv, err := s.server(ctx, label, db)
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	cfg := s.o.Config
	cfg.Label = label
	r, err := RunScenario(ctx, "read", srv, cfg)
	if err != nil {
		return nil, err
	}
	r.DBMessages = int64(st.Messages)
	if s.trivial != nil && s.trivial.Throughput > 0 {
		r.VsTrivial = r.Throughput / s.trivial.Throughput
	}
	fmt.Fprintf(s.o.Log, "%s: %.0f req/s, p99 %.2f ms\n", label, r.Throughput, r.Latency.P99)
	s.report.Scale = append(s.report.Scale, r)
	return r, nil
}

func humanCount(n int) string {
	switch {
	case n >= 1e6 && n%1e6 == 0:
		return fmt.Sprintf("%dM", n/1e6)
	case n >= 1e3 && n%1e3 == 0:
		return fmt.Sprintf("%dk", n/1e3)
	}
	return fmt.Sprint(n)
}

// find returns the result with this label, or nil.
func (s *Suite) find(label string) *Result {
	for _, r := range append(append([]*Result{}, s.report.Results...), s.report.Scale...) {
		if r.Label == label {
			return r
		}
	}
	return nil
}

// Targets checks the targets against the results that were measured.
func (s *Suite) Targets() []Target {
	var out []Target
	if r := s.find("create"); r != nil && r.VsTrivial > 0 {
		out = append(out, Target{Name: "create throughput", Goal: "≥ 0.25 of trivial, zero errors", Measured: r.VsTrivial,
			Unit: "× trivial", Met: r.VsTrivial >= 0.25 && r.Errors == 0})
	}
	if r := s.find("create@half"); r != nil {
		out = append(out, Target{Name: "create p99 at half load", Goal: "< 25 ms", Measured: r.Latency.P99,
			Unit: "ms", Met: r.Latency.P99 < 25 && r.Errors == 0})
	}
	if r := s.find("reply"); r != nil && r.VsTrivial > 0 {
		out = append(out, Target{Name: "reply throughput", Goal: "≥ 0.33 of trivial", Measured: r.VsTrivial,
			Unit: "× trivial", Met: r.VsTrivial >= 1.0/3 && r.Errors == 0})
	}
	if r := s.find("live"); r != nil && r.Delivery != nil {
		out = append(out, Target{Name: fmt.Sprintf("live post-to-delivery p99, %d streams", r.Streams),
			Goal: "< 50 ms with 10,000 streams", Measured: r.Delivery.P99, Unit: "ms",
			Met: r.Delivery.P99 < 50 && r.Streams >= 10000 && r.Errors == 0})
	}
	if len(s.report.Scale) >= 2 {
		lo, hi := s.report.Scale[0], s.report.Scale[len(s.report.Scale)-1]
		for _, op := range []string{"guest_messages", "guest_conversation", "staff_inbox", "staff_conversation"} {
			a, b := lo.Ops[op], hi.Ops[op]
			if a.P50 <= 0 {
				continue
			}
			ratio := b.P50 / a.P50
			out = append(out, Target{Name: fmt.Sprintf("%s p50, %s vs %s", op, hi.Label, lo.Label),
				Goal: "within 2×", Measured: ratio, Unit: "×", Met: ratio <= 2})
		}
	}
	return out
}

// WriteOutputs writes the JSON report, the table, and two SVG charts per result into dir.
func WriteOutputs(dir string, rep *Report) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	raw, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), append(raw, '\n'), 0o644); err != nil {
		return err
	}
	var table strings.Builder
	PrintTable(&table, append(append([]*Result{}, rep.Results...), rep.Scale...))
	for _, t := range rep.Targets {
		met := "NOT MET"
		if t.Met {
			met = "met"
		}
		fmt.Fprintf(&table, "target %-45s %-32s %10.2f %-10s %s\n", t.Name, t.Goal, t.Measured, t.Unit, met)
	}
	if err := os.WriteFile(filepath.Join(dir, "results.txt"), []byte(table.String()), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "results.md"), []byte(Markdown(rep)), 0o644); err != nil {
		return err
	}
	for _, r := range append(append([]*Result{}, rep.Results...), rep.Scale...) {
		name := strings.NewReplacer("@", "-at-", "/", "-").Replace(r.Label)
		lat, title := r.latencies, fmt.Sprintf("%s: request latency (%.0f req/s, concurrency %d)", r.Label, r.Throughput, r.Concurrency)
		if r.Rate > 0 {
			title = fmt.Sprintf("%s: request latency (open loop, %.0f req/s offered)", r.Label, r.Rate)
		}
		if r.delivery != nil {
			lat, title = r.delivery, fmt.Sprintf("%s: post-to-delivery latency on %d streams", r.Label, r.Streams)
		}
		if err := writeSVG(filepath.Join(dir, name+"-latency.svg"), func(w io.Writer) error { return LatencySVG(w, title, lat) }); err != nil {
			return err
		}
		if err := writeSVG(filepath.Join(dir, name+"-throughput.svg"), func(w io.Writer) error {
			return ThroughputSVG(w, r.Label+": successful requests per second", r.Timeline, r.BucketS)
		}); err != nil {
			return err
		}
	}
	return nil
}

// Markdown returns the machine, the results and the targets of rep as Markdown tables, for
// docs/benchmarks.md.
func Markdown(rep *Report) string {
	var b strings.Builder
	m := rep.Machine
	fmt.Fprintf(&b, "Measured %s with `%s`: %d CPUs (`%s`), %.0f GiB, Linux %s, %s.\n\n", m.Time, rep.Command,
		m.CPUs, m.CPUModel, float64(m.MemoryKiB)/(1<<20), m.Kernel, m.GoVersion)
	b.WriteString("| scenario | req/s | × trivial | p50 ms | p95 ms | p99 ms | max ms | errors | server RSS max MiB | server CPU µs/op | tool CPU µs/op |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range append(append([]*Result{}, rep.Results...), rep.Scale...) {
		share := "–"
		if r.VsTrivial > 0 {
			share = fmt.Sprintf("%.3f", r.VsTrivial)
		}
		label := r.Label
		if r.Rate > 0 {
			label += fmt.Sprintf(" (open loop, %.0f/s)", r.Rate)
		}
		fmt.Fprintf(&b, "| %s | %.0f | %s | %.2f | %.2f | %.2f | %.1f | %d | %.0f | %.0f | %.0f |\n", label, r.Throughput, share,
			r.Latency.P50, r.Latency.P95, r.Latency.P99, r.Latency.Max, r.Errors, float64(r.ServerRSSMaxBytes)/(1<<20),
			r.ServerCPUPerOpUS, r.LoadToolCPUPerOpUS)
		if d := r.Delivery; d != nil {
			fmt.Fprintf(&b, "| %s delivery, %d streams | %d delivered | | %.2f | %.2f | %.2f | %.1f | | | | |\n", r.Label,
				r.Streams, d.Count, d.P50, d.P95, d.P99, d.Max)
		}
	}
	if len(rep.Targets) > 0 {
		b.WriteString("\n| target | goal | measured | |\n|---|---|---|---|\n")
		for _, t := range rep.Targets {
			met := "**not met**"
			if t.Met {
				met = "met"
			}
			fmt.Fprintf(&b, "| %s | %s | %.2f %s | %s |\n", t.Name, t.Goal, t.Measured, t.Unit, met)
		}
	}
	return b.String()
}

func writeSVG(path string, draw func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := draw(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
