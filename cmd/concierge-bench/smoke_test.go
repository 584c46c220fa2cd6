package main

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"concierge/internal/bench"
)

// TestSmoke runs every scenario (and create at half load, and a small scale run) for a moment
// against real child servers, through the real binaries, and checks the result file and the
// charts. It asserts nothing about timing.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two binaries and starts several servers")
	}
	dir := t.TempDir()
	tool := filepath.Join(dir, "concierge-bench")
	server := filepath.Join(dir, "concierge")
	for bin, pkg := range map[string]string{tool: ".", server: "../concierge"} {
		goBuild(t, bin, pkg)
	}
	out := filepath.Join(dir, "out")
	cmd := exec.CommandContext(t.Context(), tool, "all", "--server-bin", server, "--out", out,
		"--work-dir", filepath.Join(dir, "work"), "--duration", "700ms", "--warmup", "200ms",
		"--concurrency", "4", "--rooms", "12", "--streams", "60", "--staff-streams", "2",
		"--live-rate", "50", "--mixed-concurrency", "4", "--scale", "3000,6000", "--progress", "--cpu-profile", filepath.Join(dir, "prof"))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("concierge-bench all: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr.String())
	}
	if !strings.Contains(stderr.String(), "[") {
		t.Errorf("--progress: no progress bar on stderr:\n%s", stderr.String())
	}

	// --cpu-profile: a gzipped pprof profile of the server, and one of the tool, per scenario.
	for _, label := range []string{"create", "reply", "mixed"} {
		for _, file := range []string{label + "-cpu.pprof", label + "-loadtool-cpu.pprof"} {
			prof, err := os.ReadFile(filepath.Join(dir, "prof", file))
			if err != nil || len(prof) < 2 || prof[0] != 0x1f || prof[1] != 0x8b {
				t.Errorf("--cpu-profile: %s: %d bytes, %v; want a gzipped profile", file, len(prof), err)
			}
		}
	}

	raw, err := os.ReadFile(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep bench.Report
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatalf("results.json: %v", err)
	}
	seen := map[string]bool{}
	for _, r := range append(append([]*bench.Result{}, rep.Results...), rep.Scale...) {
		seen[r.Label] = true
		if r.Requests <= 0 || r.Errors != 0 {
			t.Errorf("%s: %d requests, %d errors %v; want some requests and no error", r.Label, r.Requests, r.Errors, r.ErrorsByKind)
		}
		if r.ServerRSSMaxBytes <= 0 {
			t.Errorf("%s: no server memory figure", r.Label)
		}
		if r.Scenario == "live" && (r.Delivery == nil || r.Delivery.Count == 0 || r.Streams != 60) {
			t.Errorf("live: %d streams, delivery %+v; want 60 streams and timed deliveries", r.Streams, r.Delivery)
		}
		// CPU per operation: /proc's ticks are 10 ms, so only the busiest runs are sure to
		// show server time in 700 ms.
		if r.LoadToolCPUPerOpUS <= 0 || (r.Rate == 0 && r.Scenario != "live" && r.ServerCPUPerOpUS <= 0) {
			t.Errorf("%s: CPU per operation: server %.1f µs, tool %.1f µs; want both measured",
				r.Label, r.ServerCPUPerOpUS, r.LoadToolCPUPerOpUS)
		}
		if r.Label != "trivial" && r.Rate == 0 && r.VsTrivial <= 0 {
			t.Errorf("%s: no share of the trivial handler's throughput", r.Label)
		}
	}
	for _, want := range []string{"trivial", "create", "create@half", "reply", "read", "live", "mixed", "read@3k", "read@6k"} {
		if !seen[want] {
			t.Errorf("results.json has no %q result", want)
		}
	}
	if len(rep.Targets) == 0 || rep.Machine.CPUs == 0 {
		t.Errorf("results.json: targets %v, machine %+v", rep.Targets, rep.Machine)
	}

	md, err := os.ReadFile(filepath.Join(out, "results.md"))
	if err != nil || !strings.Contains(string(md), "| create |") || !strings.Contains(string(md), "| target |") {
		t.Errorf("results.md: %v\n%s", err, md)
	}

	svgs, _ := filepath.Glob(filepath.Join(out, "*.svg"))
	if len(svgs) != 2*len(seen) {
		t.Errorf("%d SVG files for %d results; want two each", len(svgs), len(seen))
	}
	for _, f := range svgs {
		if err := checkXML(f); err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
		}
	}
}

// goBuild builds the package pkg into the binary bin.
func goBuild(t *testing.T, bin, pkg string) {
	t.Helper()
	if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
}

// checkXML reports whether the file is well-formed XML with an <svg> root.
func checkXML(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	d := xml.NewDecoder(f)
	root := ""
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		return errors.New("root element is " + root + ", not svg")
	}
	return nil
}

func TestCommandLineErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"nonsense"},
		{"create", "--concurrency", "x"},
		{"create", "extra-argument"},
		{"all", "--scale", "10,abc"},
		{"prefill"},
		{"prefill", "--db", filepath.Join(t.TempDir(), "x.db"), "--messages", "0"},
	} {
		if err := run(t.Context(), args); err == nil {
			t.Errorf("run(%q) = nil; want an error", args)
		}
	}
	if err := run(t.Context(), []string{"help"}); err != nil {
		t.Errorf("help: %v", err)
	}
}
