package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"concierge/api"
	"concierge/client"
)

// keyed returns the header map of a request sent with an Idempotency-Key (and a bearer token
// when token is not empty).
func keyed(key, token string) map[string]string {
	h := map[string]string{"Idempotency-Key": key}
	if token != "" {
		h["Authorization"] = "Bearer " + token
	}
	return h
}

// staffError returns the error of a staff API answer, decoded strictly.
func staffError(t *testing.T, r response) api.ErrorDetail {
	t.Helper()
	return strictDecode[api.ErrorBody](t, string(r.Raw)).Error
}

// wantNotStored fails when any of the secrets is anywhere in the database.
func wantNotStored(t *testing.T, s *server, what string, secrets ...string) {
	t.Helper()
	if found := findInDatabase(t, s.DB, secrets); len(found) > 0 {
		t.Fatalf("%s: a secret is stored in clear:\n%s", what, strings.Join(found, "\n"))
	}
}

// The calls with an Idempotency-Key of the test's choosing are sent raw: the client chooses
// its own keys (and sends none with a login), and these tests are about what a repeated key does.

// TestIdempotentAnswersKeepNoSecret sends every write that issues a secret with an
// Idempotency-Key and checks that the secret is nowhere in the database, and what the replay
// answers: the same working session for a guest session start, a clear 409 for staff logins,
// API keys and interface tokens (whose secrets cannot be given again).
func TestIdempotentAnswersKeepNoSecret(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	admin := s.loggedIn(t, "admin").Token()

	// A staff login.
	login, _ := json.Marshal(map[string]any{"username": "frontdesk", "password": demoPassword})
	first := s.do(t, http.MethodPost, pathStaffLogin, login, keyed("login-1", ""))
	staffTok := strictDecode[api.Login](t, string(first.wantStatus(t, http.StatusOK).Raw)).Token
	wantNotStored(t, s, "staff login", staffTok)
	again := s.do(t, http.MethodPost, pathStaffLogin, login, keyed("login-1", ""))
	if staffError(t, again.wantStatus(t, http.StatusConflict)).Code != "IdempotencyKeyReused" || strings.Contains(string(again.Raw), staffTok) {
		t.Fatalf("replayed login: %s", again.Raw)
	}
	need(s.staffWithToken(t, staffTok).Me(t.Context()))(t) // the first login still works

	// An API key and an interface token.
	for _, c := range []struct {
		path, key string
		secret    func(raw string) string
	}{
		{"/api/v1/api-keys", `{"name":"PMS","role":"manager","properties":["DEMO"]}`,
			func(raw string) string { return strictDecode[api.CreatedAPIKey](t, raw).Secret }},
		{"/api/v1/interface-tokens", `{"name":"Kiosk","properties":["DEMO"]}`,
			func(raw string) string { return strictDecode[api.CreatedInterfaceToken](t, raw).Secret }},
	} {
		created := s.do(t, http.MethodPost, c.path, []byte(c.key), keyed("create-"+c.path, admin)).wantStatus(t, http.StatusCreated)
		secret := c.secret(string(created.Raw))
		if secret == "" {
			t.Fatalf("%s: no secret in %s", c.path, created.Raw)
		}
		wantNotStored(t, s, c.path, secret, admin)
		replay := s.do(t, http.MethodPost, c.path, []byte(c.key), keyed("create-"+c.path, admin))
		replay.wantStatus(t, http.StatusConflict)
		if e := staffError(t, replay); e.Code != "IdempotencyKeyReused" || !strings.Contains(e.Message, "revoke") ||
			strings.Contains(string(replay.Raw), secret) {
			t.Fatalf("%s replayed: %s", c.path, replay.Raw)
		}
	}

	// A guest session start: the replay answers the same session's working token.
	init, _ := json.Marshal(map[string]any{"PropertyCode": "DEMO", "InterfaceToken": demoToken,
		"RoomNumber": "101", "LastName": "Garcia"})
	start := s.do(t, http.MethodPost, pathInitRoom, init, keyed("start-1", ""))
	start.content(t, "initialiseSessionResponse")
	guestTok := start.token()
	wantNotStored(t, s, "session start", guestTok, demoToken)
	restart := s.do(t, http.MethodPost, pathInitRoom, init, keyed("start-1", ""))
	if restart.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(restart.Raw, start.Raw) {
		t.Fatalf("replayed session start:\n%s\nfirst:\n%s", restart.Raw, start.Raw)
	}
	need(s.guestWithToken(t, restart.token()).Messages(t.Context(), client.Page{}))(t)

	// A guest write echoes the caller's token: the remembered answer holds none, the replay
	// gives the first answer byte for byte.
	create, _ := json.Marshal(map[string]any{"SessionToken": guestTok, "OutletCode": "FRONTDESK", "Message": "Una almohada más"})
	made := s.do(t, http.MethodPost, pathCreate, create, keyed("conv-1", ""))
	made.content(t, "createConversationResponse")
	wantNotStored(t, s, "guest write", guestTok)
	remade := s.do(t, http.MethodPost, pathCreate, create, keyed("conv-1", ""))
	if remade.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(remade.Raw, made.Raw) {
		t.Fatalf("replayed guest write:\n%s\nfirst:\n%s", remade.Raw, made.Raw)
	}

	// After a logout, the replay of the session start says the session has ended.
	if err := s.guestWithToken(t, guestTok).Logout(t.Context()); err != nil {
		t.Fatal(err)
	}
	ended := s.do(t, http.MethodPost, pathInitRoom, init, keyed("start-1", ""))
	if ended.Status != http.StatusUnauthorized || ended.Body["status"] != "Failure" ||
		!strings.Contains(string(ended.Raw), `"areaError":"IdentityTokenExpired"`) {
		t.Fatalf("replayed start of an ended session: HTTP %d %s", ended.Status, ended.Raw)
	}
}

