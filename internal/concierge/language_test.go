package concierge

import (
	"strings"
	"testing"
)

func TestNormalizeLanguage(t *testing.T) {
	t.Parallel()
	good := map[string]string{
		"en":                 "en",
		"EN":                 "en",
		"En":                 "en",
		" en ":               "en",
		"es":                 "es",
		"es-MX":              "es",
		"es-419":             "es",
		"ES-mx":              "es",
		"en-GB":              "en",
		"de-AT":              "de",
		"de_AT":              "de", // underscores are accepted as separators
		"fr-CA":              "fr",
		"pt-BR":              "pt",
		"zh":                 "zh",
		"zh-Hant-TW":         "zh",
		"zh-Hans":            "zh",
		"sr-Latn-RS":         "sr",
		"en-US-u-co-phonebk": "en",
		"fil":                "fil",
		"iw":                 "he", // deprecated codes are canonicalised
	}
	for tag, want := range good {
		got, ok := NormalizeLanguage(tag)
		if !ok || got != want {
			t.Errorf("NormalizeLanguage(%q) = %q, %v; want %q, true", tag, got, ok, want)
		}
	}
	bad := []string{
		"",
		"   ",
		"xx",  // well-formed but unknown
		"zz",  // well-formed but unknown
		"und", // undetermined
		"root",
		"a",
		"x-foo", // private use only
		"en-",
		"-en",
		"en--US",
		"e n",
		"english",
		"en_US.UTF-8",
		"12",
		"en-US-" + strings.Repeat("x", 30),
		strings.Repeat("a", 100),
		strings.Repeat("en-", 33) + "en",
		"\x00",
		"é",
	}
	for _, tag := range bad {
		if got, ok := NormalizeLanguage(tag); ok {
			t.Errorf("NormalizeLanguage(%q) = %q, true; want not ok", tag, got)
		}
	}
}

func TestNormalizeLanguageIsIdempotent(t *testing.T) {
	t.Parallel()
	for _, tag := range []string{"es-MX", "EN", "de_AT", "zh-Hant-TW", "iw", "fr"} {
		base, ok := NormalizeLanguage(tag)
		if !ok {
			t.Fatalf("NormalizeLanguage(%q) not ok", tag)
		}
		again, ok := NormalizeLanguage(base)
		if !ok || again != base {
			t.Errorf("NormalizeLanguage(%q) = %q, but NormalizeLanguage(%q) = %q, %v", tag, base, base, again, ok)
		}
		if base != strings.ToLower(base) {
			t.Errorf("NormalizeLanguage(%q) = %q is not lower case", tag, base)
		}
	}
}
