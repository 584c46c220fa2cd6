package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Option configures a Guest or Staff client.
type Option func(*transport)

// WithHTTPClient sends the calls through hc (default: a client with a 30 s timeout for calls;
// event streams use hc without its timeout).
func WithHTTPClient(hc *http.Client) Option { return func(t *transport) { t.http = hc } }

// WithRetries sets how many times a call is tried again after a transport error, a 429 or a
// 502/503/504 (default 2; 0 tries once). Writes are retried with the same Idempotency-Key.
func WithRetries(n int) Option { return func(t *transport) { t.retries = max(n, 0) } }

// WithMaxWait caps the wait between two tries, whatever Retry-After asks (default 5 s).
func WithMaxWait(d time.Duration) Option { return func(t *transport) { t.maxWait = d } }

// WithStrictDecoding makes a successful answer with a field the client does not know an
// error, so that a test notices when the server's shapes drift from package api.
func WithStrictDecoding() Option { return func(t *transport) { t.strict = true } }

// WithHeader adds a header to every call.
func WithHeader(name, value string) Option {
	return func(t *transport) { t.header.Add(name, value) }
}

// transport sends calls to one server and retries them.
type transport struct {
	base    string // scheme://host[:port], no trailing slash
	http    *http.Client
	retries int
	maxWait time.Duration
	strict  bool
	header  http.Header
}

func newTransport(baseURL string, opts []Option) *transport {
	t := &transport{
		base:    strings.TrimRight(baseURL, "/"),
		http:    &http.Client{Timeout: 30 * time.Second},
		retries: 2,
		maxWait: 5 * time.Second,
		header:  http.Header{},
	}
	for _, o := range opts {
		o(t)
	}
	return t
}

// request is one call before it is sent.
type request struct {
	method         string
	path           string     // escaped path, from the root
	query          url.Values // may be nil
	header         http.Header
	body           any    // JSON-encoded when not nil and raw is nil
	raw            []byte // a body sent as it is, with contentType
	contentType    string
	idempotencyKey string // for writes; generated when empty
	// noKey sends a write without an Idempotency-Key: a login, whose replay could not give
	// the secret token again (the server answers IdempotencyKeyReused), is simply made anew.
	noKey bool
}

// response is an answer read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

// NewIdempotencyKey returns a random key for a write's Idempotency-Key header.
func NewIdempotencyKey() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// do sends req, retrying as WithRetries says, and returns the last answer. It fails only when
// no answer came (the context ended, or every try failed in transport).
func (t *transport) do(ctx context.Context, req request) (*response, error) {
	var payload []byte
	contentType := req.contentType
	switch {
	case req.raw != nil:
		payload = req.raw
	case req.body != nil:
		b, err := json.Marshal(req.body)
		if err != nil {
			return nil, fmt.Errorf("concierge: encoding the request: %w", err)
		}
		payload, contentType = b, "application/json"
	}
	write := req.method != http.MethodGet && req.method != http.MethodHead
	key := req.idempotencyKey
	if write && key == "" && !req.noKey {
		key = NewIdempotencyKey()
	}
	u := t.base + req.path
	if len(req.query) > 0 {
		u += "?" + req.query.Encode()
	}
	var lastErr error
	for attempt := 0; ; attempt++ {
		hr, err := http.NewRequestWithContext(ctx, req.method, u, bytes.NewReader(payload))
		if err != nil {
			return nil, fmt.Errorf("concierge: %w", err)
		}
		if payload == nil {
			hr.Body = nil
		}
		for k, vs := range t.header {
			hr.Header[k] = append([]string(nil), vs...)
		}
		for k, vs := range req.header {
			hr.Header[k] = append([]string(nil), vs...)
		}
		hr.Header.Set("Accept", "application/json")
		if contentType != "" {
			hr.Header.Set("Content-Type", contentType)
		}
		if key != "" {
			hr.Header.Set("Idempotency-Key", key)
		}
		resp, err := t.http.Do(hr)
		var wait time.Duration
		if err != nil {
			lastErr = err
			wait = backoff(attempt)
		} else {
			body, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if rerr != nil {
				lastErr = rerr
				wait = backoff(attempt)
			} else {
				out := &response{status: resp.StatusCode, header: resp.Header, body: body}
				if !retryable(resp.StatusCode) || attempt >= t.retries {
					return out, nil
				}
				wait = retryAfter(resp.Header)
				if wait == 0 {
					wait = backoff(attempt)
				}
				lastErr = nil
			}
		}
		if attempt >= t.retries {
			return nil, fmt.Errorf("concierge: %s %s: %w", req.method, req.path, lastErr)
		}
		if err := sleep(ctx, min(wait, t.maxWait)); err != nil {
			if lastErr == nil {
				lastErr = err
			}
			return nil, fmt.Errorf("concierge: %s %s: %w", req.method, req.path, errors.Join(lastErr, err))
		}
	}
}

// retryable reports whether an answer with this status may be tried again: the server did not
// take the call (429) or a proxy or the server was briefly unable to (502, 503, 504).
func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusBadGateway ||
		status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
}

// retryAfter reads a Retry-After of seconds; zero when absent or not a number.
func retryAfter(h http.Header) time.Duration {
	s, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After")))
	if err != nil || s < 0 {
		return 0
	}
	return time.Duration(s) * time.Second
}

// backoff is the wait before try attempt+2: 100 ms doubling.
func backoff(attempt int) time.Duration {
	return 100 * time.Millisecond << min(attempt, 6)
}

func sleep(ctx context.Context, d time.Duration) error {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}

// decode unmarshals an answer's JSON into dst, refusing unknown fields when strict.
func (t *transport) decode(b []byte, dst any) error {
	if dst == nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if t.strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("concierge: decoding the answer: %w", err)
	}
	return nil
}

// snippet is the start of a body that is not in the API's shape, for an error message.
func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
