package concierge

import (
	"strings"

	"golang.org/x/text/language"
)

// NormalizeLanguage validates a BCP 47 tag and returns the base language Concierge serves it as,
// lower-case ("es-MX" → "es", "EN" → "en"). ok is false for a malformed or unknown tag.
func NormalizeLanguage(tag string) (string, bool) {
	tag = strings.TrimSpace(tag)
	if tag == "" || len(tag) > 35 {
		return "", false
	}
	t, err := language.Parse(tag)
	if err != nil {
		return "", false
	}
	base, conf := t.Base()
	if conf != language.Exact || base.String() == "und" {
		return "", false
	}
	return base.String(), true
}
