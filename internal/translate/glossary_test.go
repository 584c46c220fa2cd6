package translate_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"concierge/internal/translate"
)

func TestMask(t *testing.T) {
	t.Parallel()
	terms := []string{"Sol y Mar", "Sol", "Ñandú", "C++ Bar", "  "}
	for _, tc := range []struct {
		text, masked string
		found        []string
	}{
		{"Cena en Sol y Mar", "Cena en [[0]]", []string{"Sol y Mar"}},
		{"SOL Y MAR y sol", "[[0]] y [[1]]", []string{"SOL Y MAR", "sol"}},
		{"Soleado en Solar", "Soleado en Solar", nil}, // whole words only
		{"el ñandú, el Ñandú.", "el [[0]], el [[1]].", []string{"ñandú", "Ñandú"}},
		{"at the C++ Bar!", "at the [[0]]!", []string{"C++ Bar"}}, // regexp characters are literal
		{"keep [[0]] Sol", "keep [[0]] Sol", nil},                 // text with brackets: untouched
		{"", "", nil},
	} {
		m := translate.Mask(tc.text, terms)
		if m.Text != tc.masked || !slices.Equal(m.Terms, tc.found) {
			t.Errorf("Mask(%q) = %q %q, want %q %q", tc.text, m.Text, m.Terms, tc.masked, tc.found)
		}
		if got := m.Unmask(m.Text); got != tc.text {
			t.Errorf("Unmask(Mask(%q)) = %q", tc.text, got)
		}
	}
	m := translate.Mask("Cena en Sol y Mar", terms)
	for provider, want := range map[string]string{
		"Dinner at [[0]]":   "Dinner at Sol y Mar",
		"Dinner at [[ 0 ]]": "Dinner at Sol y Mar",
		"Dinner at [[7]]":   "Dinner at [[7]]", // invented: left
		"Dinner":            "Dinner",          // dropped: lost
	} {
		if got := m.Unmask(provider); got != want {
			t.Errorf("Unmask(%q) = %q, want %q", provider, got, want)
		}
	}
	if m := translate.Mask("Sol", nil); m.Text != "Sol" || m.Terms != nil {
		t.Errorf("Mask without terms = %+v", m)
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		attempt int
		jitter  float64
		want    time.Duration
	}{
		{1, 0.5, time.Second}, {2, 0.5, 2 * time.Second}, {4, 0.5, 8 * time.Second},
		{30, 0.5, time.Minute}, {1000, 0.5, time.Minute},
		{1, 0, 750 * time.Millisecond}, {1, 1, 1250 * time.Millisecond},
	} {
		if got := translate.Backoff(tc.attempt, time.Second, time.Minute, tc.jitter); got != tc.want {
			t.Errorf("Backoff(%d, jitter %v) = %v, want %v", tc.attempt, tc.jitter, got, tc.want)
		}
	}
}

func FuzzMask(f *testing.F) {
	f.Add("Cena en Sol y Mar con Ñandú", "Sol y Mar", "ñandú")
	f.Add("[[0]] x", "x", "")
	f.Add("a.b*c", ".", "*")
	f.Fuzz(func(t *testing.T, text, t1, t2 string) {
		m := translate.Mask(text, []string{t1, t2})
		if got := m.Unmask(m.Text); got != text {
			t.Fatalf("Unmask(Mask(%q)) = %q (masked %q)", text, got, m.Text)
		}
		for _, term := range m.Terms {
			if !strings.EqualFold(term, strings.TrimSpace(t1)) && !strings.EqualFold(term, strings.TrimSpace(t2)) {
				t.Fatalf("masked %q, which is no term", term)
			}
		}
	})
}
