package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"concierge/api"
)

// Live events (SPEC §6) over real SSE connections to the real program.

const (
	pathGuestEvents = "/API/V40/Interactive/Messages/Events"
	pathStaffEvents = "/api/v1/events"
)

// sseEvent is one event read from a stream; Data decoded as a JSON object.
type sseEvent struct {
	ID    int64
	Event string
	Raw   string
	Data  map[string]any
}

// sseStream is an open event stream read by a goroutine.
type sseStream struct {
	resp     *http.Response
	events   chan sseEvent
	comments chan string
	done     chan struct{} // closed when the server ends the stream
	cancel   context.CancelFunc
}

// openEvents opens an event stream at path with the headers; it fails unless the answer is a
// 200 event stream.
func (s *server) openEvents(t testing.TB, path string, header map[string]string) *sseStream {
	t.Helper()
	st, status, body := s.tryEvents(t, path, header)
	if st == nil {
		t.Fatalf("GET %s: HTTP %d: %s", path, status, body)
	}
	return st
}

// tryEvents opens an event stream; on an answer other than 200 it returns nil with the status
// and body.
func (s *server) tryEvents(t testing.TB, path string, header map[string]string) (*sseStream, int, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		checkAgainstOpenAPI(t, req, nil, resp.StatusCode, resp.Header, raw)
		return nil, resp.StatusCode, string(raw)
	}
	checkAgainstOpenAPI(t, req, nil, resp.StatusCode, resp.Header, nil) // the stream's status and headers
	for k, want := range map[string]string{"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	st := &sseStream{resp: resp, events: make(chan sseEvent, 20000), comments: make(chan string, 100),
		done: make(chan struct{}), cancel: cancel}
	go st.read(t)
	t.Cleanup(st.close)
	return st, resp.StatusCode, ""
}

func (st *sseStream) read(t testing.TB) {
	defer close(st.done)
	sc := bufio.NewScanner(st.resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var ev sseEvent
	var data string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if ev.Event != "" || data != "" {
				ev.Raw = data
				if err := json.Unmarshal([]byte(data), &ev.Data); err != nil {
					t.Errorf("event data is not a JSON object: %q", data)
				}
				st.events <- ev
			}
			ev, data = sseEvent{}, ""
		case strings.HasPrefix(line, ":"):
			select {
			case st.comments <- line:
			default:
			}
		case strings.HasPrefix(line, "id: "):
			n, err := strconv.ParseInt(line[4:], 10, 64)
			if err != nil {
				t.Errorf("bad id line %q", line)
			}
			ev.ID = n
		case strings.HasPrefix(line, "event: "):
			ev.Event = line[7:]
		case strings.HasPrefix(line, "data: "):
			data += line[6:]
		case strings.HasPrefix(line, "retry: "):
		default:
			t.Errorf("unexpected stream line %q", line)
		}
	}
}

func (st *sseStream) close() {
	st.cancel()
	st.resp.Body.Close()
	<-st.done
}

// next returns the next event, failing after a few seconds without one.
func (st *sseStream) next(t testing.TB) sseEvent {
	t.Helper()
	select {
	case ev := <-st.events:
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10 s")
	}
	return sseEvent{}
}

// none fails if an event arrives within d.
func (st *sseStream) none(t testing.TB, d time.Duration) {
	t.Helper()
	select {
	case ev := <-st.events:
		t.Fatalf("unexpected event %d %s %s", ev.ID, ev.Event, ev.Raw)
	case <-time.After(d):
	}
}

// summary is an event reduced for comparisons: kind, conversation and message type.
func (ev sseEvent) summary() string {
	s := ev.Event + " " + fmt.Sprint(ev.Data["conversationCode"])
	if ev.Data["kind"] != ev.Event {
		s += " kind=" + fmt.Sprint(ev.Data["kind"])
	}
	if m, ok := ev.Data["message"].(map[string]any); ok {
		if typ, ok := m["messageType"]; ok {
			s += " " + fmt.Sprint(typ)
		} else {
			s += " " + fmt.Sprint(m["type"])
		}
	}
	return s
}

