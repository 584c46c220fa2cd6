package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"concierge/api"
	"concierge/client"
)

// Crash safety (issue 8): the real binary, killed with SIGKILL, loses nothing it acknowledged,
// and a migration killed half-way leaves the database as it was before it began. Everything
// waits on log lines and counts, never on sleeps.

func TestCrashSafety(t *testing.T) {
	sqliteOnly(t, "kills the process that writes a SQLite file")
	t.Parallel()
	bin := buildConcierge(t)
	t.Run("KillMidBurst", func(t *testing.T) { testKillMidBurst(t, bin) })
	t.Run("KillDuringMigration", func(t *testing.T) { testKillDuringMigration(t, bin) })
}

// buildConcierge builds this package's binary into a temporary directory and returns its path.
func buildConcierge(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build the binary: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "concierge")
	out, err := exec.CommandContext(t.Context(), goTool, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// child is a running concierge process whose output lines (stdout and stderr) are kept and
// can be waited for.
type child struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed once the process has exited and its output is read
	err    error         // cmd.Wait's, once exited is closed

	mu    sync.Mutex
	out   strings.Builder
	waits []lineWait
}

// lineWait is a line some caller waits for.
type lineWait struct {
	match func(string) bool
	found chan string
}

// startChild runs bin with args and the environment plus env; the process is killed at the
// end of the test if it still runs. expect, when not nil, is registered before the start.
func startChild(t *testing.T, bin string, env []string, expect func(string) bool, args ...string) (*child, <-chan string) {
	t.Helper()
	c := &child{cmd: exec.Command(bin, args...), exited: make(chan struct{})}
	c.cmd.Env = append(os.Environ(), env...)
	var found <-chan string
	if expect != nil {
		found = c.expect(expect)
	}
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := c.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var readers sync.WaitGroup
	for _, r := range []io.Reader{stdout, stderr} {
		readers.Go(func() {
			sc := bufio.NewScanner(r)
			sc.Buffer(make([]byte, 64<<10), 1<<20)
			for sc.Scan() {
				c.line(sc.Text())
			}
		})
	}
	go func() {
		readers.Wait()
		c.err = c.cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(func() {
		_ = c.cmd.Process.Kill()
		<-c.exited
	})
	return c, found
}

// line records one output line and hands it to the waiters it matches.
func (c *child) line(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.out.WriteString(s + "\n")
	kept := c.waits[:0]
	for _, w := range c.waits {
		if w.match(s) {
			w.found <- s
		} else {
			kept = append(kept, w)
		}
	}
	c.waits = kept
}

// expect returns a channel receiving the first output line from now on that matches.
func (c *child) expect(match func(string) bool) <-chan string {
	c.mu.Lock()
	defer c.mu.Unlock()
	found := make(chan string, 1)
	c.waits = append(c.waits, lineWait{match: match, found: found})
	return found
}

// output returns everything the process wrote so far.
func (c *child) output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.String()
}

// await waits for a line from found; it fails the test when the process exits first.
func (c *child) await(t *testing.T, found <-chan string, what string) string {
	t.Helper()
	select {
	case s := <-found:
		return s
	case <-c.exited:
		t.Fatalf("the process exited (%v) before %s; output:\n%s", c.err, what, c.output())
	case <-t.Context().Done():
		t.Fatalf("test ended waiting for %s; output:\n%s", what, c.output())
	}
	return ""
}

// kill sends SIGKILL and waits for the process to be gone.
func (c *child) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("SIGKILL: %v", err)
	}
	<-c.exited
}

// stop sends SIGTERM, waits for the process to exit and fails unless it exited cleanly.
func (c *child) stop(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	<-c.exited
	if c.err != nil {
		t.Fatalf("the process exited with %v; output:\n%s", c.err, c.output())
	}
}

// serveChild starts `concierge serve` on db (a free loopback port, no rate limits) and returns
// the process and its base URL once it listens.
func serveChild(t *testing.T, bin, db string, extra ...string) (*child, string) {
	t.Helper()
	env := []string{"CONCIERGE_RATE_ADDRESS=0", "CONCIERGE_RATE_SESSION=0", "CONCIERGE_RATE_INTERFACE_TOKEN=0"}
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--db", db}, extra...)
	c, found := startChild(t, bin, env, func(s string) bool {
		return strings.HasPrefix(s, "Concierge listening on ")
	}, args...)
	line := c.await(t, found, "it listens")
	return c, strings.TrimPrefix(line, "Concierge listening on ")
}

// ackLog records what the server acknowledged: conversations (code → owner's token and first
// message) and the messages added to them.
type ackLog struct {
	mu    sync.Mutex
	owner map[string]string   // conversation code → session token
	msgs  map[string][]string // conversation code → contents acknowledged, first message first
	n     atomic.Int64        // acknowledged writes
}

func (a *ackLog) add(code, token, content string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if token != "" {
		a.owner[code] = token
	}
	a.msgs[code] = append(a.msgs[code], content)
	a.n.Add(1)
}

