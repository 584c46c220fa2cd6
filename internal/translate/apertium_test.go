package translate_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"concierge/internal/translate"
	"concierge/internal/translate/apytest"
)

func TestApertiumPairsAndTranslate(t *testing.T) {
	t.Parallel()
	apy := apytest.Start(t)
	a, err := translate.New("apertium", translate.Options{URL: apy.URL + "/"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	pairs, err := a.Pairs(ctx)
	if err != nil {
		t.Fatalf("Pairs: %v", err)
	}
	for _, want := range []translate.Pair{{From: "es", To: "en"}, {From: "en", To: "es"}} {
		if !slices.Contains(pairs, want) {
			t.Errorf("Pairs = %v, want %v among them (APy's spa|eng mapped to BCP 47)", pairs, want)
		}
	}
	for _, p := range pairs {
		if strings.Contains(p.From+p.To, "_") || len(p.From) != 2 || len(p.To) != 2 {
			t.Errorf("pair %v is not two BCP 47 base languages", p)
		}
	}

	got, err := a.Translate(ctx, "Buenos días", "es", "en")
	if err != nil {
		t.Fatalf("Translate es→en: %v", err)
	}
	if got != "Good morning" {
		t.Errorf("Translate(Buenos días) = %q, want Good morning", got)
	}
	got, err = a.Translate(ctx, "Good morning, more towels please.", "en", "es")
	if err != nil {
		t.Fatalf("Translate en→es: %v", err)
	}
	if !strings.Contains(strings.ToLower(got), "toallas") {
		t.Errorf("Translate en→es = %q, want toallas in it", got)
	}
	// Unknown words come back without APy's '*' mark.
	got, err = a.Translate(ctx, "Hola Xyzzyq", "es", "en")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got, "*") || !strings.Contains(got, "Xyzzyq") {
		t.Errorf("unknown word: %q, want Xyzzyq unmarked", got)
	}

	for _, p := range []translate.Pair{{From: "en", To: "fr"}, {From: "de", To: "es"}} {
		_, err := a.Translate(ctx, "Hello", p.From, p.To)
		if !errors.Is(err, translate.ErrUnsupported) {
			t.Errorf("Translate %v: %v, want ErrUnsupported", p, err)
		}
	}
}

// TestGlossaryPlaceholdersSurviveApertium checks the placeholder format against the real
// pair, both ways: terms come back verbatim, in place.
func TestGlossaryPlaceholdersSurviveApertium(t *testing.T) {
	t.Parallel()
	apy := apytest.Start(t)
	a, err := translate.NewApertium(translate.Options{URL: apy.URL})
	if err != nil {
		t.Fatal(err)
	}
	terms := []string{"Sol y Mar", "Paella Valenciana", "La Terraza", "Blue Lagoon Spa"}
	for _, tc := range []struct{ from, to, text string }{
		{"es", "en", "Quiero pedir la Paella Valenciana del restaurante Sol y Mar, por favor."},
		{"es", "en", "¿Está abierto sol y mar? Y La Terraza también."},
		{"en", "es", "Your table at Sol y Mar is ready; the Blue Lagoon Spa opens at nine."},
		{"en", "es", "We would like the Paella Valenciana from La Terraza and from Sol y Mar."},
	} {
		m := translate.Mask(tc.text, terms)
		if len(m.Terms) < 2 {
			t.Fatalf("Mask(%q) found %v", tc.text, m.Terms)
		}
		out, err := a.Translate(t.Context(), m.Text, tc.from, tc.to)
		if err != nil {
			t.Fatalf("Translate: %v", err)
		}
		got := m.Unmask(out)
		for _, term := range m.Terms {
			if !strings.Contains(got, term) {
				t.Errorf("%s→%s %q → %q: term %q lost (provider said %q)", tc.from, tc.to, tc.text, got, term, out)
			}
		}
		if strings.Contains(got, "[[") {
			t.Errorf("placeholder left in %q", got)
		}
	}
}

func TestApertiumDown(t *testing.T) {
	t.Parallel()
	apy := apytest.Start(t)
	a, err := translate.NewApertium(translate.Options{URL: apy.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Translate(t.Context(), "Hola", "es", "en"); err != nil {
		t.Fatal(err)
	}
	apy.Stop()
	_, err = a.Translate(t.Context(), "Hola", "es", "en")
	if err == nil || errors.Is(err, translate.ErrUnsupported) {
		t.Fatalf("Translate with APy stopped: %v, want a provider error (not unsupported)", err)
	}
	if _, err := a.Pairs(t.Context()); err == nil {
		t.Error("Pairs with APy stopped succeeded")
	}
	apy.Restart()
	got, err := a.Translate(t.Context(), "Hola", "es", "en")
	if err != nil || got != "Hello" {
		t.Errorf("Translate after APy came back = %q, %v", got, err)
	}
}

func TestNewProviders(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, url string
		ok        bool
	}{
		{"none", "", true}, {"", "", true}, {"NONE", "", true},
		{"apertium", "http://127.0.0.1:2737", true}, {"libretranslate", "https://lt.example/", true},
		{"apertium", "", false}, {"apertium", "ftp://x", false}, {"libretranslate", "127.0.0.1:5000", false},
		{"google", "http://x", false},
	} {
		_, err := translate.New(tc.name, translate.Options{URL: tc.url})
		if (err == nil) != tc.ok {
			t.Errorf("New(%q, %q): %v, want ok=%v", tc.name, tc.url, err, tc.ok)
		}
	}
	n, _ := translate.New("none", translate.Options{})
	if _, err := n.Translate(t.Context(), "x", "es", "en"); !errors.Is(err, translate.ErrUnsupported) {
		t.Errorf("none: %v, want ErrUnsupported", err)
	}
	if p, err := n.Pairs(t.Context()); err != nil || len(p) != 0 {
		t.Errorf("none Pairs = %v, %v", p, err)
	}
}