func (st *sseStream) wantSummaries(t testing.TB, who string, want ...string) []sseEvent {
	t.Helper()
	var got []sseEvent
	for i, w := range want {
		ev := st.next(t)
		got = append(got, ev)
		if ev.summary() != w {
			t.Fatalf("%s: event %d = %q (%s), want %q", who, i, ev.summary(), ev.Raw, w)
		}
		if i > 0 && ev.ID <= got[i-1].ID {
			t.Fatalf("%s: ids not increasing: %d after %d", who, ev.ID, got[i-1].ID)
		}
	}
	return got
}

// noLimits are the environment of a server without rate limits.
var noLimits = map[string]string{
	"CONCIERGE_RATE_ADDRESS":         "0",
	"CONCIERGE_RATE_SESSION":         "0",
	"CONCIERGE_RATE_INTERFACE_TOKEN": "0",
}

func guestEventsPath(token string) string {
	return pathGuestEvents + "?SessionToken=" + url.QueryEscape(token)
}

func TestEventsAuthorisation(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true, env: noLimits})
	ctx := t.Context()
	ana, john := s.roomGuest(t, "101", "Garcia"), s.roomGuest(t, "102", "Smith")
	fd, rs, admin := s.loggedIn(t, "frontdesk"), s.loggedIn(t, "roomservice"), s.loggedIn(t, "admin")

	anaSt := s.openEvents(t, guestEventsPath(ana.Token()), nil)
	johnSt := s.openEvents(t, pathGuestEvents, map[string]string{"Authorization": "Session " + john.Token()})
	fdSt := s.openEvents(t, pathStaffEvents, bearer(fd.Token()))
	rsSt := s.openEvents(t, pathStaffEvents, bearer(rs.Token()))
	adminSt := s.openEvents(t, pathStaffEvents, bearer(admin.Token()))

	a := ana.open(t, "FRONTDESK", "Hola, ¿hay toallas?")
	fd.reply(t, a, "Note", "secret note")
	fd.reply(t, a, "Staff", "Sí, ahora mismo.")
	if err := ana.MarkRead(ctx, a, ""); err != nil {
		t.Fatal(err)
	}
	b := john.open(t, "ROOMSERVICE", "Room service please")
	need(ana.AddMessage(ctx, a, "Gracias", ""))(t)

	anaEv := anaSt.wantSummaries(t, "ana",
		"conversation.updated "+a, "message.created "+a+" Guest", "message.created "+a+" Staff",
		"message.read "+a, "message.created "+a+" Guest")
	johnSt.wantSummaries(t, "john", "conversation.updated "+b, "message.created "+b+" Guest")
	fdEv := fdSt.wantSummaries(t, "frontdesk",
		"conversation.updated "+a, "message.created "+a+" Guest", "message.created "+a+" Note",
		"message.created "+a+" Staff", "message.read "+a, "message.created "+a+" Guest")
	rsSt.wantSummaries(t, "roomservice", "conversation.updated "+b, "message.created "+b+" Guest")
	adminSt.wantSummaries(t, "admin",
		"conversation.updated "+a, "message.created "+a+" Guest", "message.created "+a+" Note",
		"message.created "+a+" Staff", "message.read "+a,
		"conversation.updated "+b, "message.created "+b+" Guest", "message.created "+a+" Guest")
	for _, st := range []*sseStream{anaSt, johnSt, fdSt, rsSt} {
		st.none(t, 200*time.Millisecond)
	}

	// Guests get the guest wire shapes (SPEC §4.2), staff the staff shapes.
	msgKeys := keysOf(t, rawPath(t, []byte(anaEv[1].Raw), "message"))
	wantKeys := []string{"createDate", "code", "isRead", "serviceCenterName", "messageType", "content",
		"firstName", "lastName", "languageCode", "isTranslated", "conversationId"}
	if strings.Join(msgKeys, ",") != strings.Join(wantKeys, ",") {
		t.Errorf("guest message keys %v, want %v", msgKeys, wantKeys)
	}
	if got := keysOf(t, []byte(anaEv[1].Raw)); strings.Join(got, ",") != "kind,conversationCode,message" {
		t.Errorf("guest event keys %v", got)
	}
	if conv := anaEv[3].guestEvent(t).Conversation; conv == nil || conv.UnreadCount != 0 || conv.Code != a {
		t.Errorf("guest message.read conversation %s", anaEv[3].Raw)
	}
	if m := fdEv[2].staffEvent(t).Message; m == nil || m.Content != "secret note" || m.Author.Username == nil || *m.Author.Username != "frontdesk" {
		t.Errorf("staff note event %s", fdEv[2].Raw)
	}
	if c := fdEv[0].staffEvent(t).Conversation; c == nil || c.Code != a || c.ServiceCenterCode != "FO" {
		t.Errorf("staff conversation event %s", fdEv[0].Raw)
	}
	for _, ev := range anaEv {
		if strings.Contains(ev.Raw, "secret note") {
			t.Errorf("a note reached the guest: %s", ev.Raw)
		}
	}

	// Order status changes: a System message and order.updated, to the guest and the staff.
	ord := need(john.CreateConversation(ctx, api.GuestCreateConversationRequest{OutletCode: "ROOMSERVICE", Message: "About my order",
		ConversationType: "guest", OrderCode: "ORD-1002"}, ""))(t).Code
	johnSt.wantSummaries(t, "john", "conversation.updated "+ord, "message.created "+ord+" Guest")
	need(admin.PutOrder(ctx, "DEMO", "ORD-1002", api.OrderRequest{BookingReference: "DEMO-102", OutletCode: "ROOMSERVICE", Status: "Delivering"}))(t)
	admin.wantStatus(t, http.StatusOK)
	evs := johnSt.wantSummaries(t, "john", "message.created "+ord+" System", "order.updated "+ord)
	if o := evs[1].guestEvent(t).Order; o == nil || o.Code != "ORD-1002" || o.Status != "Delivering" {
		t.Errorf("order.updated order %s", evs[1].Raw)
	}
	rsSt.wantSummaries(t, "roomservice", "conversation.updated "+ord, "message.created "+ord+" Guest",
		"message.created "+ord+" System", "order.updated "+ord)
	anaSt.none(t, 200*time.Millisecond)
	fdSt.none(t, 0)

	// Staff acts: assignment, close, move reach the staff who may see them.
	need(fd.Assign(ctx, a, "frontdesk"))(t)
	need(fd.Close(ctx, a))(t)
	fdSt.wantSummaries(t, "frontdesk", "conversation.updated "+a, "conversation.updated "+a)
	anaSt.wantSummaries(t, "ana", "conversation.updated "+a, "conversation.updated "+a)

	// Failures before the stream: the API's own error shapes.
	_, err := s.guestWithToken(t, "nope").Events(ctx, "")
	wantCode(t, "bad token", err, "IdentityTokenInvalid", 401)
	s.get(t, pathGuestEvents+"?SessionToken=nope").wantFailure(t, 401, api.ItemGetEvents, "IdentityTokenInvalid")
	s.get(t, guestEventsPath(ana.Token())+"&LastEventId=abc").wantFailure(t, 400, api.ItemGetEvents, "ValidationFailed")
	_, err = ana.Events(ctx, "abc")
	wantCode(t, "bad Last-Event-ID", err, "ValidationFailed", 400)
	anon := s.guestApp(t)
	need(anon.Initialise(ctx, api.GuestInitialiseRequest{PropertyCode: "DEMO", InterfaceToken: demoToken}))(t)
	s.get(t, guestEventsPath(anon.Token())).wantFailure(t, 403, api.ItemGetEvents, "GuestNotVerified")
	_, err = s.staffApp(t).Events(ctx, "")
	wantCode(t, "staff events without a token", err, "AuthenticationFailed", 401)
	if _, status, _ := s.tryEvents(t, pathStaffEvents, nil); status != 401 {
		t.Errorf("staff events without a token: HTTP %d, want 401", status)
	}
}

