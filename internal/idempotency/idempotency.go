// Package idempotency makes writes safe to retry (SPEC §10): a write sent with an
// Idempotency-Key header is carried out once; a retry with the same key and the same request
// gets the first answer again, and the same key with a different request is refused with
// IdempotencyKeyReused. Concurrent duplicates are serialised in the process and, across nodes,
// through the store's reservation, so the write happens once.
//
// No secret is remembered: the caller's own credential, echoed in an answer, is cut out and put
// back from the retried request; a secret the answer issued (IssuedSecret) is cut out and, on a
// replay, asked again of Options.Reissue. An answer names the stay or guest it concerns
// (the service tells it through concierge.WithOwnerNote) so that erasing their data forgets it.
package idempotency

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"concierge/internal/clientaddr"
	"concierge/internal/concierge"
	"concierge/internal/wire"
)

// Header is the request header that carries the key.
const Header = "Idempotency-Key"

// MaxKeyLength bounds the keys accepted.
const MaxKeyLength = 255

// Options configures the middleware. Store and WriteError are required.
type Options struct {
	Store  concierge.IdempotencyStore
	Logger *slog.Logger
	Now    func() time.Time
	// WriteError answers an error in the caller's API's format.
	WriteError func(w http.ResponseWriter, r *http.Request, err error)
	// Wait is how long a duplicate waits for the first request to finish (default 10 s).
	Wait time.Duration
	// Abandoned is the age after which an unfinished reservation (its node crashed) is taken
	// over (default 2 min).
	Abandoned time.Duration
	// Reissue gives, for a replay, the secret of the given kind (concierge.Secret…) belonging
	// to object ref that the first answer issued, or the error to answer instead. Without it,
	// such replays answer IdempotencyKeyReused.
	Reissue func(ctx context.Context, kind string, ref int64) (string, error)
}

// Middleware returns next wrapped so that POST, PUT, PATCH and DELETE requests carrying an
// Idempotency-Key are carried out at most once per key and caller.
func Middleware(next http.Handler, opts Options) http.Handler {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Wait <= 0 {
		opts.Wait = 10 * time.Second
	}
	if opts.Abandoned <= 0 {
		opts.Abandoned = 2 * time.Minute
	}
	m := &middleware{next: next, opts: opts, locks: map[string]*keyLock{}}
	return m
}

type middleware struct {
	next  http.Handler
	opts  Options
	mu    sync.Mutex
	locks map[string]*keyLock
}

type keyLock struct {
	mu   sync.Mutex
	refs int
}

// lock serialises requests with the same scope and key inside this process.
func (m *middleware) lock(id string) func() {
	m.mu.Lock()
	l := m.locks[id]
	if l == nil {
		l = &keyLock{}
		m.locks[id] = l
	}
	l.refs++
	m.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		m.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(m.locks, id)
		}
		m.mu.Unlock()
	}
}

