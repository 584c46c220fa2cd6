package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"concierge/api"
	"concierge/internal/pgtest"
)

// Streams end when their right ends (issue 17, items 5 and 6): a change that ends a session's
// or a login's right — a logout, a revoked API key or interface token, a stay's departure
// moved into the past, an erasure, a disabled staff user, a lost service center — closes the
// streams it concerns at once (waited for here with a generous timeout, never timed), on the
// node that made the change and on every other node; other streams go on.

// streamEndWait is how long a test waits for a stream to end: far above the second the design
// takes, so that a slow machine never fails the test.
const streamEndWait = 10 * time.Second

// waitEnded fails unless the server ends the SSE stream within streamEndWait.
func (st *sseStream) waitEnded(t testing.TB, who string) {
	t.Helper()
	select {
	case <-st.done:
	case <-time.After(streamEndWait):
		t.Fatalf("%s: the stream is still open %s after its right ended", who, streamEndWait)
	}
}

// stillDelivers fails unless the SSE stream is open and delivers an event made by write.
func (st *sseStream) stillDelivers(t testing.TB, who string, write func()) {
	t.Helper()
	select {
	case <-st.done:
		t.Fatalf("%s: the stream ended, though its right did not", who)
	default:
	}
	write()
	select {
	case <-st.events:
	case <-st.done:
		t.Fatalf("%s: the stream ended, though its right did not", who)
	case <-time.After(streamEndWait):
		t.Fatalf("%s: no event within %s", who, streamEndWait)
	}
}

// staffWS is a staff WebSocket event stream read by a goroutine; ended is closed with the
// connection.
type staffWS struct {
	ended chan struct{}
	err   error // the read error that ended it, set before ended is closed
}

// openStaffWS dials the staff WebSocket with token and reads it until it closes.
func (s *server) openStaffWS(t testing.TB, token string) *staffWS {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), streamEndWait)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.URL, "http")+pathStaffEvents+"/ws",
		&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + token}}})
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, resp)
	}
	ws := &staffWS{ended: make(chan struct{})}
	go func() {
		defer close(ws.ended)
		for {
			if _, _, err := c.Read(context.Background()); err != nil {
				ws.err = err
				return
			}
		}
	}()
	t.Cleanup(func() {
		c.CloseNow()
		<-ws.ended
	})
	return ws
}

// waitEnded fails unless the server closes the WebSocket within streamEndWait.
func (ws *staffWS) waitEnded(t testing.TB, who string) {
	t.Helper()
	select {
	case <-ws.ended:
		if st := websocket.CloseStatus(ws.err); st != websocket.StatusPolicyViolation {
			t.Errorf("%s: WebSocket ended with %v, want close status %d (policy violation)", who, ws.err, websocket.StatusPolicyViolation)
		}
	case <-time.After(streamEndWait):
		t.Fatalf("%s: the WebSocket is still open %s after its right ended", who, streamEndWait)
	}
}

// wantStaffEnded waits for the SSE stream and the WebSocket of a staff credential to end,
// and checks that the credential opens no new stream (401).
func wantStaffEnded(t *testing.T, watch *server, credential string, st *sseStream, ws *staffWS, who string) {
	t.Helper()
	st.waitEnded(t, who)
	ws.waitEnded(t, who)
	if _, status, _ := watch.tryEvents(t, pathStaffEvents, bearer(credential)); status != http.StatusUnauthorized {
		t.Errorf("%s: reconnecting: HTTP %d, want 401", who, status)
	}
}

// The scenarios: each opens streams on watch, ends a right through act (the same server, or
// another node) and checks that exactly the streams concerned end. They use disjoint demo
// data, so that they may run one after the other on the same database.