// TestEventsResumeMidBurst: two writers (the guest and the staff) race 1,000 messages into a
// conversation while a guest stream and a staff stream each disconnect in the middle and
// resume with Last-Event-ID (header for one, query for the other): each receives every
// message exactly once, in order.
func TestEventsResumeMidBurst(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true, env: noLimits})
	ctx := t.Context()
	anaApp := s.roomGuest(t, "101", "Garcia")
	fdApp := s.loggedIn(t, "frontdesk")
	ana, fd := anaApp.Token(), fdApp.Token()
	conv := anaApp.open(t, "FRONTDESK", "start")

	guest := s.openEvents(t, guestEventsPath(ana), nil)
	staff := s.openEvents(t, pathStaffEvents, bearer(fd))

	const perWriter = 500
	var mu sync.Mutex
	posted := map[string]bool{}
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range perWriter {
			m := need(anaApp.AddMessage(ctx, conv, fmt.Sprintf("guest %d", i), ""))(t)
			mu.Lock()
			posted[m.Code] = true
			mu.Unlock()
		}
	})
	wg.Go(func() {
		for i := range perWriter {
			m := need(fdApp.AddMessage(ctx, conv, api.AddMessageRequest{Type: "Staff", Content: fmt.Sprintf("staff %d", i)}, ""))(t)
			mu.Lock()
			posted[m.Code] = true
			mu.Unlock()
		}
	})

	// receive reads message.created events of the burst until it has want of them, resuming
	// once after cutAfter of them.
	receive := func(st *sseStream, who string, resume func(last int64) *sseStream, code func(sseEvent) string, cutAfter, want int) []string {
		var codes []string
		var last int64
		seen := map[int64]bool{}
		for len(codes) < want {
			if len(codes) == cutAfter && resume != nil {
				st.close()
				st = resume(last)
				resume = nil
			}
			ev := st.next(t)
			if seen[ev.ID] || ev.ID <= last {
				t.Fatalf("%s: event %d after %d (duplicate or out of order)", who, ev.ID, last)
			}
			seen[ev.ID], last = true, ev.ID
			if ev.Event != "message.created" {
				continue
			}
			codes = append(codes, code(ev))
		}
		return codes
	}
	var guestCodes, staffCodes []string
	var rg sync.WaitGroup
	rg.Go(func() {
		guestCodes = receive(guest, "guest", func(last int64) *sseStream {
			return s.openEvents(t, guestEventsPath(ana), map[string]string{"Last-Event-ID": strconv.FormatInt(last, 10)})
		}, func(ev sseEvent) string { return ev.guestEvent(t).Message.Code }, 300, 2*perWriter)
	})
	rg.Go(func() {
		staffCodes = receive(staff, "staff", func(last int64) *sseStream {
			return s.openEvents(t, pathStaffEvents+"?lastEventId="+strconv.FormatInt(last, 10), bearer(fd))
		}, func(ev sseEvent) string { return ev.staffEvent(t).Message.Code }, 700, 2*perWriter)
	})
	wg.Wait()
	rg.Wait()
	for who, codes := range map[string][]string{"guest": guestCodes, "staff": staffCodes} {
		got := map[string]bool{}
		for _, c := range codes {
			if got[c] {
				t.Errorf("%s: message %s twice", who, c)
			}
			got[c] = true
		}
		if len(got) != len(posted) {
			t.Errorf("%s: %d distinct messages, want %d", who, len(got), len(posted))
		}
		for c := range posted {
			if !got[c] {
				t.Errorf("%s: message %s never delivered", who, c)
			}
		}
	}
}

