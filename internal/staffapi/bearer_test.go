package staffapi

import (
	"errors"
	"strings"
	"testing"

	"concierge/internal/concierge"
)

func TestBearerToken(t *testing.T) {
	t.Parallel()
	const tok = "cst_AbC-_012"
	for _, header := range []string{
		"Bearer " + tok,
		"bearer " + tok,
		"BEARER " + tok,
		"Bearer    " + tok + "  ",
		"  Bearer " + tok,
		"\tBearer " + tok + "\t",
	} {
		got, err := bearerToken(header)
		if err != nil || got != tok {
			t.Errorf("bearerToken(%q) = %q, %v", header, got, err)
		}
	}
	for _, header := range []string{
		"",
		"   ",
		"Bearer",
		"Bearer ",
		"Bearer    ",
		tok,
		"Basic " + tok,
		"Session " + tok,
		"Bearer: " + tok,
		"Bearer\t" + tok,
		"Bearer " + tok + " extra",
		"Bearer " + tok + "\x00",
		"Bearer tök",
		"Bearer " + strings.Repeat("A", maxBearerLength+1),
	} {
		got, err := bearerToken(header)
		var e *concierge.Error
		if !errors.As(err, &e) || e.Code != concierge.CodeAuthenticationFailed || e.Message == "" {
			t.Errorf("bearerToken(%q) = %q, %v; want AuthenticationFailed", header, got, err)
		}
		if strings.Contains(e.Message, tok) {
			t.Errorf("bearerToken(%q): the message repeats the token: %q", header, e.Message)
		}
	}
}

// FuzzBearerToken checks that bearerToken never panics, fails only with AuthenticationFailed,
// and returns only a token that the header carries after the Bearer scheme, without spaces or
// control characters and within the length bound.
func FuzzBearerToken(f *testing.F) {
	for _, seed := range []string{"", "Bearer x", "bearer  cst_abc ", "Basic x", "Bearer", "Bearer \x7f", "Bearer é",
		"Bearer a b", "\tBearer a\t"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		tok, err := bearerToken(header)
		if err != nil {
			var e *concierge.Error
			if !errors.As(err, &e) || e.Code != concierge.CodeAuthenticationFailed {
				t.Fatalf("bearerToken(%q) error %v", header, err)
			}
			if tok != "" {
				t.Fatalf("bearerToken(%q) failed with a token %q", header, tok)
			}
			return
		}
		if tok == "" || len(tok) > maxBearerLength || strings.IndexFunc(tok, notTokenRune) >= 0 {
			t.Fatalf("bearerToken(%q) = %q", header, tok)
		}
		trimmed := strings.Trim(header, " \t")
		if len(trimmed) < 7 || !strings.EqualFold(trimmed[:7], "Bearer ") || !strings.HasSuffix(trimmed, tok) ||
			strings.TrimLeft(trimmed[7:], " ") != tok {
			t.Fatalf("bearerToken(%q) = %q, which is not what follows the scheme", header, tok)
		}
	})
}
