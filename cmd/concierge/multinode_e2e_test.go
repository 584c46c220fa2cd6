package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"concierge/api"
	"concierge/client"
	"concierge/internal/pgtest"
)

// Several nodes (SPEC §6, §9): two `concierge serve` processes of the built binary on one
// PostgreSQL database, as behind a load balancer. This test always runs on PostgreSQL,
// whatever CONCIERGE_TEST_ENGINE says: several nodes need it.

// multiNodeEnv is the nodes' environment: no per-address or per-interface-token limit (every
// request comes from 127.0.0.1), and a per-session limit of 40 requests that refills only
// after 1000 s, so that how many requests a session gets is exact.
var multiNodeEnv = []string{
	"CONCIERGE_RATE_ADDRESS=0", "CONCIERGE_RATE_INTERFACE_TOKEN=0",
	"CONCIERGE_RATE_SESSION=0.001", "CONCIERGE_RATE_SESSION_BURST=40",
	"CONCIERGE_EVENT_STREAMS_PER_SESSION=0", "CONCIERGE_LOG_LEVEL=warn",
}

// buildBinary builds the concierge binary into a temporary directory.
func buildBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "concierge")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startNode runs `bin serve` on database db in a child process, with env added to the
// environment, and returns it as a server of the harness; it is interrupted (a graceful
// shutdown) at the end of the test, which fails if the node did not exit cleanly.
func startNode(t testing.TB, bin, db string, env []string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--db", db}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	stdout, stderr := &lockedBuffer{}, &lockedBuffer{}
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(io.TeeReader(pipe, stdout))
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "Concierge listening on "); ok {
				urlc <- rest
			}
		}
		close(urlc)
		done <- cmd.Wait()
	}()
	url, ok := <-urlc
	if !ok {
		t.Fatalf("node did not start: %v\nstderr:\n%s", <-done, stderr.String())
	}
	s := &server{URL: url, DB: db, Clock: newClock(time.Now()), Stdout: stdout, Stderr: stderr}
	var once sync.Once
	var stopErr error
	s.stop = func() error {
		once.Do(func() {
			_ = cmd.Process.Signal(os.Interrupt)
			select {
			case stopErr = <-done:
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				stopErr = fmt.Errorf("node did not stop within 30 s: %v", <-done)
			}
		})
		return stopErr
	}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Errorf("node exited with %v\nstderr:\n%s", err, stderr.String())
		}
	})
	return s
}