// TestEventsReload: a resume point whose events were pruned (or that is ahead of the log)
// answers an event telling the client to reload, then the live stream.
func TestEventsReload(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	clk := newClock(madridNoon(t))
	s := startServer(t, serverOptions{demo: true, env: noLimits, dir: dir, clock: clk})
	conv := s.roomGuest(t, "101", "Garcia").open(t, "FRONTDESK", "old news")
	admin := s.loggedIn(t, "admin").Token()
	st := s.openEvents(t, pathStaffEvents+"?lastEventId=0", bearer(admin))
	first := st.wantSummaries(t, "admin", "conversation.updated "+conv, "message.created "+conv+" Guest")
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}

	// A week and a day later the events are pruned at start-up.
	clk.Advance(8 * 24 * time.Hour)
	s2 := startServer(t, serverOptions{env: noLimits, dir: dir, clock: clk})
	admin = s2.loggedIn(t, "admin").Token()
	for _, last := range []string{strconv.FormatInt(first[0].ID, 10), "0", "999999"} {
		st := s2.openEvents(t, pathStaffEvents, map[string]string{"Authorization": "Bearer " + admin, "Last-Event-ID": last})
		ev := st.next(t)
		if ev.Event != "reload" || ev.ID != first[1].ID {
			t.Errorf("Last-Event-ID %s: first event %s id %d, want reload id %d", last, ev.Event, ev.ID, first[1].ID)
		}
		st.close()
	}
	// The latest id resumes without a reload.
	st2 := s2.openEvents(t, pathStaffEvents, map[string]string{"Authorization": "Bearer " + admin, "Last-Event-ID": strconv.FormatInt(first[1].ID, 10)})
	st2.none(t, 200*time.Millisecond)
}

