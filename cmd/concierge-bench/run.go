package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"concierge/internal/bench"
)

const usage = `concierge-bench: load tool for Concierge (public APIs only).

Usage:
  concierge-bench all [flags]                 every scenario, create at half load, the scale runs,
                                              and the targets; writes --out (default bench-out)
  concierge-bench SCENARIO [flags]            one of: create reply read live mixed trivial
                                              (after the trivial baseline unless --baseline=false),
                                              or history (not in all): every client reads one
                                              guest's 8 MB history without PageLength
  concierge-bench login [flags]               a flood of failed staff logins, one loopback address
                                              per client (127.1.x.y, Linux): the server's peak memory
  concierge-bench prefill --db FILE --messages N
                                              fill a SQLite database with history (bulk inserts)
  concierge-bench trivial-server [--addr A]   the trivial JSON handler (started by the tool itself)
  concierge-bench help

Every scenario starts a fresh 'concierge serve --demo' child on a temporary database (rate limits
off), unless --url names a running server (with the demo credentials) or --db an existing file.

Flags:
`

// flags are the command line of the scenario commands.
type flags struct {
	url, serverBin, db, logLevel, out, workDir string
	profileDir                                 string
	concurrency, rooms, streams, staffStreams  int
	mixedStreams, mixedConcurrency             int
	rate, liveRate                             float64
	duration, warmup                           time.Duration
	progress, baseline, half                   bool
	scale                                      string
	creds                                      bench.Credentials
}

func newFlags(name string, f *flags) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.StringVar(&f.url, "url", "", "target this running server (demo credentials) instead of starting one")
	fs.StringVar(&f.serverBin, "server-bin", "", "concierge binary to start (default: go build ./cmd/concierge)")
	fs.StringVar(&f.db, "db", "", "start the server on this SQLite file instead of a fresh one")
	fs.StringVar(&f.logLevel, "server-log-level", "info", "the server's --log-level (info: one log line per request, as in production)")
	fs.StringVar(&f.out, "out", "", "directory for results.json, results.txt and the SVG charts (all: default bench-out)")
	fs.StringVar(&f.profileDir, "cpu-profile", "", "directory for a CPU profile of the server per scenario (<label>-cpu.pprof, the measured window; started servers only)")
	fs.StringVar(&f.workDir, "work-dir", "", "directory for temporary databases and server logs (default: a new temporary directory, removed at the end)")
	fs.IntVar(&f.concurrency, "concurrency", 64, "closed loop: concurrent clients, each sending a request after the previous answer (group commit shares a commit between the writes in flight: 64 lets it batch)")
	fs.Float64Var(&f.rate, "rate", 0, "open loop: requests started per second, whatever the answers (0: closed loop)")
	fs.DurationVar(&f.duration, "duration", 10*time.Second, "measured time per scenario")
	fs.DurationVar(&f.warmup, "warmup", 2*time.Second, "unmeasured time before it")
	fs.IntVar(&f.rooms, "rooms", 500, "current stays (each with a verified guest session and a conversation)")
	fs.IntVar(&f.streams, "streams", 10000, "live: open event streams (guest streams spread over the rooms, plus the staff streams)")
	fs.IntVar(&f.staffStreams, "staff-streams", 10, "live, mixed: of the streams, staff (admin) streams that receive every event")
	fs.IntVar(&f.mixedConcurrency, "mixed-concurrency", 16, "mixed: closed-loop clients (a busy hotel, not an overload; 0: --concurrency)")
	fs.IntVar(&f.mixedStreams, "mixed-streams", 0, "mixed: open event streams (default: one per room plus the staff streams)")
	fs.Float64Var(&f.liveRate, "live-rate", 100, "live: guest messages posted per second (open loop) while the streams are open")
	fs.BoolVar(&f.progress, "progress", false, "show the progress bar even when stderr is not a terminal")
	fs.BoolVar(&f.baseline, "baseline", true, "measure the trivial handler first and report each scenario as a share of it")
	fs.BoolVar(&f.half, "half", true, "all: also run create open-loop at half its measured throughput")
	fs.StringVar(&f.scale, "scale", "10000,1000000", "all: message counts to prefill and read at (comma-separated; empty: none)")
	fs.StringVar(&f.creds.Property, "property", "DEMO", "property code")
	fs.StringVar(&f.creds.InterfaceToken, "interface-token", "demo-interface-token", "interface token for guest sessions")
	fs.StringVar(&f.creds.StaffUser, "staff-user", "admin", "staff admin username")
	fs.StringVar(&f.creds.StaffPassword, "staff-password", "demo-password", "staff admin password")
	fs.StringVar(&f.creds.Outlet, "outlet", "FRONTDESK", "outlet guests write to (must be open at any hour)")
	return fs
}

