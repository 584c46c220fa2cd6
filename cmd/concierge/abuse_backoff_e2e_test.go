package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// Issue 17, items 1 and 2: the back-off of failed verifications and logins cannot lock out
// innocent guests or staff, slows down guesses spread over rooms or usernames from one address,
// and counts a login before its password is hashed.

// canDialFrom skips t when this system cannot connect from ip (Linux routes all of
// 127.0.0.0/8 to loopback; other systems may need an alias first).
func canDialFrom(t *testing.T, s *server, ip string) {
	t.Helper()
	conn, err := (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}).Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Skipf("cannot connect from %s to play another client: %v", ip, err)
	}
	conn.Close()
}

// verifyFrom sends InitialiseByRoom for the demo property from ip.
func (s *server) verifyFrom(t *testing.T, ip, room, lastName string) response {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"PropertyCode": "DEMO", "InterfaceToken": demoToken, "RoomNumber": room, "LastName": lastName})
	return s.doFrom(t, ip, http.MethodPost, pathInitRoom, b)
}

// wantRateLimited checks a guest API RateLimited answer with Retry-After wait (in seconds).
func wantRateLimited(t *testing.T, r response, wait string) {
	t.Helper()
	r.wantFailure(t, http.StatusTooManyRequests, "initialiseSessionResponse", "RateLimited")
	if ra := r.Header.Get("Retry-After"); ra != wait {
		t.Fatalf("Retry-After %q, want %s", ra, wait)
	}
}

// TestVerificationFloodKeepsInnocentRooms: a flood of failed verifications of made-up rooms,
// from several addresses each within its own allowance, fills the back-off table (made small
// with --rate-max-keys); a real guest of a room that failed nothing still verifies, and a room
// whose guesses were slowed down before the flood stays slowed down after it.
func TestVerificationFloodKeepsInnocentRooms(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true, args: []string{"--rate-max-keys", "30"}})
	canDialFrom(t, s, "127.0.0.2")

	// Room 102 is under attack: five free failures, the sixth starts a 2 s back-off.
	for i := range 6 {
		s.verifyFrom(t, "127.0.0.9", "102", fmt.Sprint("Guess", i)).
			wantFailure(t, http.StatusUnauthorized, "initialiseSessionResponse", "GuestVerificationFailed")
	}
	wantRateLimited(t, s.verifyFrom(t, "127.0.0.9", "102", "Smith"), "2")

	// The flood: 4 addresses × 15 made-up rooms, 60 failures (each keeps two keys: the room,
	// and the room from its address), far over the cap of 30.
	for a := 2; a <= 5; a++ {
		for i := range 15 {
			s.verifyFrom(t, fmt.Sprintf("127.0.0.%d", a), fmt.Sprint(9000+100*a+i), "Nobody").
				wantFailure(t, http.StatusUnauthorized, "initialiseSessionResponse", "GuestVerificationFailed")
		}
	}
	// An innocent guest verifies at once, from an address of their own and from one the flood
	// used (its count is below the per-address limit).
	s.verifyFrom(t, "127.0.0.1", "101", "Garcia").content(t, "initialiseSessionResponse")
	s.verifyFrom(t, "127.0.0.2", "103", "Müller").content(t, "initialiseSessionResponse")
	// The attacked room is still slowed down: the flood did not wipe its failures.
	wantRateLimited(t, s.verifyFrom(t, "127.0.0.1", "102", "Smith"), "2")
	s.Clock.Advance(2 * time.Second)
	s.verifyFrom(t, "127.0.0.1", "102", "Smith").content(t, "initialiseSessionResponse")
}

// TestVerificationSlowedPerAddress: one surname tried across many rooms from one address is
// slowed down once more than --verify-address-rooms (20) rooms failed from it, whatever each
// room's own count; a guest retyping their own room counts once; other addresses are not
// affected.
func TestVerificationSlowedPerAddress(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	const attacker, guest, other = "127.0.0.2", "127.0.0.3", "127.0.0.4"
	canDialFrom(t, s, attacker)

	// Twenty rooms fail for free; the twenty-first is tried and starts a 2 s back-off of the
	// address.
	for i := range 21 {
		s.verifyFrom(t, attacker, fmt.Sprint(500+i), "Smith").
			wantFailure(t, http.StatusUnauthorized, "initialiseSessionResponse", "GuestVerificationFailed")
	}
	r := s.verifyFrom(t, attacker, "101", "Smith") // a room that failed nothing
	wantRateLimited(t, r, "2")
	if msg, _ := r.item(t, "initialiseSessionResponse")["message"].(string); !strings.Contains(msg, "address") {
		t.Fatalf("message %q does not say the address is slowed down", msg)
	}
	// Even a right guess from the address waits; from elsewhere the guest verifies.
	wantRateLimited(t, s.verifyFrom(t, attacker, "101", "Garcia"), "2")
	s.verifyFrom(t, other, "101", "Garcia").content(t, "initialiseSessionResponse")
	// Refusals are not failures: after the wait, one more room may be tried, and its failure
	// doubles the wait.
	s.Clock.Advance(2 * time.Second)
	s.verifyFrom(t, attacker, "600", "Smith").
		wantFailure(t, http.StatusUnauthorized, "initialiseSessionResponse", "GuestVerificationFailed")
	wantRateLimited(t, s.verifyFrom(t, attacker, "601", "Smith"), "4")

	// A guest who mistypes their own name five times counts one room on their address; the
	// room's own back-off is what stops them, and the right name clears it.
	for i := range 5 {
		s.verifyFrom(t, guest, "104", fmt.Sprint("Dubios", i)).
			wantFailure(t, http.StatusUnauthorized, "initialiseSessionResponse", "GuestVerificationFailed")
	}
	s.verifyFrom(t, guest, "104", "Dubois").content(t, "initialiseSessionResponse")
	// So nineteen more rooms fail for free, the twentieth more is tried, and only then is the
	// address slowed down.
	for i := range 20 {
		s.verifyFrom(t, guest, fmt.Sprint(700+i), "Nobody").
			wantFailure(t, http.StatusUnauthorized, "initialiseSessionResponse", "GuestVerificationFailed")
	}
	wantRateLimited(t, s.verifyFrom(t, guest, "720", "Nobody"), "2")
}