// TestEventsOperations: the stream cap per session, heartbeats, /readyz and /metrics, and a
// shutdown that ends open streams cleanly with run returning nil.
func TestEventsOperations(t *testing.T) {
	t.Parallel()
	env := map[string]string{"CONCIERGE_EVENT_HEARTBEAT": "50ms", "CONCIERGE_EVENT_STREAMS_PER_SESSION": "2"}
	for k, v := range noLimits {
		env[k] = v
	}
	s := startServer(t, serverOptions{demo: true, env: env})
	ctx := t.Context()
	anaApp := s.roomGuest(t, "101", "Garcia")
	fdApp := s.loggedIn(t, "frontdesk")
	ana, fd := anaApp.Token(), fdApp.Token()

	g1 := s.openEvents(t, guestEventsPath(ana), nil)
	s.openEvents(t, guestEventsPath(ana), nil)
	s.get(t, guestEventsPath(ana)).wantFailure(t, 429, api.ItemGetEvents, "RateLimited")
	_, err := anaApp.Events(ctx, "")
	wantCode(t, "third guest stream", err, "RateLimited", 429)
	s1 := s.openEvents(t, pathStaffEvents, bearer(fd))
	s.openEvents(t, pathStaffEvents, bearer(fd))
	if _, status, body := s.tryEvents(t, pathStaffEvents, bearer(fd)); status != 429 || !strings.Contains(body, `"RateLimited"`) {
		t.Errorf("third staff stream: HTTP %d %s, want 429 RateLimited", status, body)
	}
	// Another session has its own streams; a closed stream gives its slot back.
	johnApp := s.roomGuest(t, "102", "Smith")
	johnSt := s.openEvents(t, guestEventsPath(johnApp.Token()), nil)
	g1.close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, status, _ := s.tryEvents(t, guestEventsPath(ana), nil)
		if st != nil {
			break
		}
		if status != 429 || time.Now().After(deadline) {
			t.Fatalf("after closing a stream: HTTP %d", status)
		}
		time.Sleep(20 * time.Millisecond)
	}

	// Heartbeats on idle streams.
	select {
	case c := <-s1.comments:
		if c != ": ping" {
			t.Errorf("heartbeat %q", c)
		}
	case <-time.After(5 * time.Second):
		t.Error("no heartbeat within 5 s at a 50 ms interval")
	}

	// Health of the live path.
	conv := anaApp.open(t, "FRONTDESK", "hello")
	s1.wantSummaries(t, "frontdesk", "conversation.updated "+conv, "message.created "+conv+" Guest")
	r := s.get(t, "/readyz")
	var ready struct {
		Checks          map[string]string `json:"checks"`
		EventsLatestSeq int64             `json:"eventsLatestSeq"`
	}
	_ = json.Unmarshal(r.Raw, &ready)
	if r.Status != 200 || ready.Checks["events"] != "ok" || ready.EventsLatestSeq == 0 {
		t.Errorf("readyz: %d %s", r.Status, r.Raw)
	}
	resp, err := http.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`concierge_event_streams_open{api="guest"} 3`, `concierge_event_streams_open{api="staff_sse"} 2`,
		`concierge_events_delivered_total{api="staff_sse"}`, `concierge_event_delivery_lag_seconds_count`} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	// A stream ends when its session or login does, before delivering anything more.
	jc := johnApp.open(t, "FRONTDESK", "bye soon")
	johnSt.wantSummaries(t, "john", "conversation.updated "+jc, "message.created "+jc+" Guest")
	admin := s.loggedIn(t, "admin")
	adminSt := s.openEvents(t, pathStaffEvents, bearer(admin.Token()))
	if err := johnApp.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if err := admin.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	fdApp.reply(t, jc, "Staff", "after logout")
	for who, st := range map[string]*sseStream{"guest": johnSt, "staff": adminSt} {
		select {
		case <-st.done:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s stream still open after logout", who)
		}
		if len(st.events) != 0 {
			t.Errorf("%s stream delivered %+v after logout", who, <-st.events)
		}
	}
	s1.wantSummaries(t, "frontdesk", "conversation.updated "+jc, "message.created "+jc+" Guest", "message.created "+jc+" Staff")

	// Shutdown closes every stream; run returns nil.
	stopped := make(chan error, 1)
	go func() { stopped <- s.stop() }()
	select {
	case <-s1.done:
	case <-time.After(10 * time.Second):
		t.Fatal("a stream stayed open during shutdown")
	}
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatalf("run returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after shutdown")
	}
}

