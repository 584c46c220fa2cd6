package idempotency

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"

	"concierge/internal/concierge"
)

// minCredentialLength is the shortest credential cut out of remembered answers: every token
// and key the server issues is far longer, and cutting out a short string could cut content.
const minCredentialLength = 8

// note is what a handler tells the middleware about the answer it writes: the secret it
// issued, and the stay and guest the answer concerns.
type note struct {
	mu         sync.Mutex
	secret     string
	secretKind string
	secretRef  int64
	stayID     *int64
	guestID    *int64
	mixed      bool // the answer concerns more than one stay or guest: it is not remembered
}

type noteKey struct{}

func noteOf(ctx context.Context) *note {
	n, _ := ctx.Value(noteKey{}).(*note)
	return n
}

// IssuedSecret tells the middleware that the answer being written carries secret, newly issued,
// of the given kind (concierge.Secret…) and belonging to object ref: the remembered answer keeps
// a placeholder instead, and a replay asks Options.Reissue for the secret. It does nothing for a
// request without an Idempotency-Key.
func IssuedSecret(ctx context.Context, kind string, ref int64, secret string) {
	if n := noteOf(ctx); n != nil {
		n.mu.Lock()
		n.secret, n.secretKind, n.secretRef = secret, kind, ref
		n.mu.Unlock()
	}
}

// concerns records that the answer concerns owner's stay and non-verified guest, so that
// erasing their data forgets it (the service calls it through concierge.WithOwnerNote). An
// answer that concerns two different stays (or guests) is not remembered at all.
func (n *note) concerns(owner concierge.Owner) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.stayID = n.merge(n.stayID, owner.StayID)
	n.guestID = n.merge(n.guestID, owner.GuestID)
}

// merge keeps one id, noting when a second, different one arrives. n.mu is held.
func (n *note) merge(have, add *int64) *int64 {
	switch {
	case add == nil:
		return have
	case have == nil:
		id := *add
		return &id
	case *have != *add:
		n.mixed = true
	}
	return have
}

// record builds the remembered form of an answer: the issued secret and the caller's
// credentials cut out. ok is false when the answer must not be remembered.
func (n *note) record(scope, key string, status int, contentType string, body []byte, creds []string) (rec concierge.IdempotentRecord, ok bool) {
	rec = concierge.IdempotentRecord{Scope: scope, Key: key, Done: true, Status: status, ContentType: contentType}
	if n != nil {
		n.mu.Lock()
		defer n.mu.Unlock()
		if n.mixed || (n.secretKind != "" && len(n.secret) < minCredentialLength) {
			return rec, false
		}
		if n.secretKind != "" {
			body = bytes.ReplaceAll(body, []byte(n.secret), []byte(concierge.SecretPlaceholder))
			rec.SecretKind, rec.SecretRef = n.secretKind, n.secretRef
		}
		rec.StayID, rec.GuestID = n.stayID, n.guestID
	}
	rec.Body = redactCredentials(body, creds)
	return rec, true
}

// credentials lists the credentials a request presents, in a fixed order: the Authorization
// header's token, then sessionToken and interfaceToken (any case) of a JSON object body, then
// those of the query string. A retry of the same request presents the same list.
func credentials(r *http.Request, body []byte) []string {
	var out []string
	if auth := strings.TrimSpace(r.Header.Get("Authorization")); auth != "" {
		if _, tok, ok := strings.Cut(auth, " "); ok {
			auth = strings.TrimSpace(tok)
		}
		out = append(out, auth)
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) == nil {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			var s string
			if isCredentialName(k) && json.Unmarshal(m[k], &s) == nil {
				out = append(out, strings.TrimSpace(s))
			}
		}
	}
	q := r.URL.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if isCredentialName(k) {
			for _, v := range q[k] {
				out = append(out, strings.TrimSpace(v))
			}
		}
	}
	return out
}

func isCredentialName(k string) bool {
	k = strings.ToLower(k)
	return k == "sessiontoken" || k == "interfacetoken"
}

// credentialPlaceholder stands for the i-th credential of the request in a remembered answer.
func credentialPlaceholder(i int) []byte {
	return []byte("\x00credential" + strconv.Itoa(i) + "\x00")
}

// redactCredentials replaces each credential (long enough to be one) in body by its
// placeholder, longest first so that one holding another is cut out whole.
func redactCredentials(body []byte, creds []string) []byte {
	order := make([]int, len(creds))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return len(creds[order[a]]) > len(creds[order[b]]) })
	for _, i := range order {
		if len(creds[i]) >= minCredentialLength {
			body = bytes.ReplaceAll(body, []byte(creds[i]), credentialPlaceholder(i))
		}
	}
	return body
}

// restoreCredentials puts the retried request's credentials back where their placeholders stand.
func restoreCredentials(body []byte, creds []string) []byte {
	out := body
	for i, c := range creds {
		out = bytes.ReplaceAll(out, credentialPlaceholder(i), []byte(c))
	}
	return out
}