// TestStaffLoginSprayFromOneAddress: one password tried across many usernames from one address
// is slowed down once more than --login-address-users (10) usernames failed from it, while one
// person retrying their own password counts once, and colleagues elsewhere are not affected.
func TestStaffLoginSprayFromOneAddress(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	const sprayer, office, home = "127.0.0.2", "127.0.0.3", "127.0.0.4"
	canDialFrom(t, s, sprayer)
	login := func(ip, user, pw string) response {
		b, _ := json.Marshal(map[string]string{"username": user, "password": pw})
		return s.doFrom(t, ip, http.MethodPost, pathStaffLogin, b)
	}
	limited := func(r response, wait, about string) {
		t.Helper()
		e := r.wantStaffError(t, http.StatusTooManyRequests, "RateLimited")
		if ra := r.Header.Get("Retry-After"); ra != wait {
			t.Fatalf("Retry-After %q, want %s", ra, wait)
		}
		if msg, _ := e["message"].(string); !strings.Contains(msg, about) {
			t.Fatalf("message %q, want one about %q", msg, about)
		}
	}

	// Ten usernames fail for free; the eleventh is tried and slows the address down for 1 s.
	for i := range 11 {
		login(sprayer, fmt.Sprint("user", i), "Winter2026!").wantStaffError(t, http.StatusUnauthorized, "AuthenticationFailed")
	}
	limited(login(sprayer, "user11", "Winter2026!"), "1", "address")
	limited(login(sprayer, "admin", demoPassword), "1", "address")
	if r := login(home, "admin", demoPassword); r.Status != http.StatusOK {
		t.Fatalf("admin from another address: HTTP %d %s", r.Status, r.Raw)
	}

	// At the office, one person mistypes four times and then logs in: one username counted.
	// Nine colleagues' typos later (ten usernames in all), everyone still logs in.
	for i := range 4 {
		login(office, "frontdesk", fmt.Sprint("typo", i)).wantStaffError(t, http.StatusUnauthorized, "AuthenticationFailed")
	}
	for i := range 9 {
		login(office, fmt.Sprint("colleague", i), "typo").wantStaffError(t, http.StatusUnauthorized, "AuthenticationFailed")
	}
	for _, user := range []string{"frontdesk", "roomservice", "admin"} {
		if r := login(office, user, demoPassword); r.Status != http.StatusOK {
			t.Fatalf("%s from the office: HTTP %d %s", user, r.Status, r.Raw)
		}
	}
}

// TestStaffLoginFloodCountedBeforeHashing: 100 failed logins sent at once for one username
// from one address hash at most six passwords (five free failures, and the sixth that starts
// the back-off): every attempt is counted before its hash, and the others get 429 with
// Retry-After before any hashing.
func TestStaffLoginFloodCountedBeforeHashing(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true, args: []string{"--rate-address", "0"}})
	body, _ := json.Marshal(map[string]string{"username": "admin", "password": "not-the-password"})
	const n = 100
	answers := make([]response, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			answers[i] = s.doFrom(t, "127.0.0.1", http.MethodPost, pathStaffLogin, body)
		})
	}
	close(start)
	wg.Wait()
	failed := 0
	for _, r := range answers {
		switch r.Status {
		case http.StatusUnauthorized:
			r.wantStaffError(t, http.StatusUnauthorized, "AuthenticationFailed")
			failed++
		case http.StatusTooManyRequests:
			r.wantStaffError(t, http.StatusTooManyRequests, "RateLimited")
			if r.Header.Get("Retry-After") == "" {
				t.Fatalf("429 without Retry-After: %s", r.Raw)
			}
		default:
			t.Fatalf("HTTP %d %s", r.Status, r.Raw)
		}
	}
	if failed < 1 || failed > 6 {
		t.Fatalf("%d of %d simultaneous failed logins answered 401, want 1 to 6", failed, n)
	}
	// No more passwords were hashed than answered 401: the others were refused before hashing.
	if hashed := s.metricValue(t, "concierge_password_hashes_total"); hashed != float64(failed) {
		t.Fatalf("%v passwords hashed for %d failed logins", hashed, failed)
	}
	if running := s.metricValue(t, "concierge_password_hashes_running"); running != 0 {
		t.Fatalf("%v password hashes still running", running)
	}
	// The real admin, from another address, is not locked out.
	canDialFrom(t, s, "127.0.0.2")
	b, _ := json.Marshal(map[string]string{"username": "admin", "password": demoPassword})
	if r := s.doFrom(t, "127.0.0.2", http.MethodPost, pathStaffLogin, b); r.Status != http.StatusOK {
		t.Fatalf("admin from another address: HTTP %d %s", r.Status, r.Raw)
	}
}

// metricValue returns the value of an unlabelled metric on the server's /metrics.
func (s *server) metricValue(t *testing.T, name string) float64 {
	t.Helper()
	_, text := scrape(t, s.URL, nil)
	v, ok := sample(text, name)
	if !ok {
		t.Fatalf("no %s on /metrics:\n%s", name, text)
	}
	return v
}