func TestMultiNode(t *testing.T) {
	bin := buildBinary(t)
	db := pgtest.NewDatabase(t)
	a := startNode(t, bin, db, multiNodeEnv, "--demo")
	b := startNode(t, bin, db, multiNodeEnv, "--demo") // finds the demo data loaded and loads nothing
	nodes := map[string]*server{"A": a, "B": b}

	ctx := t.Context()
	t.Run("StreamOnBReceivesReplyPostedOnA", func(t *testing.T) {
		ana := a.roomGuest(t, "101", "Garcia")
		fd := b.loggedIn(t, "frontdesk")
		conv := ana.open(t, "FRONTDESK", "Towels, please")
		guest := b.openEvents(t, guestEventsPath(ana.Token()), nil)
		staff := b.openEvents(t, pathStaffEvents, bearer(fd.Token()))

		a.staffWithToken(t, fd.Token()).reply(t, conv, "Staff", "On their way")
		ev := nextMessage(t, guest)
		if !strings.Contains(ev.Raw, "On their way") || ev.guestEvent(t).ConversationCode != conv {
			t.Fatalf("guest stream on B: %s %s", ev.Event, ev.Raw)
		}
		if ev := nextMessage(t, staff); !strings.Contains(ev.Raw, "On their way") {
			t.Fatalf("staff stream on B: %s %s", ev.Event, ev.Raw)
		}
		// And the other way round: a guest message posted on B reaches a stream on A.
		onA := a.openEvents(t, pathStaffEvents, bearer(fd.Token()))
		need(b.guestWithToken(t, ana.Token()).AddMessage(ctx, conv, "Thank you", ""))(t)
		if ev := nextMessage(t, onA); !strings.Contains(ev.Raw, "Thank you") {
			t.Fatalf("staff stream on A: %s %s", ev.Event, ev.Raw)
		}
	})

	t.Run("ResumeOnBAfterWritesOnAMissesNothing", func(t *testing.T) {
		anaApp := a.roomGuest(t, "102", "Smith")
		ana := anaApp.Token()
		fd := a.loggedIn(t, "frontdesk").Token()
		conv := anaApp.open(t, "FRONTDESK", "start")
		st := b.openEvents(t, guestEventsPath(ana), nil)
		a.staffWithToken(t, fd).reply(t, conv, "Staff", "first")
		last := nextMessage(t, st).ID
		st.close()

		// While the guest is away, writers on both nodes race; then the guest resumes on B.
		var wg sync.WaitGroup
		const each = 30
		for name, s := range nodes {
			wg.Go(func() {
				c := s.staffWithToken(t, fd)
				for i := range each {
					if _, err := c.AddMessage(ctx, conv, api.AddMessageRequest{Type: "Staff", Content: fmt.Sprintf("%s %d", name, i)}, ""); err != nil {
						t.Errorf("reply on %s: %v", name, err)
					} else if r := c.answer(); r.Status != http.StatusCreated {
						t.Errorf("reply on %s: HTTP %d %s", name, r.Status, r.Raw)
					}
				}
			})
		}
		wg.Wait()
		resumed := map[string][]int64{}
		for name, s := range nodes {
			st := s.openEvents(t, guestEventsPath(ana), map[string]string{"Last-Event-ID": strconv.FormatInt(last, 10)})
			var texts []string
			for len(texts) < 2*each {
				ev := nextMessage(t, st)
				resumed[name] = append(resumed[name], ev.ID)
				texts = append(texts, ev.guestEvent(t).Message.Content)
			}
			st.close()
			for n := range nodes {
				for i := range each {
					want := fmt.Sprintf("%s %d", n, i)
					if !slices.ContainsFunc(texts, func(s string) bool { return strings.Contains(s, want) }) {
						t.Errorf("resume on %s misses %q", name, want)
					}
				}
			}
			if !slices.IsSorted(resumed[name]) {
				t.Errorf("resume on %s: ids out of order %v", name, resumed[name])
			}
		}
		if !slices.Equal(resumed["A"], resumed["B"]) {
			t.Fatalf("the nodes resume with different events:\nA %v\nB %v", resumed["A"], resumed["B"])
		}
	})

	t.Run("IdempotencyKeyWritesOnce", func(t *testing.T) {
		tok := a.roomGuest(t, "104", "Dubois").Token()
		send := func(s *server, key string) (response, error) {
			g := s.guestWithToken(t, tok)
			_, err := g.CreateConversation(ctx, api.GuestCreateConversationRequest{Message: "Un taxi à 8h"}, key)
			return g.answer(), err
		}
		first, err := send(a, "multi-1")
		if err != nil {
			t.Fatal(err)
		}
		again, err := send(b, "multi-1")
		if err != nil || string(again.Raw) != string(first.Raw) || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry on the other node not replayed (%v):\n%s\n%s", err, first.Raw, again.Raw)
		}
		// Concurrent duplicates on both nodes: one write, one answer.
		var wg sync.WaitGroup
		answers := make([]string, 20)
		for i := range answers {
			s := []*server{a, b}[i%2]
			wg.Go(func() {
				r, _ := send(s, "multi-2")
				answers[i] = string(r.Raw)
			})
		}
		wg.Wait()
		for _, ans := range answers[1:] {
			if ans != answers[0] {
				t.Fatalf("duplicates got different answers:\n%s\n%s", answers[0], ans)
			}
		}
		if c := need(b.guestWithToken(t, tok).Messages(ctx, client.Page{}))(t); c.TotalCount != 2 {
			t.Fatalf("%v messages written, want 2 (one per key)", c.TotalCount)
		}
	})

	t.Run("RevocationOnOneNodeHoldsOnTheOther", func(t *testing.T) {
		onB := b.roomGuest(t, "103", "Müller")
		need(onB.Messages(ctx, client.Page{}))(t)
		onA := a.guestWithToken(t, onB.Token())
		if err := onA.Logout(ctx); err != nil {
			t.Fatalf("logout on A: %v", err)
		}
		if r := onA.answer(); r.Status != http.StatusOK || r.Body["status"] != "Success" {
			t.Fatalf("logout on A: HTTP %d %s", r.Status, r.Raw)
		}
		_, err := onB.Messages(ctx, client.Page{})
		onB.wantFailure(t, err, http.StatusUnauthorized, api.ItemGetMessages, "IdentityTokenExpired")

		staff := a.loggedIn(t, "roomservice").Token()
		staffB := b.staffWithToken(t, staff)
		need(staffB.Me(ctx))(t)
		if err := staffB.Logout(ctx); err != nil {
			t.Fatalf("logout on B: %v", err)
		}
		staffB.wantStatus(t, http.StatusNoContent)
		staffA := a.staffWithToken(t, staff)
		_, err = staffA.Me(ctx)
		staffA.wantStaffFailure(t, err, http.StatusUnauthorized, "AuthenticationFailed")
	})

	t.Run("RateLimitShared", func(t *testing.T) {
		tok := a.roomGuest(t, "101", "Garcia").Token() // a new session: a bucket of its own
		onNode := map[*server]*guestApp{a: a.guestWithToken(t, tok), b: b.guestWithToken(t, tok)}
		allowed := 0
		for i := 0; ; i++ {
			g := onNode[[]*server{a, b}[i%2]]
			_, err := g.Messages(ctx, client.Page{})
			if client.CodeOf(err) == "RateLimited" {
				g.wantFailure(t, err, http.StatusTooManyRequests, api.ItemGetMessages, "RateLimited")
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if allowed++; allowed > 40 {
				t.Fatal("more than the burst of 40 allowed across the two nodes")
			}
		}
		if allowed != 40 {
			t.Fatalf("%d requests allowed across the two nodes, want the burst of 40", allowed)
		}
		for name, s := range nodes {
			g := onNode[s]
			if _, err := g.Messages(ctx, client.Page{}); g.answer().Status != http.StatusTooManyRequests {
				t.Fatalf("node %s answers HTTP %d past the shared burst (%v)", name, g.answer().Status, err)
			}
		}
	})

	t.Run("LoginBackOffShared", func(t *testing.T) {
		for i := range 6 {
			c := []*server{a, b}[i%2].staffApp(t)
			_, err := c.Login(ctx, "admin", "wrong")
			var ce *client.Error
			if !errors.As(err, &ce) || (ce.StatusCode != http.StatusUnauthorized && ce.StatusCode != http.StatusTooManyRequests) {
				t.Fatalf("bad password %d: %v %s", i, err, c.answer().Raw)
			}
		}
		// Both nodes counted into one row per key (the username, the address).
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var rows, least int
		if err := conn.QueryRow(ctx, `SELECT count(*), coalesce(min(failures), 0) FROM guard_failures WHERE scope = 'login'`).
			Scan(&rows, &least); err != nil {
			t.Fatal(err)
		}
		if rows == 0 || least != 6 {
			t.Fatalf("%d login back-off rows, the smallest count %d; want every key at 6 failures", rows, least)
		}
	})

	t.Run("OneSigningKey", func(t *testing.T) {
		// A token issued by one node works on the other (the key is in the database).
		tok := b.roomGuest(t, "102", "Smith").Token()
		need(a.guestWithToken(t, tok).Messages(ctx, client.Page{}))(t)
	})
}

// nextMessage returns the next message.created event of a stream, skipping the others.
func nextMessage(t testing.TB, st *sseStream) sseEvent {
	t.Helper()
	for {
		if ev := st.next(t); ev.Event == "message.created" {
			return ev
		}
	}
}
