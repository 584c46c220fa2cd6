package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"concierge/api"
	"concierge/client"
	"concierge/internal/concierge"
	"concierge/internal/demo"
	"concierge/internal/password"
)

func TestOperationalEndpoints(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	if r := s.get(t, "/healthz"); r.Status != 200 || r.Body["status"] != "ok" {
		t.Fatalf("healthz: %d %s", r.Status, r.Raw)
	}
	if r := s.get(t, "/readyz"); r.Status != 200 || r.Body["status"] != "ok" {
		t.Fatalf("readyz: %d %s", r.Status, r.Raw)
	}
	s.loginRoom(t, "101", "Garcia")
	resp, err := http.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(buf.String(), `concierge_http_requests_total{code="200",method="POST",route="/API/V40/System/Session/`) {
		t.Fatalf("metrics: %d\n%s", resp.StatusCode, buf.String())
	}
	if !strings.Contains(s.Stdout.String(), `"demo-password"`) || !strings.Contains(s.Stdout.String(), "WARNING") {
		t.Fatalf("demo passwords not printed with a warning:\n%s", s.Stdout.String())
	}
}

func TestGracefulShutdownAndRestartKeepsData(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startServer(t, serverOptions{demo: true, dir: dir})
	ana := s.guestAt(t, "101", "Garcia")
	need(ana.CreateConversation(t.Context(), api.GuestCreateConversationRequest{Message: "kept across restarts"}, ""))(t)
	if err := s.stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if !strings.Contains(s.Stderr.String(), `"msg":"stopped"`) {
		t.Fatalf("no clean stop in logs:\n%s", s.Stderr.String())
	}
	// Same data directory: the same signing key and the same data, so the token still works.
	s2 := startServer(t, serverOptions{demo: true, dir: dir, clock: s.Clock})
	c := need(s2.guestAPI(t, ana.Token()).Messages(t.Context(), client.Page{}))(t)
	if c.TotalCount != 1 {
		t.Fatalf("after restart: %+v", c)
	}
	if _, err := os.Stat(filepath.Join(dir, "concierge.key")); err != nil && !testPostgres(t) { // PostgreSQL: in the database
		t.Fatalf("signing key not kept in the data directory: %v", err)
	}
}

