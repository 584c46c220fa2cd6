// Package translate turns message text from one language into another through a pluggable
// provider (SPEC §7): none, an Apertium APy server, or a LibreTranslate server. It also holds
// the glossary masking applied around providers and the Worker that runs the translation
// queue kept in the store.
package translate

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/text/language"
)

// ErrUnsupported is returned (wrapped) by Translate when the provider lacks the language pair:
// retrying cannot help.
var ErrUnsupported = errors.New("translate: language pair not supported")

// Pair is a language pair a provider translates, as BCP 47 base languages ("es" → "en").
type Pair struct {
	From string
	To   string
}

// String returns "from→to".
func (p Pair) String() string { return p.From + "→" + p.To }

// Translator translates text. Implementations are safe for concurrent use.
type Translator interface {
	// Translate returns text translated from the language from to the language to (BCP 47).
	// It returns an error wrapping ErrUnsupported when the provider lacks the pair, any other
	// error when the provider failed (unreachable, slow, refusing): those may succeed later.
	Translate(ctx context.Context, text, from, to string) (string, error)
	// Pairs lists the language pairs the provider translates now; an error when it cannot
	// be asked.
	Pairs(ctx context.Context) ([]Pair, error)
}

// Options configure a provider client.
type Options struct {
	// URL is the provider's base address (e.g. http://127.0.0.1:2737); required except for none.
	URL string
	// APIKey is sent to LibreTranslate servers that want one ("" for none).
	APIKey string
	// Client makes the HTTP requests; nil: a client with a 30 s timeout.
	Client *http.Client
	// PairsTTL is how long a provider's list of pairs is trusted before it is asked again.
	// Default 5 minutes.
	PairsTTL time.Duration
	// Now tells the time; nil: time.Now.
	Now func() time.Time
}

// New returns the translator named provider: "none" (or ""), "apertium" or "libretranslate".
// It errors for an unknown provider name or a missing or malformed URL.
func New(provider string, opts Options) (Translator, error) {
	switch strings.ToLower(strings.TrimSpace(provider)) {
	case "", "none":
		return None{}, nil
	case "apertium":
		return NewApertium(opts)
	case "libretranslate":
		return NewLibreTranslate(opts)
	}
	return nil, fmt.Errorf("translate: unknown provider %q (want none, apertium or libretranslate)", provider)
}

// None translates nothing: every pair is unsupported.
type None struct{}

// Translate always returns ErrUnsupported.
func (None) Translate(_ context.Context, _, from, to string) (string, error) {
	return "", fmt.Errorf("%w: no translator is configured (%s→%s)", ErrUnsupported, from, to)
}

// Pairs returns no pair.
func (None) Pairs(context.Context) ([]Pair, error) { return nil, nil }

// baseLanguage returns the BCP 47 base language of a provider's language code (ISO 639-1,
// 639-2/3 like "spa", with an optional variant such as "eng_US" or "zh-Hant"), and whether the
// code is a plain language (no variant). ok is false for a code that names no language.
func baseLanguage(code string) (base string, plain, ok bool) {
	code = strings.TrimSpace(code)
	head, _, hasVariant := strings.Cut(strings.ReplaceAll(code, "-", "_"), "_")
	if head == "" || len(head) > 8 {
		return "", false, false
	}
	b, err := language.ParseBase(head)
	if err != nil || b.String() == "und" {
		return "", false, false
	}
	return b.String(), !hasVariant, true
}

// httpClient returns o.Client or a default client.
func (o Options) httpClient() *http.Client {
	if o.Client != nil {
		return o.Client
	}
	return &http.Client{Timeout: 30 * time.Second}
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o Options) pairsTTL() time.Duration {
	if o.PairsTTL > 0 {
		return o.PairsTTL
	}
	return 5 * time.Minute
}