func isWrite(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

// ValidKey reports whether k is an acceptable key: 1 to 255 printable ASCII characters.
func ValidKey(k string) bool {
	if k == "" || len(k) > MaxKeyLength {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

func (m *middleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get(Header)
	if !isWrite(r.Method) || key == "" {
		m.next.ServeHTTP(w, r)
		return
	}
	if !ValidKey(key) {
		m.opts.WriteError(w, r, &concierge.Error{Code: concierge.CodeValidationFailed,
			Message: "The Idempotency-Key header must be 1 to 255 printable ASCII characters.",
			Fields:  []concierge.FieldError{{Field: Header, Message: "must be 1 to 255 printable ASCII characters"}}})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, wire.MaxBodyBytes+1))
	if err != nil {
		m.opts.WriteError(w, r, concierge.Errorf(concierge.CodeMalformedRequest, "The request body could not be read."))
		return
	}
	if len(body) > wire.MaxBodyBytes { // too large: let the handler refuse it, remember nothing
		r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
		m.next.ServeHTTP(w, r)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	scope := Scope(r, body)
	n := &note{}
	r = r.WithContext(concierge.WithOwnerNote(context.WithValue(r.Context(), noteKey{}, n), n.concerns))
	unlock := m.lock(scope + "\x00" + key)
	defer unlock()

	rec := concierge.IdempotentRecord{Scope: scope, Key: key, RequestHash: requestHash(r, body), CreatedAt: m.opts.Now()}
	ctx := r.Context()
	deadline := time.Now().Add(m.opts.Wait)
	for {
		existing, inserted, err := m.opts.Store.ReserveIdempotencyKey(ctx, rec)
		switch {
		case err != nil:
			m.opts.Logger.ErrorContext(ctx, "idempotency reserve", "err", err)
			m.opts.WriteError(w, r, err)
			return
		case inserted:
			m.execute(w, r, body, scope, key)
			return
		case !bytes.Equal(existing.RequestHash, rec.RequestHash):
			m.opts.WriteError(w, r, concierge.Errorf(concierge.CodeIdempotencyKeyReused,
				"This Idempotency-Key was already used for a different request."))
			return
		case existing.Done:
			m.replay(w, r, body, existing)
			return
		case m.opts.Now().Sub(existing.CreatedAt) > m.opts.Abandoned:
			// The node that reserved it died before answering: take the key over.
			if err := m.opts.Store.ReleaseIdempotencyKey(ctx, scope, key); err != nil {
				m.opts.WriteError(w, r, err)
				return
			}
		case time.Now().After(deadline):
			m.opts.WriteError(w, r, concierge.Errorf(concierge.CodeIdempotencyKeyReused,
				"A request with this Idempotency-Key is still being processed; retry later."))
			return
		default: // another node is answering it: wait for its answer
			select {
			case <-ctx.Done():
				return
			case <-time.After(25 * time.Millisecond):
			}
		}
	}
}

// execute runs the request, remembers its answer (unless it is a server error or a rate limit,
// which a retry should redo) without the secrets in it, and sends it.
func (m *middleware) execute(w http.ResponseWriter, r *http.Request, body []byte, scope, key string) {
	buf := &recorder{header: http.Header{}}
	m.next.ServeHTTP(buf, r)
	if buf.status == 0 {
		buf.status = http.StatusOK
	}
	// The answer is stored even when the client has gone: its retry must find it.
	ctx := context.WithoutCancel(r.Context())
	n := noteOf(r.Context())
	rec, ok := n.record(scope, key, buf.status, rememberedHeaders(buf.header), buf.body.Bytes(), credentials(r, body))
	if !ok || buf.status >= 500 || buf.status == http.StatusTooManyRequests {
		if err := m.opts.Store.ReleaseIdempotencyKey(ctx, scope, key); err != nil {
			m.opts.Logger.ErrorContext(ctx, "idempotency release", "err", err)
		}
	} else if err := m.opts.Store.CompleteIdempotencyKey(ctx, rec); err != nil {
		m.opts.Logger.ErrorContext(ctx, "idempotency complete", "err", err)
	}
	for k, vs := range buf.header {
		w.Header()[k] = vs
	}
	w.WriteHeader(buf.status)
	_, _ = w.Write(buf.body.Bytes())
}

// rememberedHeaders is what the store keeps of an answer's headers, in its content-type field:
// the Content-Type, then one "Name: value" line for each of ETag and Location (what a client of
// a create or an update acts on) that the answer has. A record written before these were kept
// holds the Content-Type alone.
func rememberedHeaders(h http.Header) string {
	out := h.Get("Content-Type")
	for _, name := range [...]string{"ETag", "Location"} {
		if v := h.Get(name); v != "" {
			out += "\n" + name + ": " + v
		}
	}
	return out
}

// replay sends a remembered answer again, with the caller's credentials put back from the
// retried request and the issued secret, if any, asked again of Options.Reissue.
func (m *middleware) replay(w http.ResponseWriter, r *http.Request, body []byte, rec concierge.IdempotentRecord) {
	out := restoreCredentials(rec.Body, credentials(r, body))
	if rec.SecretKind != "" {
		var secret string
		var err error = concierge.Errorf(concierge.CodeIdempotencyKeyReused, "This request was carried out, but its answer "+
			"held a secret, which is not kept; it cannot be answered again.")
		if m.opts.Reissue != nil {
			secret, err = m.opts.Reissue(r.Context(), rec.SecretKind, rec.SecretRef)
		}
		if err != nil {
			m.opts.WriteError(w, r, err)
			return
		}
		out = bytes.ReplaceAll(out, []byte(concierge.SecretPlaceholder), []byte(secret))
	}
	ct, rest, _ := strings.Cut(rec.ContentType, "\n")
	if ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	for line := range strings.SplitSeq(rest, "\n") {
		if name, value, ok := strings.Cut(line, ": "); ok {
			w.Header().Set(name, value)
		}
	}
	w.Header().Set("Idempotent-Replayed", "true")
	w.WriteHeader(rec.Status)
	_, _ = w.Write(out)
}

// recorder buffers a handler's answer.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *recorder) Header() http.Header { return b.header }

func (b *recorder) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *recorder) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// requestHash identifies a request: method, path (case-folded, as routes are), query and body.
func requestHash(r *http.Request, body []byte) []byte {
	h := sha256.New()
	h.Write([]byte(r.Method + "\n" + strings.ToLower(r.URL.Path) + "\n" + r.URL.RawQuery + "\n"))
	h.Write(body)
	return h.Sum(nil)
}

// Scope names the caller of a request without storing its secret: a hash of its credential
// (the Authorization header, else a session or interface token in the JSON body, else a
// SessionToken in the query string), or of its address when it sends none. Keys of different
// callers never collide.
func Scope(r *http.Request, body []byte) string {
	cred := r.Header.Get("Authorization")
	if cred == "" {
		cred = bodyCredential(body)
	}
	if cred == "" {
		cred = queryCredential(r)
	}
	if cred == "" {
		cred = "addr:" + clientaddr.Of(r) // behind a trusted proxy, the forwarded client
	}
	sum := sha256.Sum256([]byte(cred))
	return hex.EncodeToString(sum[:16])
}

// queryCredential finds SessionToken (any case) in the query string, where some guest apps
// send it on every method.
func queryCredential(r *http.Request) string {
	for k, vs := range r.URL.Query() {
		if strings.EqualFold(k, "sessiontoken") && len(vs) > 0 && vs[0] != "" {
			return "sessiontoken:" + vs[0]
		}
	}
	return ""
}

// bodyCredential finds sessionToken or interfaceToken (any case) in a JSON object body.
func bodyCredential(body []byte) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return ""
	}
	var found string
	for k, v := range m {
		lk := strings.ToLower(k)
		if lk != "sessiontoken" && lk != "interfacetoken" {
			continue
		}
		var s string
		if json.Unmarshal(v, &s) == nil && s != "" && (found == "" || lk == "sessiontoken") {
			found = lk + ":" + s
		}
	}
	return found
}

// Prune forgets keys older than keep, every interval, until ctx ends.
func Prune(ctx context.Context, store concierge.IdempotencyStore, keep, interval time.Duration, now func() time.Time, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := store.PruneIdempotencyKeys(ctx, now().Add(-keep))
		if err != nil && !errors.Is(err, context.Canceled) {
			logger.ErrorContext(ctx, "pruning idempotency keys", "err", err)
		} else if n > 0 {
			logger.InfoContext(ctx, "pruned idempotency keys", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
