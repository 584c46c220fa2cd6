package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// Client calls a server's public APIs over HTTP/1.1 keep-alive connections, at most conns of
// them at once.
type Client struct {
	base string
	http *http.Client
}

// NewClient returns a client of the server at base (http://host:port) that keeps up to conns
// connections open.
func NewClient(base string, conns int) *Client { return newClientFrom(base, conns, nil) }

// newClientFrom is NewClient with connections from the local address local (nil: any).
func newClientFrom(base string, conns int, local net.IP) *Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if local != nil {
		dialer.LocalAddr = &net.TCPAddr{IP: local}
	}
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         dialer.DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	return &Client{base: strings.TrimRight(base, "/"), http: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// Close closes the idle connections of the client.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// do sends a request and returns the status and body. body, when not nil, is JSON-encoded
// unless it is already []byte.
func (c *Client) do(ctx context.Context, method, path string, header http.Header, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		raw, ok := body.([]byte)
		if !ok {
			var err error
			if raw, err = json.Marshal(body); err != nil {
				return 0, nil, err
			}
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}

// callError is a failed call with a short kind for the error table.
type callError struct {
	kind string
	msg  string
}

func (e *callError) Error() string { return e.kind + ": " + e.msg }

// kindOf returns the error-table kind of err ("" for nil).
func kindOf(err error) string {
	if err == nil {
		return ""
	}
	var ce *callError
	if errors.As(err, &ce) {
		return ce.kind
	}
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, os.ErrDeadlineExceeded):
		return "timeout"
	}
	return "transport"
}

// guest calls the V40 guest API and checks the envelope: HTTP 200 and status Success. Failures
// are kinds "http_<status>" with the V40 error code when there is one.
func (c *Client) guest(ctx context.Context, method, path string, body any) ([]byte, error) {
	status, raw, err := c.do(ctx, method, path, nil, body)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK || !bytes.Contains(raw, []byte(`"status":"Success"`)) {
		return nil, &callError{kind: fmt.Sprintf("http_%d%s", status, v40Code(raw)), msg: snippet(raw)}
	}
	return raw, nil
}

// staff calls /api/v1 with a bearer token and checks for a 2xx answer.
func (c *Client) staff(ctx context.Context, method, path, token string, body any) ([]byte, error) {
	h := http.Header{"Authorization": {"Bearer " + token}}
	status, raw, err := c.do(ctx, method, path, h, body)
	if err != nil {
		return nil, err
	}
	if status < 200 || status > 299 {
		code := ""
		var e struct {
			Error struct{ Code string } `json:"error"`
		}
		if json.Unmarshal(raw, &e) == nil && e.Error.Code != "" {
			code = "_" + e.Error.Code
		}
		return nil, &callError{kind: fmt.Sprintf("http_%d%s", status, code), msg: snippet(raw)}
	}
	return raw, nil
}

// v40Code returns "_<errorCode>" of a V40 failure envelope, or "".
func v40Code(raw []byte) string {
	var env struct {
		Responses []map[string]struct {
			AreaError string `json:"areaError"`
		} `json:"responses"`
	}
	if json.Unmarshal(raw, &env) != nil {
		return ""
	}
	for _, r := range env.Responses {
		for _, v := range r {
			if v.AreaError != "" {
				return "_" + v.AreaError
			}
		}
	}
	return ""
}

func snippet(raw []byte) string {
	if len(raw) > 200 {
		raw = raw[:200]
	}
	return string(raw)
}

// guestItem returns the content object of the first response item of a V40 envelope.
func guestItem(raw []byte) (json.RawMessage, error) {
	var env struct {
		SessionToken string                                         `json:"sessionToken"`
		Responses    []map[string]struct{ Content json.RawMessage } `json:"responses"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, err
	}
	for _, r := range env.Responses {
		for _, v := range r {
			return v.Content, nil
		}
	}
	return nil, errors.New("no response item")
}
