package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
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

// staffError returns the error object of a staff API answer.
func staffError(t *testing.T, r response) map[string]any {
	t.Helper()
	e, ok := r.Body["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error object: %s", r.Raw)
	}
	return e
}

// wantNotStored fails when any of the secrets is anywhere in the database.
func wantNotStored(t *testing.T, s *server, what string, secrets ...string) {
	t.Helper()
	if found := findInDatabase(t, s.DB, secrets); len(found) > 0 {
		t.Fatalf("%s: a secret is stored in clear:\n%s", what, strings.Join(found, "\n"))
	}
}

// TestIdempotentAnswersKeepNoSecret sends every write that issues a secret with an
// Idempotency-Key and checks that the secret is nowhere in the database, and what the replay
// answers: the same working session for a guest session start, a clear 409 for staff logins,
// API keys and interface tokens (whose secrets cannot be given again).
func TestIdempotentAnswersKeepNoSecret(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	admin := s.staffLogin(t, "admin")

	// A staff login.
	login, _ := json.Marshal(map[string]any{"username": "frontdesk", "password": demoPassword})
	first := s.do(t, http.MethodPost, pathStaffLogin, login, keyed("login-1", ""))
	staffTok, _ := first.wantStatus(t, http.StatusOK).Body["token"].(string)
	wantNotStored(t, s, "staff login", staffTok)
	again := s.do(t, http.MethodPost, pathStaffLogin, login, keyed("login-1", ""))
	if staffError(t, again.wantStatus(t, http.StatusConflict))["code"] != "IdempotencyKeyReused" || strings.Contains(string(again.Raw), staffTok) {
		t.Fatalf("replayed login: %s", again.Raw)
	}
	s.staffGet(t, staffTok, "/api/v1/me").wantOK(t, http.StatusOK) // the first login still works

	// An API key and an interface token.
	for _, c := range []struct{ path, key string }{
		{"/api/v1/api-keys", `{"name":"PMS","role":"manager","properties":["DEMO"]}`},
		{"/api/v1/interface-tokens", `{"name":"Kiosk","properties":["DEMO"]}`},
	} {
		created := s.do(t, http.MethodPost, c.path, []byte(c.key), keyed("create-"+c.path, admin)).wantOK(t, http.StatusCreated)
		secret, _ := created["secret"].(string)
		if secret == "" {
			t.Fatalf("%s: no secret in %v", c.path, created)
		}
		wantNotStored(t, s, c.path, secret, admin)
		replay := s.do(t, http.MethodPost, c.path, []byte(c.key), keyed("create-"+c.path, admin))
		replay.wantStatus(t, http.StatusConflict)
		if e := staffError(t, replay); e["code"] != "IdempotencyKeyReused" || !strings.Contains(e["message"].(string), "revoke") ||
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
	s.get(t, pathMessages+"?SessionToken="+restart.token()).content(t, "getMessagesResponse")

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
	s.post(t, pathLogout, map[string]any{"SessionToken": guestTok}).content(t, "responseStatus")
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
	admin := s.staffLogin(t, "admin")
	s.do(t, http.MethodPut, "/api/v1/properties/DEMO/stays/BK-OWN-1", []byte(`{"roomNumber":"301","firstName":"Ona",
		"lastName":"Ownerova","languageCode":"en","arrival":"2026-11-24","departure":"2026-11-27"}`), bearer(admin)).
		wantStatus(t, http.StatusCreated)
	tok := s.loginRoom(t, "301", "Ownerova")
	other := s.loginRoom(t, "102", "Smith")
	code := s.guestConversation(t, tok, "FRONTDESK", "Hello", nil)
	otherCode := s.guestConversation(t, other, "FRONTDESK", "Hi", nil)

	read, _ := json.Marshal(map[string]any{"SessionToken": tok})
	readPath := convPath(code, "/Read")
	s.do(t, http.MethodPost, readPath, read, keyed("read-1", "")).content(t, "responseStatus")
	otherRead, _ := json.Marshal(map[string]any{"SessionToken": other})
	otherPath := convPath(otherCode, "/Read")
	s.do(t, http.MethodPost, otherPath, otherRead, keyed("read-1", "")).content(t, "responseStatus")
	if r := s.do(t, http.MethodPost, readPath, read, keyed("read-1", "")); r.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("before erasure, the retry is not replayed: %s", r.Raw)
	}

	s.do(t, http.MethodPost, "/api/v1/properties/DEMO/guest-data/erase", []byte(`{"bookingReference":"BK-OWN-1"}`),
		bearer(admin)).wantOK(t, http.StatusOK)

	r := s.do(t, http.MethodPost, readPath, read, keyed("read-1", ""))
	if r.Header.Get("Idempotent-Replayed") == "true" {
		t.Fatalf("after erasure, the stay's remembered answer is replayed: %s", r.Raw)
	}
	r.wantFailure(t, http.StatusUnauthorized, "responseStatus", "IdentityTokenInvalid")
	if r := s.do(t, http.MethodPost, otherPath, otherRead, keyed("read-1", "")); r.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("another stay's remembered answer is gone: %s", r.Raw)
	}
}
