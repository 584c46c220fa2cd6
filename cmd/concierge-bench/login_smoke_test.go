package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"concierge/internal/bench"
)

// TestLoginSmoke runs the login scenario (a flood of failed staff logins from many loopback
// addresses) for a moment against a real child server and checks its result: only 401 and 429
// answers, some of each kind of figure, and the server's peak memory. It asserts nothing about
// timing or sizes.
func TestLoginSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the server and starts it")
	}
	dir := t.TempDir()
	server := filepath.Join(dir, "concierge")
	goBuild(t, server, "../concierge")
	out := filepath.Join(dir, "out")
	if err := run(t.Context(), []string{"login", "--server-bin", server, "--out", out, "--work-dir", filepath.Join(dir, "work"),
		"--duration", "1s", "--warmup", "0s", "--concurrency", "8"}); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep bench.Report
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 1 || rep.Results[0].Label != "login" {
		t.Fatalf("results: %+v; want one login result (no trivial baseline)", rep.Results)
	}
	r := rep.Results[0]
	if r.Errors != 0 || r.Ops["login_401"].Count == 0 {
		t.Errorf("login: errors %v, ops %v; want failed logins (401) and no other answer than 401 and 429", r.ErrorsByKind, r.Ops)
	}
	for op := range r.Ops {
		if op != "login_401" && op != "login_429" {
			t.Errorf("unexpected operation %q", op)
		}
	}
	if r.ServerRSSPeakBytes <= 0 || r.ServerRSSPeakBytes < r.ServerRSSMaxBytes {
		t.Errorf("peak RSS %d, sampled max %d; want a peak at least the samples' maximum", r.ServerRSSPeakBytes, r.ServerRSSMaxBytes)
	}
}