func TestKeyRotation(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	s := startServer(t, serverOptions{demo: true, dir: dir})
	old := s.guestAt(t, "102", "Smith").Token()
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"concierge", "rotate-key", "--db", testDB(t, dir)},
		func(string) string { return "" }, &out, &out); err != nil {
		t.Fatalf("rotate-key: %v\n%s", err, out.String())
	}
	s2 := startServer(t, serverOptions{dir: dir, clock: s.Clock})
	need(s2.guestAPI(t, old).Messages(ctx, client.Page{}))(t)
	fresh := s2.guestAt(t, "102", "Smith").Token()
	if err := s2.stop(); err != nil {
		t.Fatal(err)
	}
	if testPostgres(t) {
		return // the rest reads the keys from the key file; PostgreSQL keeps them in the database
	}
	// Keys given by environment: only the new key, without the previous one, refuses old tokens.
	keys, err := os.ReadFile(filepath.Join(dir, "concierge.key"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Fields(string(keys))
	s3 := startServer(t, serverOptions{dir: dir, clock: s.Clock, env: map[string]string{"CONCIERGE_SESSION_KEY": lines[0]}})
	need(s3.guestAPI(t, fresh).Messages(ctx, client.Page{}))(t)
	g := s3.guestAPI(t, old)
	_, err = g.Messages(ctx, client.Page{})
	g.fail(t, err, http.StatusUnauthorized, "getMessagesResponse", "IdentityTokenInvalid")
	if err := s3.stop(); err != nil {
		t.Fatal(err)
	}
	s4 := startServer(t, serverOptions{dir: dir, clock: s.Clock, env: map[string]string{
		"CONCIERGE_SESSION_KEY": lines[0], "CONCIERGE_SESSION_KEY_PREVIOUS": lines[1]}})
	need(s4.guestAPI(t, old).Messages(ctx, client.Page{}))(t)
}

// TestOtherProperty: a second hotel on the same server. Its interface token does not open
// sessions at DEMO, and its guests reach none of DEMO's outlets, orders or messages.
func TestOtherProperty(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	clk := newClock(madridNoon(t))
	seedTwoProperties(t, dir, clk)

	s := startServer(t, serverOptions{dir: dir, clock: clk})
	for _, c := range []struct{ property, token string }{{"DEMO", "other-token"}, {"OTHER", demoToken}} {
		g := s.guestAPI(t, "")
		_, err := g.Initialise(ctx, api.GuestInitialiseRequest{PropertyCode: c.property, InterfaceToken: c.token, RoomNumber: "101", LastName: "Garcia"})
		g.fail(t, err, http.StatusUnauthorized, "initialiseSessionResponse", "InterfaceTokenInvalid")
	}

	demoAna := s.guestAt(t, "101", "Garcia")
	need(demoAna.CreateConversation(ctx, api.GuestCreateConversationRequest{Message: "demo secret", OrderCode: "ORD-1001"}, ""))(t)

	otherAna := s.guestAPI(t, "")
	sess, err := otherAna.Initialise(ctx, api.GuestInitialiseRequest{PropertyCode: "OTHER", InterfaceToken: "other-token", RoomNumber: "101", LastName: "Garcia"})
	if err != nil || sess.PropertyCode != "OTHER" {
		t.Fatalf("session %+v %v", sess, err)
	}
	_, err = otherAna.CreateConversation(ctx, api.GuestCreateConversationRequest{OrderCode: "ORD-1001"}, "")
	otherAna.fail(t, err, http.StatusNotFound, "createConversationResponse", "OrderNotFound")
	_, err = otherAna.CreateConversation(ctx, api.GuestCreateConversationRequest{OutletCode: "ROOMSERVICE"}, "")
	otherAna.fail(t, err, http.StatusNotFound, "createConversationResponse", "OutletNotFound")
	c := need(otherAna.Messages(ctx, client.Page{}))(t)
	if c.TotalCount != 0 || strings.Contains(string(otherAna.last(t).Raw), "demo secret") {
		t.Fatalf("other property's guest sees DEMO messages: %+v", c)
	}
	conv := need(otherAna.CreateConversation(ctx, api.GuestCreateConversationRequest{Message: "hola"}, ""))(t)
	if conv.OutletCode != "DESK" || conv.PropertyCode != "OTHER" {
		t.Fatalf("conversation %+v", conv)
	}
	// OTHER's only outlet refuses non-verified guests: with no outlet code, none is available.
	nv := s.guestAPI(t, "")
	need(nv.Initialise(ctx, api.GuestInitialiseRequest{PropertyCode: "OTHER", InterfaceToken: "other-token", GuestUniqueIdentifier: "kiosk"}))(t)
	_, err = nv.CreateNonVerifiedConversation(ctx, api.GuestCreateConversationRequest{Message: "hello"}, "")
	nv.fail(t, err, http.StatusConflict, "createConversationResponse", "NoOutletAvailable")
}

// seedTwoProperties writes the demo data and a second hotel, OTHER (interface token
// "other-token", one outlet DESK that refuses non-verified guests, Ana Garcia in room 101),
// into the database of dir, before a server is started on it.
func seedTwoProperties(t *testing.T, dir string, clk *clock) {
	t.Helper()
	ctx := context.Background()
	st := openTestStore(t, testDB(t, dir))
	if _, err := demo.Load(ctx, st, clk.Now(), password.Params{Memory: 64, Time: 1, Threads: 1}); err != nil {
		t.Fatal(err)
	}
	other := concierge.Property{Code: "OTHER", Name: "Other Hotel", TimeZone: "America/New_York", DefaultLanguage: "en"}
	must(t, st.CreateProperty(ctx, &other))
	must(t, concierge.NewCredentials(st, nil).CreateInterfaceToken(ctx, &concierge.InterfaceToken{Name: "other", Hash: concierge.HashSecret("other-token"), PropertyIDs: []int64{other.ID}}, nil))
	sc := concierge.ServiceCenter{PropertyID: other.ID, Code: "FO", Name: "Reception", StaffLanguage: "en"}
	must(t, st.CreateServiceCenter(ctx, &sc))
	must(t, st.CreateOutlet(ctx, &concierge.Outlet{PropertyID: other.ID, Code: "DESK", Name: "Desk", ServiceCenterID: sc.ID, AllowGuestMessages: true}))
	today := concierge.DateOf(clk.Now(), other.Location())
	must(t, st.CreateStay(ctx, &concierge.Stay{PropertyID: other.ID, RoomNumber: "101", FirstName: "Ana", LastName: "Garcia",
		Language: "es", Arrival: today.AddDays(-1), Departure: today.AddDays(1)}))
	must(t, st.Close())
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestSubcommands(t *testing.T) {
	env := func(string) string { return "" }
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"concierge", "version"}, env, &out, &errOut); err != nil || !strings.HasPrefix(out.String(), "concierge dev") {
		t.Fatalf("version: %v %q", err, out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"concierge", "help"}, env, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"serve", "migrate", "version", "--addr", "CONCIERGE_ADDR", "CONCIERGE_DB", "CONCIERGE_DEMO", "CONCIERGE_SESSION_KEY", "CONCIERGE_SESSION_IDLE"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q", want)
		}
	}
	if err := run(context.Background(), []string{"concierge", "frobnicate"}, env, &out, &errOut); err == nil {
		t.Fatal("unknown command accepted")
	}
	if err := run(context.Background(), []string{"concierge", "serve", "--no-such-flag"}, env, &out, &errOut); err == nil {
		t.Fatal("unknown flag accepted")
	}
	if err := run(context.Background(), []string{"concierge", "serve"}, func(k string) string {
		if k == "CONCIERGE_SESSION_IDLE" {
			return "soon"
		}
		return ""
	}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "CONCIERGE_SESSION_IDLE") {
		t.Fatalf("bad env value: %v", err)
	}

	db := filepath.Join(t.TempDir(), "m.db")
	out.Reset()
	if err := run(context.Background(), []string{"concierge", "migrate", "--db", db}, env, &out, &errOut); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if !strings.Contains(out.String(), "migration(s) applied") || strings.Contains(out.String(), ": 0 migration") {
		t.Fatalf("first migrate: %q", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"concierge", "migrate"}, func(k string) string {
		if k == "CONCIERGE_DB" {
			return db
		}
		return ""
	}, &out, &errOut); err != nil || !strings.Contains(out.String(), ": 0 migration(s) applied") {
		t.Fatalf("second migrate (db from env): %v %q", err, out.String())
	}
}