// endsOnGuestLogout: a guest logout ends that session's stream; another session of the same
// stay goes on.
func endsOnGuestLogout(t *testing.T, act, watch *server) {
	tok, other := watch.roomGuest(t, "101", "Garcia").Token(), watch.roomGuest(t, "101", "Garcia").Token()
	st, bystander := watch.openEvents(t, guestEventsPath(tok), nil), watch.openEvents(t, guestEventsPath(other), nil)
	if err := act.guestWithToken(t, tok).Logout(t.Context()); err != nil {
		t.Fatal(err)
	}
	st.waitEnded(t, "logged-out session")
	g := watch.guestWithToken(t, tok)
	_, err := g.Events(t.Context(), "")
	wantCode(t, "logged-out session", err, "IdentityTokenExpired", 401)
	watch.get(t, guestEventsPath(tok)).wantFailure(t, 401, api.ItemGetEvents, "IdentityTokenExpired")
	bystander.stillDelivers(t, "the stay's other session", func() { act.guestWithToken(t, other).open(t, "FRONTDESK", "still here") })
}

// endsOnDepartureMoved: the PMS moves the stay's departure into the past: its session's
// stream ends (REST already refuses the session).
func endsOnDepartureMoved(t *testing.T, act, watch *server) {
	tok := watch.roomGuest(t, "102", "Smith").Token()
	st := watch.openEvents(t, guestEventsPath(tok), nil)
	bystanderTok := watch.roomGuest(t, "101", "Garcia").Token()
	bystander := watch.openEvents(t, guestEventsPath(bystanderTok), nil)
	admin := act.loggedIn(t, "admin")
	need(admin.PutStay(t.Context(), "DEMO", "DEMO-102", api.StayRequest{RoomNumber: "102", FirstName: "John", LastName: "Smith",
		LanguageCode: "en", Arrival: "2020-01-01", Departure: "2020-01-05"}))(t)
	admin.wantStatus(t, http.StatusOK)
	st.waitEnded(t, "session of a stay that departed")
	watch.get(t, guestEventsPath(tok)).wantFailure(t, 401, api.ItemGetEvents, "IdentityTokenExpired")
	bystander.stillDelivers(t, "another stay's session", func() { act.guestWithToken(t, bystanderTok).open(t, "FRONTDESK", "hello") })
}

// endsOnErasure: erasing a non-verified guest, and a stay, ends their sessions' streams.
func endsOnErasure(t *testing.T, act, watch *server) {
	ctx := t.Context()
	ident := fmt.Sprintf("erased-guest-%d", time.Now().UnixNano())
	g := watch.identifiedGuest(t, ident, "")
	guestTok := g.Token()
	need(g.CreateNonVerifiedConversation(ctx, api.GuestCreateConversationRequest{OutletCode: "FRONTDESK", Message: "hi"}, ""))(t)
	stayTok := watch.roomGuest(t, "103", "Müller").Token()
	guestSt, staySt := watch.openEvents(t, guestEventsPath(guestTok), nil), watch.openEvents(t, guestEventsPath(stayTok), nil)
	admin := act.loggedIn(t, "admin")
	need(admin.EraseGuestData(ctx, "DEMO", api.GuestRef{GuestIdentifier: ident}))(t)
	guestSt.waitEnded(t, "erased guest")
	need(admin.EraseGuestData(ctx, "DEMO", api.GuestRef{BookingReference: "DEMO-103"}))(t)
	staySt.waitEnded(t, "erased stay")
	watch.get(t, guestEventsPath(stayTok)).wantFailure(t, 401, api.ItemGetEvents, "IdentityTokenInvalid")
}

// endsOnStaffLogout: a staff logout ends that login's SSE stream and WebSocket; another login
// of the same user goes on.
func endsOnStaffLogout(t *testing.T, act, watch *server) {
	tok, other := watch.loggedIn(t, "frontdesk").Token(), watch.loggedIn(t, "frontdesk").Token()
	st, ws := watch.openEvents(t, pathStaffEvents, bearer(tok)), watch.openStaffWS(t, tok)
	bystander := watch.openEvents(t, pathStaffEvents, bearer(other))
	c := act.staffWithToken(t, tok)
	if err := c.Logout(t.Context()); err != nil {
		t.Fatal(err)
	}
	c.wantStatus(t, http.StatusNoContent)
	wantStaffEnded(t, watch, tok, st, ws, "logged-out login")
	guest := watch.roomGuest(t, "101", "Garcia").Token()
	bystander.stillDelivers(t, "the user's other login", func() { act.guestWithToken(t, guest).open(t, "FRONTDESK", "towels") })
}

