package staffapi

import (
	"strings"

	"concierge/internal/concierge"
)

// maxBearerLength bounds the token of an Authorization header; every token Concierge issues
// is far shorter.
const maxBearerLength = 512

// bearerToken returns the token of an `Authorization: Bearer <token>` header value (scheme
// case-insensitive, RFC 6750). Errors: AuthenticationFailed when the header is empty, uses
// another scheme, or carries no token or one with spaces or control characters.
func bearerToken(header string) (string, error) {
	header = strings.Trim(header, " \t")
	if header == "" {
		return "", concierge.Errorf(concierge.CodeAuthenticationFailed,
			"A bearer token is required (Authorization: Bearer <token>).")
	}
	scheme, rest, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", concierge.Errorf(concierge.CodeAuthenticationFailed,
			"The Authorization header must use the Bearer scheme (Authorization: Bearer <token>).")
	}
	token := strings.TrimLeft(rest, " ")
	if token == "" || len(token) > maxBearerLength || strings.IndexFunc(token, notTokenRune) >= 0 {
		return "", concierge.Errorf(concierge.CodeAuthenticationFailed, "The bearer token is not valid.")
	}
	return token, nil
}

// notTokenRune reports whether r cannot appear in a token: anything but printable ASCII
// other than a space.
func notTokenRune(r rune) bool { return r <= ' ' || r > '~' }
