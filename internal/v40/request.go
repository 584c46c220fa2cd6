package v40

import (
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"

	"concierge/internal/concierge"
	"concierge/internal/wire"
)

// decodeBody reads and decodes a JSON request body into dst (see wire.ReadJSONBody and
// wire.DecodeJSON for the errors).
func decodeBody(w http.ResponseWriter, r *http.Request, dst any) error {
	body, err := wire.ReadJSONBody(w, r)
	if err != nil {
		return err
	}
	return wire.DecodeJSON(body, dst)
}

// query returns the query parameter name, matched case-insensitively (SPEC §3.2).
func query(r *http.Request, name string) (string, bool) {
	for k, vs := range r.URL.Query() {
		if strings.EqualFold(k, name) && len(vs) > 0 {
			return vs[0], true
		}
	}
	return "", false
}

// sessionToken returns the token of a call: the `Authorization: Session <token>` header when
// sent, otherwise the one from the body (POST) or query string (GET), given as fallback.
func sessionToken(r *http.Request, fallback string) string {
	if auth := r.Header.Get("Authorization"); auth != "" {
		scheme, tok, ok := strings.Cut(strings.TrimSpace(auth), " ")
		if ok && strings.EqualFold(scheme, "Session") {
			return strings.TrimSpace(tok)
		}
	}
	return strings.TrimSpace(fallback)
}

// authenticate resolves the session of a call and applies the per-session rate limit.
func (h *Handler) authenticate(r *http.Request, token string) (*concierge.GuestSession, error) {
	gs, err := h.svc.Authenticate(r.Context(), token)
	if err != nil {
		return nil, err
	}
	if err := allow(h.opts.PerSession, "s"+strconv.FormatInt(gs.Session.ID, 10)); err != nil {
		return gs, err
	}
	return gs, nil
}

// allow applies a limiter, answering RateLimited when it refuses.
func allow(l Limiter, key string) error {
	if l == nil {
		return nil
	}
	if ok, wait := l.Allow(key); !ok {
		return &concierge.Error{Code: concierge.CodeRateLimited, RetryAfter: wait,
			Message: "Too many requests; try again later."}
	}
	return nil
}

// interfaceTokenKey is the rate-limit key of an interface token: a hash, never the secret.
func interfaceTokenKey(secret string) string {
	return "i" + hex.EncodeToString(concierge.HashSecret(secret)[:12])
}
