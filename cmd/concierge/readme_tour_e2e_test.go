package main

import (
	"bytes"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// tourBlocks returns the sh code blocks of README.md from "## A short tour" up to "## Live
// events" (whose streams never end): the commands a newcomer runs first.
func tourBlocks(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, tour, ok := strings.Cut(string(raw), "\n## A short tour\n")
	if !ok {
		t.Fatal(`README.md has no "## A short tour"`)
	}
	tour, _, ok = strings.Cut(tour, "\n## Live events\n")
	if !ok {
		t.Fatal(`README.md has no "## Live events" after the tour`)
	}
	var blocks []string
	for {
		var block string
		_, rest, found := strings.Cut(tour, "```sh\n")
		if !found {
			return blocks
		}
		block, tour, found = strings.Cut(rest, "```\n")
		if !found {
			t.Fatal("an unclosed code block in the tour")
		}
		blocks = append(blocks, block)
	}
}

// curlLine is what the test's curl wrapper writes on stderr after each call.
var curlLine = regexp.MustCompile(`^HTTP (\d{3}) (\S+)$`)

// TestReadmeTour runs the README's tour commands, as written, with bash and curl against a fresh
// demo server (its sample conversations included) on a free port: every call must succeed, so
// the tour cannot break again unnoticed. Only the PORT line is changed, to the server's port.
func TestReadmeTour(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatal("curl is needed (scripts/test installs it): ", err)
	}
	s := startServer(t, serverOptions{demo: true, demoConversations: true})
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	blocks := tourBlocks(t)
	if len(blocks) < 5 || !strings.HasPrefix(blocks[0], "PORT=8080\n") {
		t.Fatalf("the tour should start by setting PORT=8080; blocks: %q", blocks)
	}
	blocks[0] = strings.Replace(blocks[0], "PORT=8080\n", "PORT="+u.Port()+"\n", 1)
	script := "set -euo pipefail\n" +
		// Every curl call also reports its status and URL on stderr, where the test reads them.
		`curl() { command curl -w '%{stderr}HTTP %{http_code} %{url_effective}\n' "$@"; }` + "\n" +
		strings.Join(blocks, "\n")
	calls := 0
	for _, b := range blocks {
		calls += len(regexp.MustCompile(`(?m)(^|\$\()curl `).FindAllString(b, -1))
	}
	cmd := exec.Command("bash", "-c", script)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("the tour failed: %v\nstderr:\n%s\nstdout:\n%s", err, stderr.String(), stdout.String())
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		m := curlLine.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("unexpected stderr line %q", line)
			continue
		}
		seen++
		if m[1][0] != '2' {
			t.Errorf("HTTP %s from %s", m[1], m[2])
		}
	}
	if seen != calls || calls < 20 {
		t.Fatalf("%d curl answers seen, %d calls in the tour\nstdout:\n%s", seen, calls, stdout.String())
	}

	// The staff section acted on the tour's own conversation: the towels request got the reply.
	staff := s.staffLogin(t, "roomservice")
	list := s.staffGet(t, staff, pathConversations+"?q=toallas&limit=5").wantStatus(t, http.StatusOK)
	convs, _ := list.Body["conversations"].([]any)
	if len(convs) != 1 {
		t.Fatalf("towels conversations: %s", list.Raw)
	}
	code, _ := convs[0].(map[string]any)["code"].(string)
	conv := s.staffGet(t, staff, staffConvPath(code, "")).wantStatus(t, http.StatusOK)
	if !strings.Contains(string(conv.Raw), "Yes, they are on their way.") || !strings.Contains(string(conv.Raw), `"Closed"`) {
		t.Fatalf("the staff commands did not reach the tour's conversation: %s", conv.Raw)
	}
}

// TestDemoConversations checks the demo's sample conversations: made through the domain (the
// staff inbox and the guests' own views show them, notes to staff only), and never added again
// to a database that has data.
func TestDemoConversations(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startServer(t, serverOptions{demo: true, demoConversations: true, dir: dir})
	admin := s.staffLogin(t, "admin")
	list := s.staffGet(t, admin, pathConversations+"?limit=50").wantStatus(t, http.StatusOK)
	convs, _ := list.Body["conversations"].([]any)
	if len(convs) != 3 {
		t.Fatalf("demo conversations: %s", list.Raw)
	}
	var all strings.Builder
	unread := 0
	for _, c := range convs {
		code, _ := c.(map[string]any)["code"].(string)
		if n, _ := c.(map[string]any)["unreadCount"].(float64); n > 0 {
			unread++
		}
		all.Write(s.staffGet(t, admin, staffConvPath(code, "")).wantStatus(t, http.StatusOK).Raw)
	}
	for _, want := range []string{`"type":"Staff"`, `"type":"Note"`, `"guestLanguageCode":"es"`, "despertarme",
		"Of course, it comes with your tray", "City Cabs"} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("no %s in the demo conversations:\n%s", want, all.String())
		}
	}
	if unread != 1 {
		t.Errorf("%d conversations with unread guest messages, want 1 (the Spanish guest's)", unread)
	}
	// The guests see them through the guest API; staff read marks and notes stay staff-side.
	tok := s.loginRoom(t, "102", "Smith")
	c := s.get(t, pathMessages+"?SessionToken="+tok).content(t, "getMessagesResponse")
	if c["totalCount"] != 2.0 {
		t.Fatalf("John Smith's messages: %v", c)
	}
	tok = s.loginRoom(t, "103", "Müller")
	if raw := s.get(t, pathMessages+"?SessionToken="+tok).Raw; strings.Contains(string(raw), "City Cabs") {
		t.Fatalf("a guest sees the demo's note: %s", raw)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	s2 := startServer(t, serverOptions{demo: true, demoConversations: true, dir: dir, clock: s.Clock})
	admin = s2.staffLogin(t, "admin")
	list = s2.staffGet(t, admin, pathConversations+"?limit=50").wantStatus(t, http.StatusOK)
	if convs, _ := list.Body["conversations"].([]any); len(convs) != 3 {
		t.Fatalf("after a restart with --demo on the same database: %s", list.Raw)
	}
}