// testKillMidBurst: many clients create conversations and add messages to them; the server is
// killed with SIGKILL while they do; restarted on the same database, it has every
// conversation and message it acknowledged, and the database is sound.
func testKillMidBurst(t *testing.T, bin string) {
	dir := t.TempDir()
	db := filepath.Join(dir, "concierge.db")
	srv, base := serveChild(t, bin, db, "--demo")
	h := &server{URL: base}
	var tokens []string
	for _, g := range demoGuests {
		tokens = append(tokens, h.guestAt(t, g.room, g.lastName).Token())
	}

	const clients, ackedBeforeKill = 24, 400
	tr := &http.Transport{MaxIdleConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	acks := &ackLog{owner: map[string]string{}, msgs: map[string][]string{}}
	var killed atomic.Bool
	var wg sync.WaitGroup
	failures := make(chan string, clients)
	// unacknowledged reports whether err may be the kill's doing: no answer came (a transport
	// error, an answer cut short) once the server was killed. A failure answer, or an answer
	// the client could not read as the API's, never is.
	unacknowledged := func(err error) bool {
		var ue *url.Error
		return errors.As(err, &ue) && killed.Load()
	}
	for i := range clients {
		wg.Go(func() {
			tok := tokens[i%len(tokens)]
			g := testClient(t, base, client.NewGuest, &wireLog{next: tr}, nil)
			g.SetToken(tok)
			for n := 0; ; n++ {
				first := fmt.Sprintf("client %d conversation %d", i, n)
				conv, err := g.CreateConversation(ctx, api.GuestCreateConversationRequest{Message: first, ConversationType: "guest"}, "")
				if err != nil {
					if !unacknowledged(err) {
						failures <- fmt.Sprintf("create conversation: %v", err)
					}
					return
				}
				code := conv.Code
				if code == "" {
					failures <- fmt.Sprintf("no conversation code in %+v", conv)
					return
				}
				acks.add(code, tok, first)
				for k := range 3 {
					msg := fmt.Sprintf("client %d conversation %d reply %d", i, n, k)
					if _, err := g.AddMessage(ctx, code, msg, ""); err != nil {
						if !unacknowledged(err) {
							failures <- fmt.Sprintf("add message: %v", err)
						}
						return
					}
					acks.add(code, "", msg)
				}
			}
		})
	}
	// Kill once enough writes were acknowledged, while every client is still writing.
	for acks.n.Load() < ackedBeforeKill && len(failures) == 0 {
		select {
		case <-srv.exited:
			t.Fatalf("the server exited: %v\n%s", srv.err, srv.output())
		case <-time.After(time.Millisecond): // polling a counter, not waiting for time
		}
	}
	killed.Store(true)
	srv.kill(t)
	wg.Wait()
	close(failures)
	for f := range failures {
		t.Errorf("a request failed while the server was up: %s", f)
	}
	if t.Failed() {
		return
	}
	t.Logf("%d writes acknowledged in %d conversations before SIGKILL", acks.n.Load(), len(acks.owner))

	srv2, base2 := serveChild(t, bin, db)
	h2 := &server{URL: base2}
	for code, tok := range acks.owner {
		conv, err := h2.guestAPI(t, tok).Conversation(t.Context(), code)
		if err != nil {
			t.Errorf("acknowledged conversation %s after restart: %v", code, err)
			continue
		}
		got := collect(conv.Messages, func(m api.GuestMessage) string { return m.Content })
		for _, want := range acks.msgs[code] {
			if !slices.Contains(got, want) {
				t.Errorf("conversation %s lost the acknowledged message %q (has %q)", code, want, got)
			}
		}
	}
	srv2.stop(t)
	checkIntegrity(t, db)
}

// checkIntegrity fails the test unless the SQLite file at path passes PRAGMA integrity_check
// and foreign_key_check.
func checkIntegrity(t *testing.T, path string) {
	t.Helper()
	conn := openFile(t, path)
	var res string
	if err := conn.QueryRowContext(t.Context(), `PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		t.Errorf("integrity_check: %q, %v", res, err)
	}
	rows, err := conn.QueryContext(t.Context(), `PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if rows.Next() {
		t.Error("foreign_key_check found violations")
	}
}

// openFile opens the SQLite file at path directly, closed at the end of the test.
func openFile(t *testing.T, path string) *sql.DB {
	t.Helper()
	conn, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	conn.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// oldSchema is the schema version the migration test starts from: the next migration, 0004,
// indexes every message for full-text search, so it takes time proportional to the messages.
const oldSchema = 3

// testKillDuringMigration: a database at an older schema, with many messages, is migrated by
// `concierge migrate`, killed with SIGKILL once it logs that the long migration began. The
// migration left nothing behind; running migrate again applies every migration and keeps every
// message. Should a machine finish the migration before the kill lands, the test tries again
// with more messages.
func testKillDuringMigration(t *testing.T, bin string) {
	for messages := 10_000; ; messages *= 4 {
		if killDuringMigration(t, bin, messages) || t.Failed() {
			return
		}
		if messages >= 640_000 {
			t.Fatal("the migration always finished before SIGKILL landed")
		}
		t.Logf("migration %d finished before SIGKILL landed with %d messages; trying with more", oldSchema+1, messages)
	}
}

// killDuringMigration runs the scenario once and reports whether the kill interrupted the
// migration.
func killDuringMigration(t *testing.T, bin string, messages int) bool {
	path := filepath.Join(t.TempDir(), "old.db")
	all := writeOldDatabase(t, path, messages)

	starting := func(v int) func(string) bool {
		return func(s string) bool {
			var rec struct {
				Msg     string `json:"msg"`
				Version int    `json:"version"`
			}
			return json.Unmarshal([]byte(s), &rec) == nil && rec.Msg == "sqlite migration starting" && rec.Version == v
		}
	}
	m, found := startChild(t, bin, nil, starting(oldSchema+1), "migrate", "--db", path)
	m.await(t, found, fmt.Sprintf("migration %d begins", oldSchema+1))
	m.kill(t)

	conn := openFile(t, path)
	applied := schemaVersions(t, conn)
	if slices.Contains(applied, oldSchema+1) {
		_ = conn.Close()
		return false
	}
	if want := []int{1, 2, 3}; !slices.Equal(applied, want) {
		t.Fatalf("after the kill, versions %v applied, want %v", applied, want)
	}
	var tables int
	must(t, conn.QueryRowContext(t.Context(), `SELECT count(*) FROM sqlite_schema WHERE name = 'message_text'`).Scan(&tables))
	if tables != 0 {
		t.Errorf("the killed migration left its table behind")
	}
	must(t, conn.Close())

	again, _ := startChild(t, bin, nil, nil, "migrate", "--db", path)
	<-again.exited
	if again.err != nil {
		t.Fatalf("migrate after the kill: %v\n%s", again.err, again.output())
	}
	conn = openFile(t, path)
	if got := schemaVersions(t, conn); !slices.Equal(got, all) {
		t.Errorf("after migrating again, versions %v, want %v", got, all)
	}
	var stored, indexed int
	must(t, conn.QueryRowContext(t.Context(), `SELECT count(*) FROM messages`).Scan(&stored))
	must(t, conn.QueryRowContext(t.Context(), `SELECT count(*) FROM message_text`).Scan(&indexed))
	if stored != messages || indexed != messages {
		t.Errorf("%d messages, %d indexed; want %d of each", stored, indexed, messages)
	}
	must(t, conn.Close())
	checkIntegrity(t, path)
	return true
}

// schemaVersions returns the applied schema versions, ascending.
func schemaVersions(t *testing.T, conn *sql.DB) []int {
	t.Helper()
	rows, err := conn.QueryContext(t.Context(), `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		must(t, rows.Scan(&v))
		out = append(out, v)
	}
	must(t, rows.Err())
	return out
}

// writeOldDatabase creates, at path, the database an older binary would have left: the
// repository's migration files up to oldSchema applied (they are never edited once released),
// recorded as migrate.go records them, holding one conversation with the given number of
// messages. It returns the versions of every migration file.
func writeOldDatabase(t *testing.T, path string, messages int) []int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "internal", "sqlite", "migrations", "*.sql"))
	if err != nil || len(files) <= oldSchema {
		t.Fatalf("migration files: %v, %v", files, err)
	}
	slices.Sort(files)
	conn := openFile(t, path)
	ctx := t.Context()
	run := func(q string, args ...any) {
		t.Helper()
		if _, err := conn.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	run(`PRAGMA journal_mode = WAL`)
	run(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`)
	var all []int
	for _, f := range files {
		v, err := strconv.Atoi(strings.SplitN(filepath.Base(f), "_", 2)[0])
		if err != nil {
			t.Fatalf("migration file %s: %v", f, err)
		}
		all = append(all, v)
		if v > oldSchema {
			continue
		}
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		run(string(body))
		run(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, v, time.Now().UnixNano())
	}
	run(`INSERT INTO properties VALUES (1, 'OLD', 'Old', '', '', 'UTC', 'en', 0, 1)`)
	run(`INSERT INTO service_centers VALUES (1, 1, 'FO', 'Front Office', 'en')`)
	run(`INSERT INTO outlets VALUES (1, 1, 'FD', 'Front Desk', '', 1, 1, 1, 0)`)
	run(`INSERT INTO conversations (id, code, property_id, outlet_id, subject, status, type,
		guest_first_name, guest_last_name, guest_language, created_at, updated_at)
		VALUES (1, 'C1', 1, 1, 'Towels', 'Open', 'guest', 'Ana', 'Garcia', 'en', 1, 1)`)
	run(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO messages (code, conversation_id, seq, type, author_first_name, author_last_name,
			content, language, created_at)
		SELECT 'M' || i, 1, i, 'Guest', 'Ana', 'Garcia', 'Message ' || i || ': more towels, please', 'en', i FROM n`, messages)
	must(t, conn.Close())
	return all
}