// run is the whole program; args exclude the program name.
func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return errors.New("missing command")
	}
	cmd, rest := args[0], args[1:]
	switch {
	case cmd == "help" || cmd == "-h" || cmd == "--help":
		fmt.Fprint(os.Stdout, usage)
		var f flags
		fs := newFlags("help", &f)
		fs.SetOutput(os.Stdout)
		fs.PrintDefaults()
		return nil
	case cmd == "trivial-server":
		fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
		addr := fs.String("addr", "127.0.0.1:0", "address to listen on")
		if err := fs.Parse(rest); err != nil {
			return err
		}
		return bench.ServeTrivial(ctx, *addr, os.Stdout)
	case cmd == "prefill":
		return prefill(ctx, rest)
	case cmd == "all" || slices.Contains(bench.Scenarios(), cmd) || slices.Contains(bench.ExtraScenarios(), cmd):
		return scenarios(ctx, cmd, rest)
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func prefill(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("prefill", flag.ContinueOnError)
	db := fs.String("db", "", "SQLite database file (created with the demo data when new)")
	n := fs.Int("messages", 10000, "messages to add")
	per := fs.Int("per-conversation", 10, "messages per conversation")
	batch := fs.Int("batch", 2000, "conversations per transaction")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *db == "" || *n <= 0 {
		return errors.New("prefill needs --db FILE and --messages N > 0")
	}
	st, err := bench.Prefill(ctx, *db, bench.PrefillOptions{Messages: *n, PerConversation: *per, Batch: *batch, Progress: os.Stderr})
	if err != nil {
		return err
	}
	fmt.Printf("%s: added %d stays, %d conversations, %d messages in %s (%.0f messages/s)\n", *db, st.Stays,
		st.Conversations, st.Messages, st.Elapsed.Round(time.Millisecond), float64(st.Messages)/st.Elapsed.Seconds())
	return nil
}

func scenarios(ctx context.Context, cmd string, args []string) error {
	var f flags
	fs := newFlags(cmd, &f)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if cmd == "all" && f.out == "" {
		f.out = "bench-out"
	}
	if limit, err := bench.RaiseFileLimit(); err == nil && limit < uint64(f.streams)+1024 {
		fmt.Fprintf(os.Stderr, "warning: the open-files limit is %d; %d streams need more\n", limit, f.streams)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	work := f.workDir
	if work == "" {
		if work, err = os.MkdirTemp("", "concierge-bench-"); err != nil {
			return err
		}
		defer os.RemoveAll(work)
	} else if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	if f.profileDir != "" {
		if err := os.MkdirAll(f.profileDir, 0o755); err != nil {
			return err
		}
	}
	var sizes []int
	for _, s := range strings.Split(f.scale, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return fmt.Errorf("--scale: %q is not a positive count", s)
		}
		sizes = append(sizes, n)
	}
	var bar *progressBar
	if f.progress || isTerminal(os.Stderr) {
		bar = &progressBar{w: os.Stderr}
	}
	o := bench.Options{URL: f.url, ServerBin: f.serverBin, Self: self, DB: f.db, LogLevel: f.logLevel,
		WorkDir: work, ProfileDir: f.profileDir, LiveRate: f.liveRate, LiveStreams: f.streams, MixedStreams: f.mixedStreams, MixedConcurrency: f.mixedConcurrency,
		Baseline: f.baseline, Half: f.half, ScaleSizes: sizes, Log: logWriter{bar},
		Config: bench.Config{Creds: f.creds, Rooms: f.rooms, StaffStreams: f.staffStreams,
			Load: bench.Load{Concurrency: f.concurrency, Rate: f.rate, Warmup: f.warmup, Duration: f.duration}}}
	if bar != nil {
		o.Config.Progress = bar.update
	}
	suite := bench.NewSuite(o, "concierge-bench "+strings.Join(append([]string{cmd}, args...), " "))
	if cmd == "all" {
		err = suite.All(ctx)
	} else {
		if f.baseline && cmd != "trivial" && f.rate <= 0 && !slices.Contains(bench.ExtraScenarios(), cmd) {
			if _, err := suite.Trivial(ctx); err != nil {
				return fmt.Errorf("trivial baseline: %w", err)
			}
		}
		_, err = suite.Run(ctx, cmd, cmd, nil)
		suite.Report().Targets = suite.Targets()
	}
	if bar != nil {
		bar.finish()
	}
	rep := suite.Report()
	bench.PrintTable(os.Stdout, append(append([]*bench.Result{}, rep.Results...), rep.Scale...))
	for _, t := range rep.Targets {
		met := "NOT MET"
		if t.Met {
			met = "met"
		}
		fmt.Printf("target %s (%s): %.2f %s, %s\n", t.Name, t.Goal, t.Measured, t.Unit, met)
	}
	if f.out != "" {
		if werr := bench.WriteOutputs(f.out, rep); werr != nil {
			return errors.Join(err, werr)
		}
		fmt.Printf("results in %s\n", filepath.Join(f.out, "results.json"))
	}
	return err
}
