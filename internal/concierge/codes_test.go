package concierge

import (
	"strings"
	"testing"
	"time"
)

// TestNewCodeSortsByTime: codes made later sort after earlier ones (so new rows append to the
// code indexes), keep their prefix and alphabet, and differ within one millisecond.
func TestNewCodeSortsByTime(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 11, 25, 1, 2, 3, 0, time.UTC)
	var prev string
	for i, d := range []time.Duration{0, time.Millisecond, time.Second, time.Hour, 24 * time.Hour * 365 * 50} {
		c := newCodeAt("C", base.Add(d))
		if len(c) != 1+codeTimeChars+codeRandomChars || !strings.HasPrefix(c, "C") {
			t.Fatalf("code %q: want C and %d characters", c, codeTimeChars+codeRandomChars)
		}
		for _, r := range c[1:] {
			if !strings.ContainsRune(codeAlphabet, r) {
				t.Fatalf("code %q has %q, not in the alphabet", c, r)
			}
		}
		if i > 0 && c <= prev {
			t.Errorf("code %q made %v later does not sort after %q", c, d, prev)
		}
		prev = c
	}
	seen := map[string]bool{}
	for range 1000 {
		c := newCodeAt("M", base)
		if seen[c] {
			t.Fatalf("code %q made twice in one millisecond", c)
		}
		seen[c] = true
	}
	if got, want := newCodeAt("", base)[:codeTimeChars], newCodeAt("", base)[:codeTimeChars]; got != want {
		t.Errorf("time part %q then %q for the same instant", got, want)
	}
}
