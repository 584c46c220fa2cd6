package bench

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

func TestParseProcStatCPU(t *testing.T) {
	t.Parallel()
	// A command name with spaces and a parenthesis, as /proc shows it; utime 1234, stime 66.
	line := "4242 (con cierge) x) S 1 4242 4242 0 -1 4194560 5000 0 0 0 1234 66 0 0 20 0 12 0 100 0 0"
	got, err := parseProcStatCPU(line)
	if err != nil || got != 13*time.Second {
		t.Errorf("parseProcStatCPU = %v, %v; want 13s", got, err)
	}
	for _, bad := range []string{"", "4242 (x", "4242 (x) S 1 2 3", "4242 (x) S 1 4242 4242 0 -1 4194560 5000 0 0 0 zz 66"} {
		if _, err := parseProcStatCPU(bad); err == nil {
			t.Errorf("parseProcStatCPU(%q): no error", bad)
		}
	}
	// This very process: the parser reads the real file.
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", os.Getpid()))
	if err != nil {
		t.Skip("no /proc")
	}
	if _, err := parseProcStatCPU(string(raw)); err != nil {
		t.Errorf("parsing this process's stat: %v", err)
	}
}

func FuzzParseProcStatCPU(f *testing.F) {
	f.Add("4242 (con cierge) x) S 1 4242 4242 0 -1 4194560 5000 0 0 0 1234 66 0 0 20 0 12 0 100 0 0")
	f.Add("1 (a) R")
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := parseProcStatCPU(s); err == nil && d < 0 && !strings.Contains(s, "-") {
			t.Errorf("negative CPU time %v from %q", d, s)
		}
	})
}
