package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// scrape GETs url's /metrics with the headers and returns the status and the text.
func scrape(t testing.TB, base string, header map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// sample returns the value of one series of the exposition text: series is the metric's name
// with its labels as the text writes them (sorted by name), e.g. `x_total{code="200"}`.
func sample(text, series string) (float64, bool) {
	for line := range strings.SplitSeq(text, "\n") {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			return v, err == nil
		}
	}
	return 0, false
}

// wantSample fails unless series is in text with a value that ok accepts.
func wantSample(t testing.TB, text, series string, what string, ok func(float64) bool) {
	t.Helper()
	v, found := sample(text, series)
	if !found {
		t.Errorf("no series %s in /metrics", series)
		return
	}
	if !ok(v) {
		t.Errorf("%s = %v, want %s", series, v, what)
	}
}

func equals(want float64) (string, func(float64) bool) {
	return strconv.FormatFloat(want, 'g', -1, 64), func(v float64) bool { return v == want }
}

func atLeast(want float64) (string, func(float64) bool) {
	return "≥ " + strconv.FormatFloat(want, 'g', -1, 64), func(v float64) bool { return v >= want }
}

// promtool finds promtool (Debian's prometheus package); without it the test skips, except
// under CI=true where it fails.
func promtool(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("promtool"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no promtool found (apt-get install prometheus); the metrics test cannot be skipped under CI=true")
	}
	t.Skip("no promtool found (apt-get install prometheus)")
	return ""
}

// checkWithPromtool runs `promtool check metrics` on text and fails on any complaint.
func checkWithPromtool(t *testing.T, text string) {
	t.Helper()
	cmd := exec.Command(promtool(t), "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// TestMetricsAfterWorkload runs what an operator watches (a guest session and conversation, a
// webhook delivery, staff logins good and bad, a rate-limit refusal, a live stream) and checks
// the metrics it must have moved, then that promtool finds nothing to complain about.
func TestMetricsAfterWorkload(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true, args: []string{"--webhook-allow-cidr", "127.0.0.1/32",
		"--rate-session", "0.001", "--rate-session-burst", "5"}})

	// Before anything: every streaming API is there at zero, and the build.
	_, text := scrape(t, s.URL, nil)
	for _, api := range []string{"guest", "staff_sse", "staff_ws"} {
		wantSample(t, text, `concierge_event_streams_open{api="`+api+`"}`, "0 at start-up", func(v float64) bool { return v == 0 })
	}
	if !strings.Contains(text, `concierge_build_info{goversion="go`) || !strings.Contains(text, `version="dev"} 1`) {
		t.Errorf("no concierge_build_info with goversion and version in:\n%s", grepLines(text, "concierge_build_info"))
	}

	// A webhook receiver that accepts every delivery.
	received := make(chan struct{}, 16)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
		received <- struct{}{}
	}))
	t.Cleanup(hook.Close)
	admin := s.staffLogin(t, "admin")
	s.createHook(t, admin, hook.URL, "metrics-secret-0123456789")

	guest := s.loginRoom(t, "101", "Garcia")
	code := s.guestConversation(t, guest, "ROOMSERVICE", "Two towels, please", nil)
	s.staffGet(t, admin, pathConversations+"/"+code).wantStatus(t, http.StatusOK)
	select {
	case <-received:
	case <-time.After(30 * time.Second):
		t.Fatal("the webhook was not delivered")
	}

	// A failed login and a refusal by the guest session's rate limit.
	s.post(t, pathStaffLogin, map[string]any{"username": "frontdesk", "password": "not the password"}).
		wantStaffError(t, http.StatusUnauthorized, "AuthenticationFailed")
	refused := false
	for range 10 {
		if r := s.get(t, pathMessages+"?SessionToken="+guest); r.Status == http.StatusTooManyRequests {
			refused = true
			break
		}
	}
	if !refused {
		t.Fatal("the guest session was never rate limited")
	}

	// A staff stream, open while the metrics are read.
	stream := s.openEvents(t, pathStaffEvents, bearer(admin))
	defer stream.close()

	var want = []struct {
		series string
		check  func() (string, func(float64) bool)
	}{
		{`concierge_http_requests_total{code="200",method="POST",route="` + pathInitRoom + `"}`, func() (string, func(float64) bool) { return atLeast(1) }},
		{`concierge_http_requests_total{code="200",method="GET",route="/api/v1/conversations/{code}"}`, func() (string, func(float64) bool) { return equals(1) }},
		{`concierge_http_requests_total{code="401",method="POST",route="/api/v1/auth/login"}`, func() (string, func(float64) bool) { return equals(1) }},
		{`concierge_http_requests_total{code="429",method="GET",route="/API/V40/Interactive/Messages"}`, func() (string, func(float64) bool) { return equals(1) }},
		{`concierge_http_request_duration_seconds_count{method="POST",route="/API/V40/Interactive/Messages/Conversations"}`, func() (string, func(float64) bool) { return equals(1) }},
		{`concierge_staff_login_failures_total{reason="wrong_password"}`, func() (string, func(float64) bool) { return equals(1) }},
		{`concierge_staff_login_failures_total{reason="unknown_username"}`, func() (string, func(float64) bool) { return equals(0) }},
		{`concierge_rate_limit_refusals_total{limit="session"}`, func() (string, func(float64) bool) { return equals(1) }},
		{`concierge_rate_limit_refusals_total{limit="address"}`, func() (string, func(float64) bool) { return equals(0) }},
		{`concierge_event_streams_open{api="staff_sse"}`, func() (string, func(float64) bool) { return equals(1) }},
		{`concierge_event_streams_open{api="staff_ws"}`, func() (string, func(float64) bool) { return equals(0) }},
		{`concierge_webhook_deliveries_total{outcome="delivered"}`, func() (string, func(float64) bool) { return atLeast(1) }},
		{`concierge_webhook_deliveries_total{outcome="dead"}`, func() (string, func(float64) bool) { return equals(0) }},
		{`concierge_webhook_delivery_lag_seconds_count`, func() (string, func(float64) bool) { return atLeast(1) }},
		{`concierge_db_transaction_duration_seconds_count{access="write"}`, func() (string, func(float64) bool) { return atLeast(3) }},
		{`concierge_db_transaction_duration_seconds_count{access="read"}`, func() (string, func(float64) bool) { return atLeast(3) }},
		{`concierge_db_commit_duration_seconds_count`, func() (string, func(float64) bool) { return atLeast(3) }},
		{`concierge_db_write_batch_size_count`, func() (string, func(float64) bool) { return atLeast(3) }},
		{`concierge_translation_queue_depth`, func() (string, func(float64) bool) { return equals(0) }},
		{`concierge_translation_queue_oldest_age_seconds`, func() (string, func(float64) bool) { return equals(0) }},
		{`concierge_retention_runs_total{result="ok"}`, func() (string, func(float64) bool) { return atLeast(1) }},
		{`concierge_retention_runs_total{result="error"}`, func() (string, func(float64) bool) { return equals(0) }},
		{`concierge_guest_data_erasures_total{cause="request"}`, func() (string, func(float64) bool) { return equals(0) }},
	}
	// The webhook's delivery is recorded just after the receiver answered: wait for it.
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, text = scrape(t, s.URL, nil)
		if v, _ := sample(text, `concierge_webhook_deliveries_total{outcome="delivered"}`); v >= 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, w := range want {
		what, ok := w.check()
		wantSample(t, text, w.series, what, ok)
	}
	// Pools: the engine's, with a maximum.
	if !strings.Contains(text, `concierge_db_pool_max_connections{pool="`) || !strings.Contains(text, `concierge_db_pool_connections{pool="`) {
		t.Errorf("no database pool metrics:\n%s", grepLines(text, "concierge_db_pool"))
	}
	// Routes are patterns: no conversation code, no session token in a label.
	if strings.Contains(text, code) || strings.Contains(text, guest) {
		t.Errorf("a raw path made it into the metrics:\n%s", grepLines(text, code))
	}
	checkWithPromtool(t, text)
}

