package main

import (
	"bufio"
	"context"
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

	t.Run("StreamOnBReceivesReplyPostedOnA", func(t *testing.T) {
		ana := a.loginRoom(t, "101", "Garcia")
		fd := b.staffLogin(t, "frontdesk")
		conv := a.guestConversation(t, ana, "FRONTDESK", "Towels, please", nil)
		guest := b.openEvents(t, guestEventsPath(ana), nil)
		staff := b.openEvents(t, pathStaffEvents, bearer(fd))

		reply := a.staffPost(t, fd, staffConvPath(conv, "/messages"), map[string]any{"type": "Staff", "content": "On their way"})
		reply.wantOK(t, http.StatusCreated)
		ev := nextMessage(t, guest)
		if !strings.Contains(ev.Raw, "On their way") || ev.Data["conversationCode"] != conv {
			t.Fatalf("guest stream on B: %s %s", ev.Event, ev.Raw)
		}
		if ev := nextMessage(t, staff); !strings.Contains(ev.Raw, "On their way") {
			t.Fatalf("staff stream on B: %s %s", ev.Event, ev.Raw)
		}
		// And the other way round: a guest message posted on B reaches a stream on A.
		onA := a.openEvents(t, pathStaffEvents, bearer(fd))
		b.post(t, pathCreate+"/"+conv+"/Messages", map[string]any{"SessionToken": ana, "Message": "Thank you"}).
			content(t, "addMessageResponse")
		if ev := nextMessage(t, onA); !strings.Contains(ev.Raw, "Thank you") {
			t.Fatalf("staff stream on A: %s %s", ev.Event, ev.Raw)
		}
	})

	t.Run("ResumeOnBAfterWritesOnAMissesNothing", func(t *testing.T) {
		ana := a.loginRoom(t, "102", "Smith")
		fd := a.staffLogin(t, "frontdesk")
		conv := a.guestConversation(t, ana, "FRONTDESK", "start", nil)
		st := b.openEvents(t, guestEventsPath(ana), nil)
		a.staffPost(t, fd, staffConvPath(conv, "/messages"), map[string]any{"type": "Staff", "content": "first"}).wantOK(t, http.StatusCreated)
		last := nextMessage(t, st).ID
		st.close()

		// While the guest is away, writers on both nodes race; then the guest resumes on B.
		var wg sync.WaitGroup
		const each = 30
		for name, s := range nodes {
			wg.Go(func() {
				for i := range each {
					a := s.staffPost(t, fd, staffConvPath(conv, "/messages"), map[string]any{"type": "Staff", "content": fmt.Sprintf("%s %d", name, i)})
					if a.Status != http.StatusCreated {
						t.Errorf("reply on %s: HTTP %d %s", name, a.Status, a.Raw)
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
				m, _ := ev.Data["message"].(map[string]any)
				texts = append(texts, fmt.Sprint(m["text"], m["content"], m["message"]))
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
		tok := a.loginRoom(t, "104", "Dubois")
		body := []byte(`{"SessionToken":"` + tok + `","Message":"Un taxi à 8h"}`)
		send := func(s *server, key string) response {
			return s.do(t, http.MethodPost, pathCreate, body, map[string]string{"Idempotency-Key": key})
		}
		first := send(a, "multi-1")
		first.content(t, "createConversationResponse")
		again := send(b, "multi-1")
		if string(again.Raw) != string(first.Raw) || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry on the other node not replayed:\n%s\n%s", first.Raw, again.Raw)
		}
		// Concurrent duplicates on both nodes: one write, one answer.
		var wg sync.WaitGroup
		answers := make([]string, 20)
		for i := range answers {
			s := []*server{a, b}[i%2]
			wg.Go(func() { answers[i] = string(send(s, "multi-2").Raw) })
		}
		wg.Wait()
		for _, ans := range answers[1:] {
			if ans != answers[0] {
				t.Fatalf("duplicates got different answers:\n%s\n%s", answers[0], ans)
			}
		}
		c := b.get(t, pathMessages+"?SessionToken="+tok).content(t, "getMessagesResponse")
		if c["totalCount"] != float64(2) {
			t.Fatalf("%v messages written, want 2 (one per key)", c["totalCount"])
		}
	})

	t.Run("RevocationOnOneNodeHoldsOnTheOther", func(t *testing.T) {
		guest := b.loginRoom(t, "103", "Müller")
		b.get(t, pathMessages+"?SessionToken="+guest).content(t, "getMessagesResponse")
		if r := a.post(t, pathLogout, map[string]any{"SessionToken": guest}); r.Status != http.StatusOK || r.Body["status"] != "Success" {
			t.Fatalf("logout on A: HTTP %d %s", r.Status, r.Raw)
		}
		b.get(t, pathMessages+"?SessionToken="+guest).
			wantFailure(t, http.StatusUnauthorized, "getMessagesResponse", "IdentityTokenExpired")

		staff := a.staffLogin(t, "roomservice")
		b.staffGet(t, staff, pathMe).wantOK(t, http.StatusOK)
		if r := b.do(t, http.MethodPost, pathStaffLogout, nil, bearer(staff)); r.Status != http.StatusNoContent {
			t.Fatalf("logout on B: HTTP %d %s", r.Status, r.Raw)
		}
		a.staffGet(t, staff, pathMe).wantStaffError(t, http.StatusUnauthorized, "AuthenticationFailed")
	})

	t.Run("RateLimitShared", func(t *testing.T) {
		tok := a.loginRoom(t, "101", "Garcia") // a new session: a bucket of its own
		allowed := 0
		for i := 0; ; i++ {
			r := []*server{a, b}[i%2].get(t, pathMessages+"?SessionToken="+tok)
			if r.Status == http.StatusTooManyRequests {
				r.wantFailure(t, http.StatusTooManyRequests, "getMessagesResponse", "RateLimited")
				break
			}
			r.content(t, "getMessagesResponse")
			if allowed++; allowed > 40 {
				t.Fatal("more than the burst of 40 allowed across the two nodes")
			}
		}
		if allowed != 40 {
			t.Fatalf("%d requests allowed across the two nodes, want the burst of 40", allowed)
		}
		for name, s := range nodes {
			if r := s.get(t, pathMessages+"?SessionToken="+tok); r.Status != http.StatusTooManyRequests {
				t.Fatalf("node %s answers HTTP %d past the shared burst", name, r.Status)
			}
		}
	})

	t.Run("LoginBackOffShared", func(t *testing.T) {
		for i := range 6 {
			s := []*server{a, b}[i%2]
			r := s.post(t, pathStaffLogin, map[string]any{"username": "admin", "password": "wrong"})
			if r.Status != http.StatusUnauthorized && r.Status != http.StatusTooManyRequests {
				t.Fatalf("bad password %d: HTTP %d %s", i, r.Status, r.Raw)
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
		tok := b.loginRoom(t, "102", "Smith")
		a.get(t, pathMessages+"?SessionToken="+tok).content(t, "getMessagesResponse")
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