func TestEnvironmentConfiguresServe(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// CONCIERGE_ADDR is overridden by the --addr flag the harness passes; CONCIERGE_SESSION_IDLE applies.
	s := startServer(t, serverOptions{demo: true, dir: dir, env: map[string]string{
		"CONCIERGE_ADDR": "127.0.0.1:1", "CONCIERGE_SESSION_IDLE": "1h"}})
	g := s.guestAPI(t, "")
	need(g.Initialise(t.Context(), api.GuestInitialiseRequest{PropertyCode: "DEMO", InterfaceToken: demoToken, GuestUniqueIdentifier: "g"}))(t)
	s.Clock.Advance(61 * time.Minute)
	_, err := g.Messages(t.Context(), client.Page{})
	g.fail(t, err, http.StatusUnauthorized, "getMessagesResponse", "IdentityTokenExpired")
}

// TestDebugListener: --debug-addr serves Go's profiles on a listener of its own, announced on
// stdout; the public listener does not serve them.
func TestDebugListener(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true, args: []string{"--debug-addr", "127.0.0.1:0"}})
	var debugURL string
	for _, line := range strings.Split(s.Stdout.String(), "\n") {
		if rest, ok := strings.CutPrefix(line, "Concierge debug on "); ok {
			debugURL = strings.TrimSpace(rest)
		}
	}
	if debugURL == "" {
		t.Fatalf("no 'Concierge debug on' line in stdout:\n%s", s.Stdout.String())
	}
	get := func(url string) (int, string) {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if status, body := get(debugURL + "/debug/pprof/goroutine?debug=1"); status != http.StatusOK || !strings.Contains(body, "goroutine profile") {
		t.Errorf("debug listener goroutine profile: %d %.200q", status, body)
	}
	if status, _ := get(s.URL + "/debug/pprof/"); status != http.StatusNotFound {
		t.Errorf("public listener /debug/pprof/: %d, want 404", status)
	}
}

// TestGCPercent: serve sets the collector's target from --gc-percent (default 200), unless the
// environment sets GOGC.
func TestGCPercent(t *testing.T) {
	current := func() int {
		v := debug.SetGCPercent(100)
		debug.SetGCPercent(v)
		return v
	}
	defer debug.SetGCPercent(current())
	debug.SetGCPercent(100)
	s := startServer(t, serverOptions{demo: true, args: []string{"--gc-percent", "250"}})
	if got := current(); got != 250 {
		t.Errorf("GC percent with --gc-percent 250 = %d", got)
	}
	must(t, s.stop())
	debug.SetGCPercent(100)
	s = startServer(t, serverOptions{demo: true})
	if got := current(); got != 200 {
		t.Errorf("default GC percent = %d, want 200", got)
	}
	must(t, s.stop())
	debug.SetGCPercent(100)
	startServer(t, serverOptions{demo: true, env: map[string]string{"GOGC": "100"}, args: []string{"--gc-percent", "250"}})
	if got := current(); got != 100 {
		t.Errorf("GC percent with GOGC set = %d, want 100 (the environment's)", got)
	}
}