// grepLines returns the lines of text that contain s.
func grepLines(text, s string) string {
	var out []string
	for line := range strings.SplitSeq(text, "\n") {
		if strings.Contains(line, s) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// TestMetricsToken: with --metrics-token-file (or CONCIERGE_METRICS_TOKEN), /metrics answers
// 401 without the bearer token or with another one, and the metrics with it.
func TestMetricsToken(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "metrics.token")
	must(t, os.WriteFile(file, []byte("s3cret-scrape-token\n"), 0o600))
	for name, opts := range map[string]serverOptions{
		"file": {demo: true, args: []string{"--metrics-token-file", file}},
		"env":  {demo: true, env: map[string]string{"CONCIERGE_METRICS_TOKEN": "s3cret-scrape-token"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, opts)
			for _, h := range []map[string]string{nil, bearer("wrong"), {"Authorization": "s3cret-scrape-token"}} {
				if status, body := scrape(t, s.URL, h); status != http.StatusUnauthorized || strings.Contains(body, "concierge_") {
					t.Errorf("/metrics with %v: HTTP %d %.200s, want 401", h, status, body)
				}
			}
			if status, body := scrape(t, s.URL, bearer("s3cret-scrape-token")); status != http.StatusOK ||
				!strings.Contains(body, "concierge_build_info") {
				t.Errorf("/metrics with the token: HTTP %d %.200s", status, body)
			}
			// Probes stay open.
			if r := s.get(t, "/healthz"); r.Status != http.StatusOK {
				t.Errorf("/healthz: %d", r.Status)
			}
		})
	}
}

// TestMetricsOnDebugAddr: --metrics-on-debug-addr moves /metrics to the --debug-addr listener;
// without --debug-addr serve refuses to start, and so it does with an empty token file.
func TestMetricsOnDebugAddr(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true, args: []string{"--debug-addr", "127.0.0.1:0", "--metrics-on-debug-addr"}})
	var debugURL string
	for line := range strings.SplitSeq(s.Stdout.String(), "\n") {
		if rest, ok := strings.CutPrefix(line, "Concierge debug on "); ok {
			debugURL = strings.TrimSpace(rest)
		}
	}
	if debugURL == "" {
		t.Fatalf("no 'Concierge debug on' line in stdout:\n%s", s.Stdout.String())
	}
	if status, _ := scrape(t, s.URL, nil); status != http.StatusNotFound {
		t.Errorf("public /metrics: HTTP %d, want 404", status)
	}
	if status, body := scrape(t, debugURL, nil); status != http.StatusOK || !strings.Contains(body, "concierge_http_requests_total") {
		t.Errorf("debug /metrics: HTTP %d %.200s", status, body)
	}

	empty := filepath.Join(t.TempDir(), "empty")
	must(t, os.WriteFile(empty, []byte("\n"), 0o600))
	for _, args := range [][]string{
		{"--metrics-on-debug-addr"},
		{"--metrics-token-file", empty},
		{"--metrics-token", "a", "--metrics-token-file", empty},
		{"--cors-origins", "https://app.example/path"},
	} {
		all := append([]string{"concierge", "serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "x.db")}, args...)
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), all, func(string) string { return "" }, &stdout, &stderr)
		if err == nil {
			t.Errorf("serve %v started", args)
		}
	}
}
