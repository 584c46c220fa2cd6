package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// cliRun runs the program with args (after the program name) and returns its exit status (as
// main sets it), stdout and stderr.
func cliRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), append([]string{"concierge"}, args...), func(string) string { return "" }, &stdout, &stderr)
	if err != nil { // as main prints it
		stderr.WriteString("concierge: " + err.Error() + "\n")
	}
	return exitCode(err), stdout.String(), stderr.String()
}

// TestCLIConventions checks the command line as operators expect it: `concierge CMD -h` and
// `concierge help CMD` print that command's own flags on stdout and exit 0; a usage error
// exits 2 with one line on stderr; a long command's progress and counts go to stderr.
func TestCLIConventions(t *testing.T) {
	t.Parallel()
	ownFlags := map[string][]string{
		"serve":      {"--addr", "--demo", "CONCIERGE_ADDR"},
		"migrate":    {"--db", "CONCIERGE_DB"},
		"rotate-key": {"--session-key-file"},
		"import":     {"--property", "usage: concierge import stays|orders"},
		"webhooks":   {"--url", "--kinds", "concierge webhooks create"},
		"privacy":    {"--booking-reference", "--yes", "concierge privacy erase"},
	}
	notOwn := map[string]string{"import": "--translator", "webhooks": "--booking-reference", "privacy": "--kinds"}
	for cmd, want := range ownFlags {
		for _, args := range [][]string{{cmd, "-h"}, {cmd, "--help"}, {"help", cmd}} {
			code, out, errOut := cliRun(t, args...)
			if code != 0 || errOut != "" {
				t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
			}
			for _, w := range want {
				if !strings.Contains(out, w) {
					t.Errorf("%v: no %q in:\n%s", args, w, out)
				}
			}
			if n := notOwn[cmd]; n != "" && strings.Contains(out, n) {
				t.Errorf("%v shows another command's flag %s:\n%s", args, n, out)
			}
		}
	}
	for _, args := range [][]string{{"help", "version"}, {"help"}, {"--help"}} {
		if code, out, errOut := cliRun(t, args...); code != 0 || out == "" || errOut != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}

	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"help", "frobnicate"},
		{"serve", "--no-such-flag"},
		{"serve", "--rate-session", "lots"},
		{"migrate", "extra"},
		{"import", "guests", "x.csv", "--property", "DEMO"},
		{"import", "stays", "x.csv"},
		{"import", "stays", "x.csv", "--property", "DEMO", "--nope"},
		{"webhooks"},
		{"webhooks", "list"},
		{"webhooks", "frob", "--property", "DEMO"},
		{"privacy", "export", "--nope"},
		{"privacy", "erase", "--property", "DEMO", "--booking-reference", "X", "--db", filepath.Join(t.TempDir(), "c.db")},
	} {
		code, out, errOut := cliRun(t, args...)
		if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "concierge: ") ||
			!strings.Contains(errOut, "concierge help") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and one line on stderr", args, code, out, errOut)
		}
	}

	// A failure that is not a usage error exits 1.
	if code, _, _ := cliRun(t, "import", "stays", filepath.Join(t.TempDir(), "missing.csv"), "--property", "DEMO",
		"--db", filepath.Join(t.TempDir(), "c.db")); code != 1 {
		t.Errorf("missing file: exit %d, want 1", code)
	}
}

// TestCLIImportReportsOnStderr checks that import's progress and counts go to stderr, keeping
// stdout for results.
func TestCLIImportReportsOnStderr(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	file := writeFile(t, s, "stays.csv", "bookingReference,roomNumber,firstName,lastName,languageCode,arrival,departure\n"+
		"BK-CLI-9,309,Ada,Cli,en,2026-11-24,2026-11-28\n")
	code, out, errOut := cliRun(t, "import", "stays", file, "--property", "DEMO", "--db", s.DB)
	if code != 0 || out != "" || !strings.Contains(errOut, "stays: 1/1 rows") || !strings.Contains(errOut, "1 created") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}
