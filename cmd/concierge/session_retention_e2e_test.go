package main

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"concierge/api"
	"concierge/client"
	"concierge/internal/concierge"
)

// TestRetentionDeletesEndedSessions: the retention job deletes anonymous guest sessions
// (expired ones, and those replaced by a login) and staff sessions (revoked ones) a day
// after they ended: until then their tokens answer "expired", afterwards "not valid" (the
// session is gone). Sessions still in use, and those of an identified guest, are kept.
func TestRetentionDeletesEndedSessions(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true, env: noLimits,
		args: []string{"--retention-interval", "50ms", "--session-idle", "1h"}})
	anon := func() *guestApp {
		return s.initialisedGuest(t, api.GuestInitialiseRequest{PropertyCode: "DEMO", InterfaceToken: demoToken})
	}
	// guestCode returns the areaError of the outlets as tok's session reads them, "" on success.
	guestCode := func(tok string) string {
		g := s.guestWithToken(t, tok)
		_, err := g.Outlets(t.Context(), "")
		var ce *client.Error
		if err != nil && !errors.As(err, &ce) {
			t.Fatal(err)
		}
		if ce == nil {
			return ""
		}
		g.wantFailure(t, err, ce.StatusCode, api.ItemOutletSettings, ce.Code)
		return ce.Code
	}
	// staffMessage returns the message of the staff API's answer to tok, "" on success.
	staffMessage := func(tok string) string {
		c := s.staffAPI(t, tok)
		_, err := c.Me(t.Context())
		var ce *client.Error
		if err != nil && !errors.As(err, &ce) {
			t.Fatal(err)
		}
		if ce == nil {
			return ""
		}
		c.fail(t, err, ce.StatusCode, ce.Code)
		return ce.Message
	}

	idle := anon().Token() // expires after an hour without use
	replacing := anon()    // revoked by the login below
	replaced := replacing.Token()
	if err := replacing.LoginByRoom(t.Context(), "101", "Garcia"); err != nil || replacing.Token() == "" || replacing.Token() == replaced {
		t.Fatalf("LoginByRoom: %v, token %q", err, replacing.Token())
	}
	identified := s.identifiedGuest(t, "guest-retention-kept", "").Token()
	frontdesk := s.staffAs(t, "frontdesk")
	loggedOut := frontdesk.Token()
	need(0, frontdesk.Logout(t.Context()))(t)
	frontdesk.last(t).wantStatus(t, http.StatusNoContent)

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
	live, staff := anon().Token(), s.staffAs(t, "admin").Token()
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