// endsOnAPIKeyRevoked: revoking an API key ends the streams opened with it.
func endsOnAPIKeyRevoked(t *testing.T, act, watch *server) {
	admin := act.loggedIn(t, "admin")
	key := need(admin.CreateAPIKey(t.Context(), api.APIKeyRequest{Name: "PMS", Role: "manager", Properties: []string{"DEMO"}}))(t)
	admin.wantStatus(t, http.StatusCreated)
	secret := key.Secret
	st, ws := watch.openEvents(t, pathStaffEvents, bearer(secret)), watch.openStaffWS(t, secret)
	bystander := watch.openEvents(t, pathStaffEvents, bearer(admin.Token()))
	need(admin.RevokeAPIKey(t.Context(), key.ID))(t)
	wantStaffEnded(t, watch, secret, st, ws, "revoked API key")
	guest := watch.roomGuest(t, "101", "Garcia").Token()
	bystander.stillDelivers(t, "the admin's login", func() { act.guestWithToken(t, guest).open(t, "FRONTDESK", "hello") })
}

// endsOnLostGrant: a staff user moved from the front office to room service loses the front
// office's conversations: their streams end (and a new one sees what the user now may).
func endsOnLostGrant(t *testing.T, act, watch *server) {
	tok := watch.loggedIn(t, "frontdesk").Token()
	st, ws := watch.openEvents(t, pathStaffEvents, bearer(tok)), watch.openStaffWS(t, tok)
	admin := act.loggedIn(t, "admin")
	need(admin.UpdateStaffUser(t.Context(), "frontdesk", api.StaffUserRequest{
		ServiceCenters: &[]api.CenterRef{{Property: "DEMO", Code: "RS"}}}))(t)
	st.waitEnded(t, "login that lost its service center")
	ws.waitEnded(t, "login that lost its service center")
	again := watch.openEvents(t, pathStaffEvents, bearer(tok))
	guest := act.guestWithToken(t, watch.roomGuest(t, "101", "Garcia").Token())
	guest.open(t, "FRONTDESK", "front office only")
	rs := guest.open(t, "ROOMSERVICE", "room service")
	if ev := again.next(t); ev.staffEvent(t).ConversationCode != rs {
		t.Errorf("the reconnected stream got %s %s, want the room service conversation %s", ev.Event, ev.Raw, rs)
	}
}

// endsOnDisabledUser: disabling a staff user ends all their streams.
func endsOnDisabledUser(t *testing.T, act, watch *server) {
	tok := watch.loggedIn(t, "roomservice").Token()
	st, ws := watch.openEvents(t, pathStaffEvents, bearer(tok)), watch.openStaffWS(t, tok)
	admin := act.loggedIn(t, "admin")
	bystander := watch.openEvents(t, pathStaffEvents, bearer(admin.Token()))
	need(admin.DisableStaffUser(t.Context(), "roomservice"))(t)
	wantStaffEnded(t, watch, tok, st, ws, "disabled user")
	guest := watch.roomGuest(t, "101", "Garcia").Token()
	bystander.stillDelivers(t, "the admin's login", func() { act.guestWithToken(t, guest).open(t, "ROOMSERVICE", "hello") })
}

