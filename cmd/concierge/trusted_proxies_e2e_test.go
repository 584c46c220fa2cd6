package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"concierge/client"
)

// Behind a reverse proxy (--trusted-proxies): the client address comes from Forwarded or
// X-Forwarded-For only when the peer is a trusted proxy; it keys the per-address rate limit,
// the request log and the audit log.

// send makes one request with c (body, when not nil, as JSON) and returns the answer; its Body
// is decoded when the answer is a JSON object (a proxy's own error pages are not).
func send(t testing.TB, c *http.Client, method, url string, body any, header map[string]string) response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := response{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	_ = json.Unmarshal(raw, &r.Body)
	return r
}

// requestClients counts the server's request log lines for path by client, as "remote via
// proxy" ("remote via " when no proxy forwarded the request).
func requestClients(s *server, path string) map[string]int {
	n := map[string]int{}
	for _, line := range strings.Split(s.Stderr.String(), "\n") {
		var l struct{ Msg, Path, Remote, Proxy string }
		if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "request" && l.Path == path {
			n[l.Remote+" via "+l.Proxy]++
		}
	}
	return n
}

// TestTrustedProxiesRateLimit: a forged X-Forwarded-For from a peer that is not a trusted proxy
// is ignored (the peer is limited by its own address however many addresses it claims); from
// the trusted proxy each forwarded client has its own limit, and the proxy's own address is
// not charged for them.
func TestTrustedProxiesRateLimit(t *testing.T) {
	t.Parallel()
	// The clock stands still, so no bucket refills during the test.
	s := startServer(t, serverOptions{args: []string{"--trusted-proxies", "127.0.0.2/32",
		"--rate-address", "1", "--rate-address-burst", "3"}})
	const path = "/api/v1/me" // 401 without a login, 429 once limited
	// status asks for the caller's identity from the local address ip, sending the header
	// (when not empty), and returns the answer's HTTP status.
	status := func(ip, header, value string) int {
		t.Helper()
		var opts []client.Option
		if value != "" {
			opts = append(opts, client.WithHeader(header, value))
		}
		c := s.staffAPIFrom(t, ip, opts...)
		if _, err := c.Me(t.Context()); err == nil {
			t.Fatalf("%s from %s (%s %q) succeeded without a login", path, ip, header, value)
		}
		return c.last(t).Status
	}
	const direct, proxy = "127.0.0.1", "127.0.0.2"

	forged := []string{"203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4", "198.51.100.1, 203.0.113.5"}
	for i, xff := range forged {
		want := http.StatusUnauthorized
		if i >= 3 {
			want = http.StatusTooManyRequests
		}
		if got := status(direct, "X-Forwarded-For", xff); got != want {
			t.Fatalf("untrusted peer, request %d claiming %q: HTTP %d, want %d", i+1, xff, got, want)
		}
	}

	// Through the trusted proxy: 203.0.113.10 and 203.0.113.11 each get their burst of 3.
	for _, fwd := range []string{"203.0.113.10", "203.0.113.11"} {
		for i := range 4 {
			want := http.StatusUnauthorized
			if i == 3 {
				want = http.StatusTooManyRequests
			}
			// A forged entry left of what the proxy appended changes nothing.
			if got := status(proxy, "X-Forwarded-For", "10.9.9."+strconv.Itoa(i)+", "+fwd); got != want {
				t.Fatalf("via the proxy, client %s, request %d: HTTP %d, want %d", fwd, i+1, got, want)
			}
		}
	}
	// The same through Forwarded (RFC 7239), IPv6 with a port: another client, its own burst.
	for i := range 4 {
		want := http.StatusUnauthorized
		if i == 3 {
			want = http.StatusTooManyRequests
		}
		if code := status(proxy, "Forwarded", `for="[2001:db8:cafe::17]:4711";proto=https`); code != want {
			t.Fatalf("via the proxy, Forwarded client, request %d: HTTP %d, want %d", i+1, code, want)
		}
	}
	// The proxy's own requests (no header) were not charged for its clients.
	if got := status(proxy, "", ""); got != http.StatusUnauthorized {
		t.Fatalf("the proxy itself: HTTP %d, want 401 (its clients used their own limits)", got)
	}

	// The request log names the client, and the proxy when there is one.
	remotes := requestClients(s, path)
	for key, n := range map[string]int{"127.0.0.1 via ": 5, "203.0.113.10 via 127.0.0.2": 4,
		"203.0.113.11 via 127.0.0.2": 4, "2001:db8:cafe::17 via 127.0.0.2": 4, "127.0.0.2 via ": 1} {
		if remotes[key] != n {
			t.Errorf("request log: %d lines %q, want %d (all: %v)", remotes[key], key, n, remotes)
		}
	}
}

// TestTrustedProxiesAuditLog: failed staff logins are audited with the client address: the
// peer's when it is not a trusted proxy (whatever it forwards), the forwarded one through a
// trusted proxy.
func TestTrustedProxiesAuditLog(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true, env: noLimits, args: []string{"--trusted-proxies", "127.0.0.2"}})
	// badLogin fails a staff login from the local address ip that forwards header: value.
	badLogin := func(ip, header, value string) {
		t.Helper()
		c := s.staffAPIFrom(t, ip, client.WithHeader(header, value))
		_, err := c.Login(t.Context(), "frontdesk", "wrong-password")
		c.fail(t, err, http.StatusUnauthorized, "AuthenticationFailed")
	}
	badLogin("127.0.0.1", "X-Forwarded-For", "203.0.113.66")
	badLogin("127.0.0.2", "X-Forwarded-For", "198.51.100.7")
	badLogin("127.0.0.2", "Forwarded", `for="[2001:db8::9]"`)
	var clients []string
	for _, e := range auditLog(t, s.staffAs(t, "admin")) {
		if e.Action == "staff.login_failed" {
			clients = append(clients, e.Client)
		}
	}
	if got, want := strings.Join(clients, " "), "2001:db8::9 198.51.100.7 127.0.0.1"; got != want {
		t.Errorf("audited clients of the failed logins (newest first): %s, want %s", got, want)
	}
}

// TestTrustedProxiesFlag: a bad --trusted-proxies stops the server with an error naming the
// entry.
func TestTrustedProxiesFlag(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"concierge", "serve", "--addr", "127.0.0.1:0", "--db", testDB(t, t.TempDir()),
		"--trusted-proxies", "127.0.0.1/32,nginx.local"}, func(string) string { return "" }, io.Discard, &stderr)
	if err == nil || !strings.Contains(err.Error(), "--trusted-proxies") || !strings.Contains(err.Error(), `"nginx.local"`) {
		t.Fatalf("run: %v, want an error about --trusted-proxies naming nginx.local", err)
	}
}
