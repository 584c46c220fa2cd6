package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

const (
	pathStaffLogin  = "/api/v1/auth/login"
	pathStaffLogout = "/api/v1/auth/logout"
	pathMe          = "/api/v1/me"
	pathAPIKeys     = "/api/v1/api-keys"
	demoPassword    = "demo-password"
)

// staffTime matches the staff API's times: RFC 3339, UTC, nine fractional digits.
var staffTime = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$`)

// bearer is the header of a bearer token.
func bearer(token string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + token}
}

// staffLogin logs a demo user in and returns the token.
func (s *server) staffLogin(t testing.TB, username string) string {
	t.Helper()
	r := s.post(t, pathStaffLogin, map[string]any{"username": username, "password": demoPassword})
	if r.Status != http.StatusOK {
		t.Fatalf("login %s: HTTP %d %s", username, r.Status, r.Raw)
	}
	tok, _ := r.Body["token"].(string)
	if tok == "" {
		t.Fatalf("login %s: no token: %s", username, r.Raw)
	}
	return tok
}

// wantStaffError checks a staff API failure: status, {"error": {code, message}}, JSON type.
func (r response) wantStaffError(t testing.TB, status int, code string) map[string]any {
	t.Helper()
	if r.Status != status {
		t.Fatalf("HTTP %d, want %d: %s", r.Status, status, r.Raw)
	}
	if got := keysOf(t, r.Raw); !reflect.DeepEqual(got, []string{"error"}) {
		t.Fatalf("answer keys %v, want [error]: %s", got, r.Raw)
	}
	e, _ := r.Body["error"].(map[string]any)
	if e["code"] != code {
		t.Fatalf("error code %v, want %s: %s", e["code"], code, r.Raw)
	}
	if msg, _ := e["message"].(string); msg == "" {
		t.Fatalf("error without a message: %s", r.Raw)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	if code == "AuthenticationFailed" && !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Fatalf("401 without WWW-Authenticate: Bearer: %v", r.Header)
	}
	return e
}

// fieldsOf returns the field names of an error's fields.
func fieldsOf(e map[string]any) []string {
	var out []string
	fs, _ := e["fields"].([]any)
	for _, f := range fs {
		m, _ := f.(map[string]any)
		name, _ := m["field"].(string)
		out = append(out, name)
	}
	return out
}

// noSecretsLogged fails if any of the secrets appears in the server's logs or stdout.
func (s *server) noSecretsLogged(t testing.TB, secrets ...string) {
	t.Helper()
	logs := s.Stderr.String()
	if !strings.Contains(logs, `"msg":"request"`) {
		t.Fatalf("no request logs: the check below would prove nothing:\n%s", logs)
	}
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		if strings.Contains(logs, secret) {
			t.Errorf("the logs contain the secret %q", secret)
		}
		// Stdout prints the demo password by design; tokens and keys must not be there either.
		if secret != demoPassword && strings.Contains(s.Stdout.String(), secret) {
			t.Errorf("stdout contains the secret %q", secret)
		}
	}
}

func TestStaffLogin(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})

	r := s.post(t, pathStaffLogin, map[string]any{"username": "admin", "password": demoPassword})
	if r.Status != http.StatusOK {
		t.Fatalf("login: HTTP %d %s", r.Status, r.Raw)
	}
	if got := keysOf(t, r.Raw); !reflect.DeepEqual(got, []string{"token", "expiresAt", "user"}) {
		t.Fatalf("answer keys %v", got)
	}
	adminToken := r.Body["token"].(string)
	if !regexp.MustCompile(`^cst_[A-Za-z0-9_-]{43}$`).MatchString(adminToken) {
		t.Fatalf("token %q is not cst_ + base64url(32 bytes)", adminToken)
	}
	// Twelve hours from now, in UTC with nanoseconds.
	wantExpiry := s.Clock.Now().Add(12 * time.Hour).UTC().Format("2006-01-02T15:04:05.000000000Z")
	if r.Body["expiresAt"] != wantExpiry {
		t.Fatalf("expiresAt %v, want %s", r.Body["expiresAt"], wantExpiry)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("Cache-Control %q", cc)
	}
	user := rawPath(t, r.Raw, "user")
	if got := keysOf(t, user); !reflect.DeepEqual(got, []string{"id", "username", "displayName", "role", "serviceCenters", "properties"}) {
		t.Fatalf("user keys %v", got)
	}
	u := r.Body["user"].(map[string]any)
	if u["username"] != "admin" || u["displayName"] != "Demo Admin" || u["role"] != "admin" ||
		!reflect.DeepEqual(u["serviceCenters"], []any{}) || !reflect.DeepEqual(u["properties"], []any{"DEMO"}) {
		t.Fatalf("user %v", u)
	}
	if id, _ := u["id"].(float64); id <= 0 {
		t.Fatalf("user id %v", u["id"])
	}

	// Usernames are case-insensitive; each login is a new token.
	r = s.do(t, http.MethodPost, pathStaffLogin, []byte(`{"Username":" FrontDesk ","PASSWORD":"`+demoPassword+`"}`), lenient)
	if r.Status != http.StatusOK {
		t.Fatalf("login FrontDesk: HTTP %d %s", r.Status, r.Raw)
	}
	u = r.Body["user"].(map[string]any)
	if u["username"] != "frontdesk" || u["role"] != "agent" || !reflect.DeepEqual(u["serviceCenters"], []any{"FO"}) ||
		!reflect.DeepEqual(u["properties"], []any{"DEMO"}) {
		t.Fatalf("user %v", u)
	}
	agentToken := r.Body["token"].(string)
	if agentToken == adminToken {
		t.Fatal("two logins got the same token")
	}

	// A wrong password and an unknown username are the same failure.
	wrong := s.post(t, pathStaffLogin, map[string]any{"username": "admin", "password": "Demo-password"}).
		wantStaffError(t, http.StatusUnauthorized, "AuthenticationFailed")
	unknown := s.post(t, pathStaffLogin, map[string]any{"username": "nobody", "password": demoPassword}).
		wantStaffError(t, http.StatusUnauthorized, "AuthenticationFailed")
	if wrong["message"] != unknown["message"] {
		t.Fatalf("the answers tell a wrong password (%v) from an unknown user (%v)", wrong["message"], unknown["message"])
	}

	// Request shape.
	e := s.post(t, pathStaffLogin, map[string]any{}).wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
	if got := fieldsOf(e); !reflect.DeepEqual(got, []string{"username", "password"}) {
		t.Fatalf("fields %v, want username and password", got)
	}
	e = s.post(t, pathStaffLogin, map[string]any{"username": "  ", "password": demoPassword}).wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
	if got := fieldsOf(e); !reflect.DeepEqual(got, []string{"username"}) {
		t.Fatalf("fields %v, want username", got)
	}
	e = s.post(t, pathStaffLogin, map[string]any{"username": "admin", "password": strings.Repeat("x", 2000)}).wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
	if got := fieldsOf(e); !reflect.DeepEqual(got, []string{"password"}) {
		t.Fatalf("fields %v, want password", got)
	}
	for _, body := range []string{`{"username":5,"password":"x"}`, `{"username":"admin","password":["demo-password"]}`,
		`{"username":"admin","password":null,"x":`, `[]`, `"admin"`} {
		s.do(t, http.MethodPost, pathStaffLogin, []byte(body), nil).wantStaffError(t, http.StatusBadRequest, "MalformedRequest")
	}
	e = s.do(t, http.MethodPost, pathStaffLogin, []byte("{\"username\":\"admin\xff\",\"password\":\"x\"}"), nil).
		wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
	if got := fieldsOf(e); !reflect.DeepEqual(got, []string{"body"}) {
		t.Fatalf("fields %v, want body", got)
	}
	big := fmt.Sprintf(`{"username":"admin","password":"%s"}`, strings.Repeat("a", 70<<10))
	s.do(t, http.MethodPost, pathStaffLogin, []byte(big), nil).wantStaffError(t, http.StatusRequestEntityTooLarge, "PayloadTooLarge")
	s.do(t, http.MethodPost, pathStaffLogin, []byte(`username=admin`), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}).
		wantStaffError(t, http.StatusUnsupportedMediaType, "UnsupportedMediaType")

	s.noSecretsLogged(t, adminToken, agentToken, demoPassword, "Demo-password")
}

func TestStaffTokenLifecycle(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	tok := s.staffLogin(t, "roomservice")

	r := s.do(t, http.MethodGet, pathMe, nil, bearer(tok))
	if r.Status != http.StatusOK || r.Body["kind"] != "user" {
		t.Fatalf("/me: HTTP %d %s", r.Status, r.Raw)
	}
	if got := keysOf(t, r.Raw); !reflect.DeepEqual(got, []string{"kind", "user", "expiresAt"}) {
		t.Fatalf("/me keys %v", got)
	}
	u := r.Body["user"].(map[string]any)
	if u["username"] != "roomservice" || !reflect.DeepEqual(u["serviceCenters"], []any{"RS"}) {
		t.Fatalf("/me user %v", u)
	}
	if exp, _ := r.Body["expiresAt"].(string); !staffTime.MatchString(exp) {
		t.Fatalf("/me expiresAt %q", exp)
	}
	// The scheme is case-insensitive; anything else than a bearer token is refused.
	if r := s.do(t, http.MethodGet, pathMe, nil, map[string]string{"Authorization": "bearer " + tok}); r.Status != http.StatusOK {
		t.Fatalf("lower-case scheme: HTTP %d %s", r.Status, r.Raw)
	}
	flipped := []byte(tok)
	flipped[10] ^= 1
	for _, h := range []map[string]string{
		nil,
		{"Authorization": "Session " + tok},
		{"Authorization": "Basic " + tok},
		{"Authorization": "Bearer"},
		{"Authorization": "Bearer " + tok + "x"},
		{"Authorization": "Bearer " + string(flipped)},
		{"Authorization": "Bearer cak_" + tok[4:]},
		{"Authorization": "Bearer " + strings.Repeat("A", 5000)},
	} {
		s.do(t, http.MethodGet, pathMe, nil, h).wantStaffError(t, http.StatusUnauthorized, "AuthenticationFailed")
	}

	// Logout answers 204; the token stops working.
	r = s.do(t, http.MethodPost, pathStaffLogout, nil, bearer(tok))
	if r.Status != http.StatusNoContent || len(r.Raw) != 0 {
		t.Fatalf("logout: HTTP %d %s", r.Status, r.Raw)
	}
	s.do(t, http.MethodGet, pathMe, nil, bearer(tok)).wantStaffError(t, http.StatusUnauthorized, "AuthenticationFailed")
	s.do(t, http.MethodPost, pathStaffLogout, nil, bearer(tok)).wantStaffError(t, http.StatusUnauthorized, "AuthenticationFailed")

	// A token expires 12 hours after login.
	tok = s.staffLogin(t, "roomservice")
	other := s.staffLogin(t, "frontdesk")
	s.Clock.Advance(12*time.Hour - time.Second)
	if r := s.do(t, http.MethodGet, pathMe, nil, bearer(tok)); r.Status != http.StatusOK {
		t.Fatalf("a second before expiry: HTTP %d %s", r.Status, r.Raw)
	}
	s.Clock.Advance(time.Second)
	s.do(t, http.MethodGet, pathMe, nil, bearer(tok)).wantStaffError(t, http.StatusUnauthorized, "AuthenticationFailed")
	s.do(t, http.MethodGet, pathMe, nil, bearer(other)).wantStaffError(t, http.StatusUnauthorized, "AuthenticationFailed")
	// A new login works again.
	fresh := s.staffLogin(t, "roomservice")
	if r := s.do(t, http.MethodGet, pathMe, nil, bearer(fresh)); r.Status != http.StatusOK {
		t.Fatalf("after a new login: HTTP %d %s", r.Status, r.Raw)
	}
	s.noSecretsLogged(t, tok, other, fresh, demoPassword)
}

// doFrom sends a request from the local address ip (any 127.0.0.0/8 address reaches the
// server on loopback), so that tests can play several clients.
func (s *server) doFrom(t testing.TB, ip, method, path string, body []byte) response {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{
		DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}).DialContext,
	}}
	defer client.CloseIdleConnections()
	req, err := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstOpenAPI(t, req, body, resp.StatusCode, resp.Header, raw)
	r := response{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.Body); err != nil {
			t.Fatalf("%s %s: answer is not a JSON object: %v\n%s", method, path, err, raw)
		}
	}
	return r
}

func TestStaffLoginBackOff(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	login := func(ip, user, pw string) response {
		b, _ := json.Marshal(map[string]string{"username": user, "password": pw})
		return s.doFrom(t, ip, http.MethodPost, pathStaffLogin, b)
	}
	const here, there = "127.0.0.1", "127.0.0.2"
	// Linux routes all of 127.0.0.0/8 to loopback; other systems may need an alias first.
	conn, err := (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(there)}}).Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Skipf("cannot connect from %s to play a second client: %v", there, err)
	}
	conn.Close()

	// Five failures are free; the sixth starts a one-second back-off for the username from
	// this address.
	for i := range 6 {
		login(here, "frontdesk", fmt.Sprintf("guess-%d", i)).wantStaffError(t, http.StatusUnauthorized, "AuthenticationFailed")
	}
	limited := func(r response, wait string) {
		t.Helper()
		r.wantStaffError(t, http.StatusTooManyRequests, "RateLimited")
		if ra := r.Header.Get("Retry-After"); ra != wait {
			t.Fatalf("Retry-After %q, want %s", ra, wait)
		}
	}
	// Even the right password waits, from this address; from another one the user logs in.
	limited(login(here, "frontdesk", demoPassword), "1")
	if r := login(there, "FRONTDESK", demoPassword); r.Status != http.StatusOK {
		t.Fatalf("the same user from another address: HTTP %d %s", r.Status, r.Raw)
	}
	// A colleague behind the same address is not blocked by one person's bad passwords.
	if r := login(here, "roomservice", demoPassword); r.Status != http.StatusOK {
		t.Fatalf("another user from the same address: HTTP %d %s", r.Status, r.Raw)
	}
	// Requests refused while backing off are not failures: after the second, logins work.
	s.Clock.Advance(time.Second)
	login(here, "frontdesk", "guess-6").wantStaffError(t, http.StatusUnauthorized, "AuthenticationFailed")
	limited(login(here, "frontdesk", demoPassword), "2") // the seventh failure doubled the wait
	s.Clock.Advance(2 * time.Second)
	r := login(here, "frontdesk", demoPassword)
	if r.Status != http.StatusOK {
		t.Fatalf("after the back-off: HTTP %d %s", r.Status, r.Raw)
	}
	tok, _ := r.Body["token"].(string)
	// The success forgave the username from here: five failures are free again.
	for range 5 {
		login(here, "frontdesk", "wrong again").wantStaffError(t, http.StatusUnauthorized, "AuthenticationFailed")
	}
	if r := login(here, "frontdesk", demoPassword); r.Status != http.StatusOK {
		t.Fatalf("frontdesk after a success and five new failures: HTTP %d %s", r.Status, r.Raw)
	}
	s.noSecretsLogged(t, tok, demoPassword, "guess-0", "guess-5", "wrong again")
}

func TestAPIKeys(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	admin := s.staffLogin(t, "admin")
	agent := s.staffLogin(t, "frontdesk")
	create := func(token string, body any) response {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		h := bearer(token)
		h[lenientHeader] = "1" // some bodies use other letter cases than the documented ones on purpose
		return s.do(t, http.MethodPost, pathAPIKeys, b, h)
	}

	// An admin creates a manager key for DEMO; the secret is in this answer only.
	r := create(admin, map[string]any{"name": " PMS – Opera ", "role": "Manager", "properties": []string{"demo"}})
	if r.Status != http.StatusCreated {
		t.Fatalf("create: HTTP %d %s", r.Status, r.Raw)
	}
	if got := keysOf(t, r.Raw); !reflect.DeepEqual(got, []string{"id", "name", "role", "properties", "createdAt", "revokedAt", "secret"}) {
		t.Fatalf("created key keys %v", got)
	}
	pms := r.Body
	pmsSecret, _ := pms["secret"].(string)
	if !regexp.MustCompile(`^cak_[A-Za-z0-9_-]{43}$`).MatchString(pmsSecret) {
		t.Fatalf("secret %q is not cak_ + base64url(32 bytes)", pmsSecret)
	}
	if pms["name"] != "PMS – Opera" || pms["role"] != "manager" || !reflect.DeepEqual(pms["properties"], []any{"DEMO"}) ||
		pms["revokedAt"] != nil || !staffTime.MatchString(pms["createdAt"].(string)) {
		t.Fatalf("created key %v", pms)
	}
	pmsID := int64(pms["id"].(float64))

	// The key is a bearer token of its own.
	r = s.do(t, http.MethodGet, pathMe, nil, bearer(pmsSecret))
	if r.Status != http.StatusOK || r.Body["kind"] != "apiKey" {
		t.Fatalf("/me with the key: HTTP %d %s", r.Status, r.Raw)
	}
	if got := keysOf(t, r.Raw); !reflect.DeepEqual(got, []string{"kind", "apiKey"}) {
		t.Fatalf("/me keys %v", got)
	}
	if k := r.Body["apiKey"].(map[string]any); k["id"] != pms["id"] || k["secret"] != nil || k["role"] != "manager" {
		t.Fatalf("/me key %v", k)
	}
	// A manager key is no admin; a key does not log out.
	s.do(t, http.MethodGet, pathAPIKeys, nil, bearer(pmsSecret)).wantStaffError(t, http.StatusForbidden, "Forbidden")
	s.do(t, http.MethodPost, pathStaffLogout, nil, bearer(pmsSecret)).wantStaffError(t, http.StatusForbidden, "Forbidden")

	// Agents manage no keys, and learn nothing about properties by trying.
	create(agent, map[string]any{"name": "x", "role": "admin"}).wantStaffError(t, http.StatusForbidden, "Forbidden")
	create(agent, map[string]any{"name": "x", "role": "manager", "properties": []string{"NOPE"}}).wantStaffError(t, http.StatusForbidden, "Forbidden")
	s.do(t, http.MethodGet, pathAPIKeys, nil, bearer(agent)).wantStaffError(t, http.StatusForbidden, "Forbidden")
	s.do(t, http.MethodPost, fmt.Sprintf("%s/%d/revoke", pathAPIKeys, pmsID), nil, bearer(agent)).wantStaffError(t, http.StatusForbidden, "Forbidden")

	// Validation.
	for _, c := range []struct {
		body   any
		fields []string
	}{
		{map[string]any{"role": "manager", "properties": []string{"DEMO"}}, []string{"name"}},
		{map[string]any{"name": "x", "role": "agent", "properties": []string{"DEMO"}}, []string{"role"}},
		{map[string]any{"name": "x"}, []string{"role"}},
		{map[string]any{"name": "x", "role": "manager"}, []string{"properties"}},
		{map[string]any{"name": "x", "role": "admin", "properties": []string{"DEMO"}}, []string{"properties"}},
		{map[string]any{"name": "x", "role": "manager", "properties": []string{""}}, []string{"properties"}},
		{map[string]any{"name": strings.Repeat("n", 201), "role": "admin"}, []string{"name"}},
	} {
		e := create(admin, c.body).wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
		if got := fieldsOf(e); !reflect.DeepEqual(got, c.fields) {
			t.Errorf("%v: fields %v, want %v", c.body, got, c.fields)
		}
	}
	create(admin, map[string]any{"name": "x", "role": "manager", "properties": []string{"DEMO", "NOPE"}}).
		wantStaffError(t, http.StatusNotFound, "PropertyNotFound")
	s.do(t, http.MethodPost, pathAPIKeys, []byte(`{"name":"x","role":"manager","properties":"DEMO"}`), bearer(admin)).
		wantStaffError(t, http.StatusBadRequest, "MalformedRequest")

	// An admin key manages keys too.
	r = create(admin, map[string]any{"name": "Backoffice", "role": "admin"})
	if r.Status != http.StatusCreated || !reflect.DeepEqual(r.Body["properties"], []any{}) {
		t.Fatalf("admin key: HTTP %d %s", r.Status, r.Raw)
	}
	adminKey := r.Body["secret"].(string)
	secrets := []string{pmsSecret, adminKey}
	for i := range 5 {
		r := create(adminKey, map[string]any{"name": fmt.Sprintf("POS %d", i), "role": "manager", "properties": []string{"DEMO"}})
		if r.Status != http.StatusCreated {
			t.Fatalf("create with an admin key: HTTP %d %s", r.Status, r.Raw)
		}
		secrets = append(secrets, r.Body["secret"].(string))
	}

	// Listing pages through every key, never with a secret.
	var ids []float64
	cursor := ""
	for page := 0; ; page++ {
		r := s.do(t, http.MethodGet, pathAPIKeys+"?limit=3&cursor="+cursor, nil, bearer(admin))
		if r.Status != http.StatusOK {
			t.Fatalf("list: HTTP %d %s", r.Status, r.Raw)
		}
		if got := keysOf(t, r.Raw); !reflect.DeepEqual(got, []string{"apiKeys", "nextCursor"}) {
			t.Fatalf("list keys %v", got)
		}
		for _, secret := range secrets {
			if bytes.Contains(r.Raw, []byte(secret)) || bytes.Contains(r.Raw, []byte(`"secret"`)) {
				t.Fatalf("the list shows a secret: %s", r.Raw)
			}
		}
		for _, k := range r.Body["apiKeys"].([]any) {
			ids = append(ids, k.(map[string]any)["id"].(float64))
		}
		cursor, _ = r.Body["nextCursor"].(string)
		if cursor == "" {
			break
		}
		if page > 5 {
			t.Fatal("the list does not end")
		}
	}
	if len(ids) != 7 {
		t.Fatalf("listed %d keys, want 7: %v", len(ids), ids)
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] <= ids[i-1] {
			t.Fatalf("ids not ascending: %v", ids)
		}
	}
	for _, q := range []string{"?limit=0", "?limit=201", "?limit=ten", "?cursor=nope", "?cursor=YWs6MA"} {
		s.do(t, http.MethodGet, pathAPIKeys+q, nil, bearer(admin)).wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
	}

	// Revocation: the key stops working at once; revoking again changes nothing.
	revoke := fmt.Sprintf("%s/%d/revoke", pathAPIKeys, pmsID)
	r = s.do(t, http.MethodPost, revoke, nil, bearer(adminKey))
	if r.Status != http.StatusOK || r.Body["id"] != pms["id"] || r.Body["secret"] != nil {
		t.Fatalf("revoke: HTTP %d %s", r.Status, r.Raw)
	}
	revokedAt, _ := r.Body["revokedAt"].(string)
	if !staffTime.MatchString(revokedAt) {
		t.Fatalf("revokedAt %q", revokedAt)
	}
	s.do(t, http.MethodGet, pathMe, nil, bearer(pmsSecret)).wantStaffError(t, http.StatusUnauthorized, "AuthenticationFailed")
	s.Clock.Advance(time.Minute)
	r = s.do(t, http.MethodPost, revoke, nil, bearer(admin))
	if r.Status != http.StatusOK || r.Body["revokedAt"] != revokedAt {
		t.Fatalf("second revoke: HTTP %d %s", r.Status, r.Raw)
	}
	for _, p := range []string{"/999999/revoke", "/0/revoke", "/abc/revoke", "/-1/revoke"} {
		s.do(t, http.MethodPost, pathAPIKeys+p, nil, bearer(admin)).wantStaffError(t, http.StatusNotFound, "APIKeyNotFound")
	}
	// Keys do not expire with time.
	s.Clock.Advance(30 * 24 * time.Hour)
	if r := s.do(t, http.MethodGet, pathMe, nil, bearer(adminKey)); r.Status != http.StatusOK {
		t.Fatalf("admin key a month later: HTTP %d %s", r.Status, r.Raw)
	}
	s.noSecretsLogged(t, append(secrets, admin, agent, demoPassword)...)
}

func TestStaffAPIRouting(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	tok := s.staffLogin(t, "admin")
	for _, path := range []string{"/api/v1/", "/api/v1/nope", "/api/v1/conversations/x/y/z", "/api/v1/ME", "/api/v1/me/",
		"/api/v1"} {
		for _, h := range []map[string]string{nil, bearer(tok)} {
			s.do(t, http.MethodGet, path, nil, h).wantStaffError(t, http.StatusNotFound, "RouteNotFound")
		}
	}
	for _, c := range []struct{ method, path, allow string }{
		{http.MethodGet, pathStaffLogin, "POST"},
		{http.MethodPost, pathMe, "GET, HEAD"},
		{http.MethodDelete, pathAPIKeys, "GET, HEAD, POST"},
		{http.MethodPatch, pathAPIKeys + "/1/revoke", "POST"},
	} {
		r := s.do(t, c.method, c.path, nil, bearer(tok))
		r.wantStaffError(t, http.StatusMethodNotAllowed, "MethodNotAllowed")
		if got := r.Header.Get("Allow"); got != c.allow {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, got, c.allow)
		}
	}
	// The guest API keeps its own routes and shapes.
	s.get(t, "/API/V40/Nope").wantFailure(t, http.StatusNotFound, "responseStatus", "RouteNotFound")
	s.noSecretsLogged(t, tok)
}
