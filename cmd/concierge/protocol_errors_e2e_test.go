package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// rawExchange sends raw bytes on a new TCP connection to the server and reads the answer
// until the server closes the connection.
func rawExchange(t *testing.T, s *server, request string) (*http.Response, []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second)) // ends a hung run only
	// The server may answer (and close) before it has read everything: the write's error is
	// of no interest, the answer is.
	go func() { _, _ = io.WriteString(conn, request) }()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no HTTP answer to %.60q: %v", request, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the answer to %.60q: %v", request, err)
	}
	return resp, body
}

// TestProtocolErrorsAnswerInTheAPIShape: requests net/http cannot read — a bad request line,
// a missing Host, headers over the limit — are answered with the API's JSON error (the staff
// API's shape under /api/v1/, the guest envelope elsewhere), not net/http's plain text, and
// the connection is closed; the server goes on serving.
func TestProtocolErrorsAnswerInTheAPIShape(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	huge := strings.Repeat("a", 40<<10) // over the server's MaxHeaderBytes (32 KiB, and net/http's 4 KiB slack)
	cases := []struct {
		name, request string
		status        int
		staff         bool
		code          string
	}{
		{"bad request line", "GARBAGE\r\n\r\n", 400, false, "MalformedRequest"},
		{"bad request line under /api/v1/", "GET /api/v1/me HTTP/9z\r\nHost: x\r\n\r\n", 400, true, "MalformedRequest"},
		{"no Host", "GET /api/v1/me HTTP/1.1\r\n\r\n", 400, true, "MalformedRequest"},
		{"bad header", "GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", 400, false, "MalformedRequest"},
		{"headers too large", "GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Big: " + huge + "\r\n\r\n", 431, true, "HeadersTooLarge"},
		{"guest headers too large", "POST " + pathInit + " HTTP/1.1\r\nHost: x\r\nX-Big: " + huge + "\r\n\r\n", 431, false, "HeadersTooLarge"},
	}
	for _, c := range cases {
		resp, body := rawExchange(t, s, c.request)
		if resp.StatusCode != c.status {
			t.Errorf("%s: HTTP %d, want %d: %s", c.name, resp.StatusCode, c.status, body)
			continue
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("%s: Content-Type %q: %s", c.name, ct, body)
		}
		if !resp.Close {
			t.Errorf("%s: the answer does not close the connection", c.name)
		}
		var v map[string]any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Errorf("%s: answer is not JSON: %v: %s", c.name, err, body)
			continue
		}
		r := response{Status: resp.StatusCode, Header: resp.Header, Raw: body, Body: v}
		if c.staff {
			r.wantStaffError(t, c.status, c.code)
		} else {
			r.wantFailure(t, c.status, "responseStatus", c.code)
		}
	}
	// The server still answers ordinary requests, on a connection of their own.
	s.get(t, "/healthz")
	s.do(t, http.MethodGet, pathMe, nil, nil).wantStaffError(t, http.StatusUnauthorized, "AuthenticationFailed")
}