// endsOnInterfaceTokenRevoked (item 6): revoking an interface token ends the sessions opened
// with it — their requests are refused and their streams end — and opens nothing new; the
// sessions of other tokens go on.
func endsOnInterfaceTokenRevoked(t *testing.T, act, watch *server) {
	ctx := t.Context()
	admin := act.loggedIn(t, "admin")
	created := need(admin.CreateInterfaceToken(ctx, api.InterfaceTokenRequest{Name: "Leaked app", Properties: []string{"DEMO"}}))(t)
	admin.wantStatus(t, http.StatusCreated)
	secret := created.Secret
	init := func(token string) (*guestApp, error) {
		g := watch.guestApp(t)
		_, err := g.Initialise(ctx, api.GuestInitialiseRequest{PropertyCode: "DEMO", InterfaceToken: token,
			RoomNumber: "104", LastName: "Dubois"})
		return g, err
	}
	leaked := need(init(secret))(t)
	tok := leaked.Token()
	anon := watch.guestApp(t)
	need(anon.Initialise(ctx, api.GuestInitialiseRequest{PropertyCode: "DEMO", InterfaceToken: secret}))(t)
	st := watch.openEvents(t, guestEventsPath(tok), nil)
	other := need(init(demoToken))(t).Token()
	bystander := watch.openEvents(t, guestEventsPath(other), nil)

	need(admin.RevokeInterfaceToken(ctx, created.ID))(t)
	admin.wantStatus(t, http.StatusOK)
	st.waitEnded(t, "session of a revoked interface token")
	watch.get(t, guestEventsPath(tok)).wantFailure(t, 401, api.ItemGetEvents, "IdentityTokenExpired")
	_, err := leaked.Outlets(ctx, "")
	leaked.wantFailure(t, err, 401, api.ItemOutletSettings, "IdentityTokenExpired")
	// An anonymous session of the token cannot become a verified one.
	anon.wantFailure(t, anon.LoginByRoom(ctx, "104", "Dubois"), 401, api.ItemResponseStatus, "IdentityTokenExpired")
	g, err := init(secret)
	g.wantFailure(t, err, 401, api.ItemInitialiseSession, "InterfaceTokenInvalid")
	bystander.stillDelivers(t, "a session of another token", func() { act.guestWithToken(t, other).open(t, "FRONTDESK", "hello") })
}

// rightScenarios are the scenarios in the order they may share a database.
var rightScenarios = []struct {
	name string
	run  func(t *testing.T, act, watch *server)
}{
	{"GuestLogout", endsOnGuestLogout},
	{"DepartureMovedIntoThePast", endsOnDepartureMoved},
	{"Erasure", endsOnErasure},
	{"StaffLogout", endsOnStaffLogout},
	{"APIKeyRevoked", endsOnAPIKeyRevoked},
	{"LostServiceCenter", endsOnLostGrant},
	{"DisabledStaffUser", endsOnDisabledUser},
	{"InterfaceTokenRevoked", endsOnInterfaceTokenRevoked},
}

// testStreamEnds runs one scenario on a server of its own (on the test's engine).
func testStreamEnds(t *testing.T, run func(t *testing.T, act, watch *server)) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true, env: noLimits})
	run(t, s, s)
}

func TestStreamEndsOnGuestLogout(t *testing.T)       { testStreamEnds(t, endsOnGuestLogout) }
func TestStreamEndsOnDepartureMoved(t *testing.T)    { testStreamEnds(t, endsOnDepartureMoved) }
func TestStreamEndsOnErasure(t *testing.T)           { testStreamEnds(t, endsOnErasure) }
func TestStreamEndsOnStaffLogout(t *testing.T)       { testStreamEnds(t, endsOnStaffLogout) }
func TestStreamEndsOnAPIKeyRevoked(t *testing.T)     { testStreamEnds(t, endsOnAPIKeyRevoked) }
func TestStreamEndsOnLostServiceCenter(t *testing.T) { testStreamEnds(t, endsOnLostGrant) }
func TestStreamEndsOnDisabledUser(t *testing.T)      { testStreamEnds(t, endsOnDisabledUser) }
func TestStreamEndsOnInterfaceTokenRevoked(t *testing.T) {
	testStreamEnds(t, endsOnInterfaceTokenRevoked)
}

// TestMultiNodeStreamsEndWithTheirRight: every scenario with its streams open on node B and
// the change made through node A (two processes on one PostgreSQL database): B learns of the
// change from the event log, through LISTEN/NOTIFY, and ends the streams.
func TestMultiNodeStreamsEndWithTheirRight(t *testing.T) {
	bin := buildBinary(t)
	db := pgtest.NewDatabase(t)
	env := []string{"CONCIERGE_RATE_ADDRESS=0", "CONCIERGE_RATE_INTERFACE_TOKEN=0", "CONCIERGE_RATE_SESSION=0",
		"CONCIERGE_EVENT_STREAMS_PER_SESSION=0", "CONCIERGE_LOG_LEVEL=warn"}
	a := startNode(t, bin, db, env, "--demo")
	b := startNode(t, bin, db, env, "--demo")
	for _, sc := range rightScenarios {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, a, b) })
	}
}
