package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"concierge/internal/concierge"
)

// guestTokenError returns the areaError of a V40 answer's item ("" when it succeeded).
func guestTokenError(t testing.TB, r response) string {
	t.Helper()
	name, _ := r.Body["responsesIncluded"].(string)
	if r.Status == http.StatusOK && r.Body["status"] == "Success" {
		return ""
	}
	code, _ := r.item(t, name)["areaError"].(string)
	return code
}

// staffTokenMessage returns the message of a staff API error answer ("" when it succeeded).
func staffTokenMessage(r response) string {
	if r.Status == http.StatusOK {
		return ""
	}
	e, _ := r.Body["error"].(map[string]any)
	m, _ := e["message"].(string)
	return m
}

// TestRetentionDeletesEndedSessions: the retention job deletes anonymous guest sessions
// (expired ones, and those replaced by a login) and staff sessions (revoked ones) a day
// after they ended: until then their tokens answer "expired", afterwards "not valid" (the
// session is gone). Sessions still in use, and those of an identified guest, are kept.
func TestRetentionDeletesEndedSessions(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true, env: noLimits,
		args: []string{"--retention-interval", "50ms", "--session-idle", "1h"}})
	anon := func() string {
		return s.post(t, pathInit, map[string]any{"PropertyCode": "DEMO", "InterfaceToken": demoToken}).token()
	}
	guestCode := func(tok string) string {
		return guestTokenError(t, s.get(t, pathOutlets+"?SessionToken="+tok))
	}
	staffMessage := func(tok string) string {
		return staffTokenMessage(s.do(t, http.MethodGet, pathMe, nil, bearer(tok)))
	}

	idle := anon()     // expires after an hour without use
	replaced := anon() // revoked by the login below
	if r := s.post(t, pathLogin, map[string]any{"SessionToken": replaced, "RoomNumber": "101", "LastName": "Garcia"}); r.token() == "" {
		t.Fatalf("LoginByRoom: %s", r.Raw)
	}
	identified := s.guestSession(t, "DEMO", demoToken, "guest-retention-kept").token()
	loggedOut := s.staffLogin(t, "frontdesk")
	s.do(t, http.MethodPost, pathStaffLogout, nil, bearer(loggedOut)).wantStatus(t, http.StatusNoContent)

	// Ended, but for less than a day: kept, and answered "expired".
	s.Clock.Advance(2 * time.Hour)
	time.Sleep(200 * time.Millisecond) // several runs of the job (a condition, not a duration, is asserted)
	for name, tok := range map[string]string{"idle": idle, "replaced": replaced, "identified": identified} {
		if got := guestCode(tok); got != "IdentityTokenExpired" {
			t.Errorf("%s anonymous session 2 h on: %q, want IdentityTokenExpired", name, got)
		}
	}
	if got := staffMessage(loggedOut); !strings.Contains(got, "expired or was revoked") {
		t.Errorf("logged-out staff session 2 h on: %q, want the expired answer", got)
	}

	// A day later the job has deleted them; live sessions and the identified guest's stay.
	s.Clock.Advance(concierge.EndedSessionKeep)
	live, staff := anon(), s.staffLogin(t, "admin")
	waitUntil(t, "retention deleted the ended sessions", func() bool {
		return guestCode(idle) == "IdentityTokenInvalid" && guestCode(replaced) == "IdentityTokenInvalid" &&
			strings.Contains(staffMessage(loggedOut), "not valid")
	})
	if got := guestCode(identified); got != "IdentityTokenExpired" {
		t.Errorf("identified guest's expired session: %q, want IdentityTokenExpired (kept with the guest)", got)
	}
	if got := guestCode(live); got != "" {
		t.Errorf("live anonymous session: %q, want success", got)
	}
	if got := staffMessage(staff); got != "" {
		t.Errorf("live staff session: %q, want success", got)
	}
	if !strings.Contains(s.Stderr.String(), `"ended_sessions":`) {
		t.Errorf("the retention job did not log the sessions it deleted:\n%s", s.Stderr.String())
	}
}