// TestEventsWebSocket: the staff WebSocket carries the same events as the staff SSE stream,
// resumes with lastEventId, and closes on shutdown.
func TestEventsWebSocket(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true, env: noLimits})
	ana := s.roomGuest(t, "101", "Garcia")
	fdApp := s.loggedIn(t, "frontdesk")
	fd := fdApp.Token()
	a := ana.open(t, "FRONTDESK", "towels")
	ana.open(t, "ROOMSERVICE", "breakfast") // not frontdesk's
	fdApp.reply(t, a, "Note", "note")

	dial := func(query string) *websocket.Conn {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		c, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.URL, "http")+pathStaffEvents+"/ws"+query,
			&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + fd}}})
		if err != nil {
			t.Fatalf("dial: %v (%v)", err, resp)
		}
		t.Cleanup(func() { c.CloseNow() })
		return c
	}
	type wsEvent struct {
		ID   int64           `json:"id"`
		Kind string          `json:"kind"`
		Data json.RawMessage `json:"data"`
	}
	read := func(c *websocket.Conn) wsEvent {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		typ, b, err := c.Read(ctx)
		if err != nil || typ != websocket.MessageText {
			t.Fatalf("read: %v %v", typ, err)
		}
		var ev wsEvent
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatalf("message %s: %v", b, err)
		}
		return ev
	}

	ws := dial("?lastEventId=0")
	sse := s.openEvents(t, pathStaffEvents+"?lastEventId=0", bearer(fd))
	fdApp.reply(t, a, "Staff", "coming")
	var wsEvents []wsEvent
	for range 4 {
		want := sse.next(t)
		got := read(ws)
		wsEvents = append(wsEvents, got)
		if got.ID != want.ID || got.Kind != want.Event || string(got.Data) != want.Raw {
			t.Errorf("WebSocket event %d %s %s, SSE %d %s %s", got.ID, got.Kind, got.Data, want.ID, want.Event, want.Raw)
		}
	}
	if wsEvents[2].Kind != "message.created" || !strings.Contains(string(wsEvents[2].Data), `"Note"`) {
		t.Errorf("third event %+v, want the note", wsEvents[2])
	}
	sse.none(t, 200*time.Millisecond)

	// Resume after the first event.
	ws2 := dial("?lastEventId=" + strconv.FormatInt(wsEvents[0].ID, 10))
	for _, want := range wsEvents[1:] {
		if got := read(ws2); got.ID != want.ID || string(got.Data) != string(want.Data) {
			t.Errorf("resumed WebSocket event %d, want %d", got.ID, want.ID)
		}
	}

	// Shutdown closes the WebSocket with "going away".
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if _, _, err := ws.Read(ctx); websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Errorf("after shutdown: %v, want close status going away", err)
	}
}
