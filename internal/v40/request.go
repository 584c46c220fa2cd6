package v40

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"

	"concierge/api"
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

// sessionToken returns the session token of a call, wherever the client put it. One
// precedence holds on every method: the `Authorization: Session <token>` header, then the
// body's SessionToken (given as bodyToken; "" when the body has none), then the query
// string's SessionToken. V40 clients differ: most send it in the body on POST and in the query
// on GET, some in the query string on every method.
func sessionToken(r *http.Request, bodyToken string) string {
	if tok, ok := headerToken(r); ok {
		return tok
	}
	if tok := strings.TrimSpace(bodyToken); tok != "" {
		return tok
	}
	tok, _ := query(r, "SessionToken")
	return strings.TrimSpace(tok)
}

// headerToken returns the token of an `Authorization: Session <token>` header.
func headerToken(r *http.Request) (string, bool) {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return "", false
	}
	scheme, tok, ok := strings.Cut(strings.TrimSpace(auth), " ")
	if !ok || !strings.EqualFold(scheme, "Session") {
		return "", false
	}
	return strings.TrimSpace(tok), true
}

// params are the fields of a GET call. ASP.NET, which V40 servers run on, binds a field from
// the query string and from a JSON body alike, and some clients send a JSON body even on GET:
// a field in the body wins over the same field in the query string (as the token does).
type params struct {
	r    *http.Request
	body map[string]json.RawMessage // keys lower-cased; nil without a body
}

// readParams reads the optional JSON body of a GET call (see wire.ReadJSONBody for its
// errors; MalformedRequest when it is not one JSON object). A call without a body has only
// its query string.
func readParams(w http.ResponseWriter, r *http.Request) (params, error) {
	p := params{r: r}
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return p, nil
	}
	body, err := wire.ReadJSONBody(w, r)
	if err != nil {
		return p, err
	}
	var fields map[string]json.RawMessage
	if err := wire.DecodeJSON(body, &fields); err != nil {
		return p, err
	}
	for k, v := range fields {
		if p.body == nil {
			p.body = make(map[string]json.RawMessage, len(fields))
		}
		p.body[strings.ToLower(k)] = v
	}
	return p, nil
}

// get returns the field name (matched case-insensitively) from the body, else from the query
// string. A JSON string in the body counts as its text, a number or boolean as its literal
// (`"pageNumber": 2` is PageNumber=2), null as absent; an object or array stays as JSON, so
// that the field's own check refuses it.
func (p params) get(name string) (string, bool) {
	if raw, ok := p.body[strings.ToLower(name)]; ok {
		raw = bytes.TrimSpace(raw)
		switch {
		case bytes.Equal(raw, []byte("null")):
		case len(raw) > 0 && raw[0] == '"':
			var s string
			if json.Unmarshal(raw, &s) == nil {
				return s, true
			}
		default:
			return string(raw), true
		}
	}
	return query(p.r, name)
}

// token returns the call's session token (see sessionToken for the precedence).
func (p params) token() string {
	tok := p.body["sessiontoken"]
	var s string
	if len(tok) > 0 && json.Unmarshal(tok, &s) != nil {
		s = ""
	}
	return sessionToken(p.r, s)
}

// sentToken is the token a call sent as far as it can be known without its body: for the
// answer to a call that failed before its body was read.
func sentToken(r *http.Request) string {
	return sessionToken(r, "")
}

// authenticate resolves the session of a call and applies the per-session rate limit.
func (h *Handler) authenticate(r *http.Request, token string) (*concierge.GuestSession, error) {
	gs, err := h.svc.Authenticate(r.Context(), token)
	if err != nil {
		return nil, err
	}
	if err := allow(r.Context(), h.opts.PerSession, "s"+strconv.FormatInt(gs.Session.ID, 10)); err != nil {
		return gs, err
	}
	return gs, nil
}

// allow applies a limiter, answering RateLimited when it refuses.
func allow(ctx context.Context, l Limiter, key string) error {
	if l == nil {
		return nil
	}
	if ok, wait := l.Allow(ctx, key); !ok {
		return &concierge.Error{Code: concierge.CodeRateLimited, RetryAfter: wait,
			Message: "Too many requests; try again later."}
	}
	return nil
}

// interfaceTokenKey is the rate-limit key of an interface token: a hash, never the secret.
func interfaceTokenKey(secret string) string {
	return "i" + hex.EncodeToString(concierge.HashSecret(secret)[:12])
}

// callToken is the token a call sent, for middleware that answers before the handler ran: the
// header's, else the JSON body's (read up to wire.MaxBodyBytes and put back for the handler),
// else the query string's.
func callToken(r *http.Request) string {
	if tok, ok := headerToken(r); ok {
		return tok
	}
	var fromBody string
	if r.Body != nil && r.Body != http.NoBody {
		body, err := io.ReadAll(io.LimitReader(r.Body, wire.MaxBodyBytes+1))
		r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
		if err == nil && len(body) <= wire.MaxBodyBytes {
			var req api.GuestTokenRequest
			if wire.DecodeJSON(body, &req) == nil {
				fromBody = req.SessionToken
			}
		}
	}
	return sessionToken(r, fromBody)
}