// TestErasureForgetsRememberedAnswersByOwner remembers answers of a stay's guest that name
// nothing of the guest but the session (a mark-read and a close), erases the stay, and checks
// that the retried requests are carried out again instead of replayed: their remembered
// answers went with the stay. An answer of another stay's guest is still replayed.
func TestErasureForgetsRememberedAnswersByOwner(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	ctx := t.Context()
	admin := s.loggedIn(t, "admin")
	need(admin.PutStay(ctx, "DEMO", "BK-OWN-1", api.StayRequest{RoomNumber: "301", FirstName: "Ona",
		LastName: "Ownerova", LanguageCode: "en", Arrival: "2026-11-24", Departure: "2026-11-27"}))(t)
	admin.wantStatus(t, http.StatusCreated)
	owner, otherGuest := s.roomGuest(t, "301", "Ownerova"), s.roomGuest(t, "102", "Smith")
	tok, other := owner.Token(), otherGuest.Token()
	code := owner.open(t, "FRONTDESK", "Hello")
	otherCode := otherGuest.open(t, "FRONTDESK", "Hi")

	read, _ := json.Marshal(map[string]any{"SessionToken": tok})
	readPath := convPath(code, "/Read")
	s.do(t, http.MethodPost, readPath, read, keyed("read-1", "")).content(t, "responseStatus")
	otherRead, _ := json.Marshal(map[string]any{"SessionToken": other})
	otherPath := convPath(otherCode, "/Read")
	s.do(t, http.MethodPost, otherPath, otherRead, keyed("read-1", "")).content(t, "responseStatus")
	if r := s.do(t, http.MethodPost, readPath, read, keyed("read-1", "")); r.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("before erasure, the retry is not replayed: %s", r.Raw)
	}

	need(admin.EraseGuestData(ctx, "DEMO", api.GuestRef{BookingReference: "BK-OWN-1"}))(t)

	r := s.do(t, http.MethodPost, readPath, read, keyed("read-1", ""))
	if r.Header.Get("Idempotent-Replayed") == "true" {
		t.Fatalf("after erasure, the stay's remembered answer is replayed: %s", r.Raw)
	}
	r.wantFailure(t, http.StatusUnauthorized, "responseStatus", "IdentityTokenInvalid")
	if r := s.do(t, http.MethodPost, otherPath, otherRead, keyed("read-1", "")); r.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("another stay's remembered answer is gone: %s", r.Raw)
	}
}
