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

	"concierge/api"
	"concierge/client"
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
	t.Parallel()
	ctx := t.Context()
	s := startServer(t, serverOptions{demo: true})

	c := s.staffAPI(t, "")
	login, err := c.Login(ctx, "admin", demoPassword)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	r := c.last(t)
	if got := keysOf(t, r.Raw); !reflect.DeepEqual(got, []string{"token", "expiresAt", "user"}) {
		t.Fatalf("answer keys %v", got)
	}
	adminToken := login.Token
	if !regexp.MustCompile(`^cst_[A-Za-z0-9_-]{43}$`).MatchString(adminToken) {
		t.Fatalf("token %q is not cst_ + base64url(32 bytes)", adminToken)
	}
	// Twelve hours from now, in UTC with nanoseconds.
	wantExpiry := s.Clock.Now().Add(12 * time.Hour).UTC().Format("2006-01-02T15:04:05.000000000Z")
	if login.ExpiresAt != wantExpiry {
		t.Fatalf("expiresAt %v, want %s", login.ExpiresAt, wantExpiry)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("Cache-Control %q", cc)
	}
	user := rawPath(t, r.Raw, "user")
	if got := keysOf(t, user); !reflect.DeepEqual(got, []string{"id", "username", "displayName", "role", "serviceCenters", "properties"}) {
		t.Fatalf("user keys %v", got)
	}
	u := login.User
	if u.Username != "admin" || u.DisplayName != "Demo Admin" || u.Role != "admin" ||
		!reflect.DeepEqual(u.ServiceCenters, []string{}) || !reflect.DeepEqual(u.Properties, []string{"DEMO"}) {
		t.Fatalf("user %+v", u)
	}
	if u.ID <= 0 {
		t.Fatalf("user id %v", u.ID)
	}

	// Usernames are case-insensitive; each login is a new token.
	lr := s.do(t, http.MethodPost, pathStaffLogin, []byte(`{"Username":" FrontDesk ","PASSWORD":"`+demoPassword+`"}`), lenient)
	if lr.Status != http.StatusOK {
		t.Fatalf("login FrontDesk: HTTP %d %s", lr.Status, lr.Raw)
	}
	var agent api.Login
	strictJSON(t, lr.Raw, &agent)
	if u := agent.User; u.Username != "frontdesk" || u.Role != "agent" || !reflect.DeepEqual(u.ServiceCenters, []string{"FO"}) ||
		!reflect.DeepEqual(u.Properties, []string{"DEMO"}) {
		t.Fatalf("user %+v", u)
	}
	agentToken := agent.Token
	if agentToken == adminToken {
		t.Fatal("two logins got the same token")
	}

	// A wrong password and an unknown username are the same failure.
	_, err = c.Login(ctx, "admin", "Demo-password")
	wrong := c.fail(t, err, http.StatusUnauthorized, "AuthenticationFailed")
	_, err = c.Login(ctx, "nobody", demoPassword)
	unknown := c.fail(t, err, http.StatusUnauthorized, "AuthenticationFailed")
	if wrong.Message != unknown.Message {
		t.Fatalf("the answers tell a wrong password (%v) from an unknown user (%v)", wrong.Message, unknown.Message)
	}

	// Request shape.
	e := s.do(t, http.MethodPost, pathStaffLogin, []byte(`{}`), nil).wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
	if got := fieldsOf(e); !reflect.DeepEqual(got, []string{"username", "password"}) {
		t.Fatalf("fields %v, want username and password", got)
	}
	_, err = c.Login(ctx, "  ", demoPassword)
	if got := fieldNames(c.fail(t, err, http.StatusBadRequest, "ValidationFailed")); !reflect.DeepEqual(got, []string{"username"}) {
		t.Fatalf("fields %v, want username", got)
	}
	_, err = c.Login(ctx, "admin", strings.Repeat("x", 2000))
	if got := fieldNames(c.fail(t, err, http.StatusBadRequest, "ValidationFailed")); !reflect.DeepEqual(got, []string{"password"}) {
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
	t.Parallel()
	ctx := t.Context()
	s := startServer(t, serverOptions{demo: true})
	rs := s.staffAs(t, "roomservice")
	tok := rs.Token()

	me, err := rs.Me(ctx)
	if err != nil || me.Kind != "user" || me.User == nil {
		t.Fatalf("/me: %+v %v", me, err)
	}
	if got := keysOf(t, rs.last(t).Raw); !reflect.DeepEqual(got, []string{"kind", "user", "expiresAt"}) {
		t.Fatalf("/me keys %v", got)
	}
	if u := me.User; u.Username != "roomservice" || !reflect.DeepEqual(u.ServiceCenters, []string{"RS"}) {
		t.Fatalf("/me user %+v", u)
	}
	if !staffTime.MatchString(me.ExpiresAt) {
		t.Fatalf("/me expiresAt %q", me.ExpiresAt)
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
	if err := rs.Logout(ctx); err != nil || rs.last(t).Status != http.StatusNoContent || len(rs.last(t).Raw) != 0 {
		t.Fatalf("logout: %v HTTP %d %s", err, rs.last(t).Status, rs.last(t).Raw)
	}
	_, err = rs.Me(ctx)
	rs.fail(t, err, http.StatusUnauthorized, "AuthenticationFailed")
	err = rs.Logout(ctx)
	rs.fail(t, err, http.StatusUnauthorized, "AuthenticationFailed")

	// A token expires 12 hours after login.
	rs = s.staffAs(t, "roomservice")
	fd := s.staffAs(t, "frontdesk")
	s.Clock.Advance(12*time.Hour - time.Second)
	if _, err := rs.Me(ctx); err != nil {
		t.Fatalf("a second before expiry: %v", err)
	}
	s.Clock.Advance(time.Second)
	_, err = rs.Me(ctx)
	rs.fail(t, err, http.StatusUnauthorized, "AuthenticationFailed")
	_, err = fd.Me(ctx)
	fd.fail(t, err, http.StatusUnauthorized, "AuthenticationFailed")
	// A new login works again.
	fresh := s.staffAs(t, "roomservice")
	if _, err := fresh.Me(ctx); err != nil {
		t.Fatalf("after a new login: %v", err)
	}
	s.noSecretsLogged(t, tok, rs.Token(), fd.Token(), fresh.Token(), demoPassword)
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
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	const here, there = "127.0.0.1", "127.0.0.2"
	from := map[string]*staffAPI{here: s.staffAPIFrom(t, here), there: s.staffAPIFrom(t, there)}
	type answer struct {
		c   *staffAPI
		err error
	}
	login := func(ip, user, pw string) answer {
		c := from[ip]
		_, err := c.Login(t.Context(), user, pw)
		return answer{c, err}
	}
	failed := func(a answer) { t.Helper(); a.c.fail(t, a.err, http.StatusUnauthorized, "AuthenticationFailed") }
	// Linux routes all of 127.0.0.0/8 to loopback; other systems may need an alias first.
	conn, err := (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(there)}}).Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Skipf("cannot connect from %s to play a second client: %v", there, err)
	}
	conn.Close()

	// Five failures are free; the sixth starts a one-second back-off for the username from
	// this address.
	for i := range 6 {
		failed(login(here, "frontdesk", fmt.Sprintf("guess-%d", i)))
	}
	limited := func(a answer, wait string) {
		t.Helper()
		ce := a.c.fail(t, a.err, http.StatusTooManyRequests, "RateLimited")
		if ra := a.c.last(t).Header.Get("Retry-After"); ra != wait || fmt.Sprint(ce.RetryAfter.Seconds()) != wait {
			t.Fatalf("Retry-After %q (%v), want %s", ra, ce.RetryAfter, wait)
		}
	}
	// Even the right password waits, from this address; from another one the user logs in.
	limited(login(here, "frontdesk", demoPassword), "1")
	if a := login(there, "FRONTDESK", demoPassword); a.err != nil {
		t.Fatalf("the same user from another address: %v", a.err)
	}
	// A colleague behind the same address is not blocked by one person's bad passwords.
	if a := login(here, "roomservice", demoPassword); a.err != nil {
		t.Fatalf("another user from the same address: %v", a.err)
	}
	// Requests refused while backing off are not failures: after the second, logins work.
	s.Clock.Advance(time.Second)
	failed(login(here, "frontdesk", "guess-6"))
	limited(login(here, "frontdesk", demoPassword), "2") // the seventh failure doubled the wait
	s.Clock.Advance(2 * time.Second)
	if a := login(here, "frontdesk", demoPassword); a.err != nil {
		t.Fatalf("after the back-off: %v", a.err)
	}
	tok := from[here].Token()
	// The success forgave the username from here: five failures are free again.
	for range 5 {
		failed(login(here, "frontdesk", "wrong again"))
	}
	if a := login(here, "frontdesk", demoPassword); a.err != nil {
		t.Fatalf("frontdesk after a success and five new failures: %v", a.err)
	}
	s.noSecretsLogged(t, tok, demoPassword, "guess-0", "guess-5", "wrong again")
}

func TestAPIKeys(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := startServer(t, serverOptions{demo: true})
	// Some bodies use other letter cases than the documented ones on purpose.
	admin := s.staffAs(t, "admin", client.WithHeader(lenientHeader, "1"))
	agent := s.staffAs(t, "frontdesk", client.WithHeader(lenientHeader, "1"))

	// An admin creates a manager key for DEMO; the secret is in this answer only.
	pms, err := admin.CreateAPIKey(ctx, api.APIKeyRequest{Name: " PMS – Opera ", Role: "Manager", Properties: []string{"demo"}})
	if err != nil || admin.last(t).Status != http.StatusCreated {
		t.Fatalf("create: %v HTTP %d", err, admin.last(t).Status)
	}
	if got := keysOf(t, admin.last(t).Raw); !reflect.DeepEqual(got, []string{"id", "name", "role", "properties", "createdAt", "revokedAt", "secret"}) {
		t.Fatalf("created key keys %v", got)
	}
	pmsSecret := pms.Secret
	if !regexp.MustCompile(`^cak_[A-Za-z0-9_-]{43}$`).MatchString(pmsSecret) {
		t.Fatalf("secret %q is not cak_ + base64url(32 bytes)", pmsSecret)
	}
	if pms.Name != "PMS – Opera" || pms.Role != "manager" || !reflect.DeepEqual(pms.Properties, []string{"DEMO"}) ||
		pms.RevokedAt != nil || !staffTime.MatchString(pms.CreatedAt) {
		t.Fatalf("created key %+v", pms)
	}
	pmsID := pms.ID

	// The key is a bearer token of its own.
	key := s.staffAPI(t, pmsSecret)
	me, err := key.Me(ctx)
	if err != nil || me.Kind != "apiKey" {
		t.Fatalf("/me with the key: %+v %v", me, err)
	}
	if got := keysOf(t, key.last(t).Raw); !reflect.DeepEqual(got, []string{"kind", "apiKey"}) {
		t.Fatalf("/me keys %v", got)
	}
	if k := me.APIKey; k == nil || k.ID != pms.ID || k.Role != "manager" || strings.Contains(string(key.last(t).Raw), `"secret"`) {
		t.Fatalf("/me key %+v", k)
	}
	// A manager key is no admin; a key does not log out.
	_, err = key.APIKeys(ctx, client.List{})
	key.fail(t, err, http.StatusForbidden, "Forbidden")
	err = key.Logout(ctx)
	key.fail(t, err, http.StatusForbidden, "Forbidden")

	// Agents manage no keys, and learn nothing about properties by trying.
	_, err = agent.CreateAPIKey(ctx, api.APIKeyRequest{Name: "x", Role: "admin"})
	agent.fail(t, err, http.StatusForbidden, "Forbidden")
	_, err = agent.CreateAPIKey(ctx, api.APIKeyRequest{Name: "x", Role: "manager", Properties: []string{"NOPE"}})
	agent.fail(t, err, http.StatusForbidden, "Forbidden")
	_, err = agent.APIKeys(ctx, client.List{})
	agent.fail(t, err, http.StatusForbidden, "Forbidden")
	_, err = agent.RevokeAPIKey(ctx, pmsID)
	agent.fail(t, err, http.StatusForbidden, "Forbidden")

	// Validation.
	for _, c := range []struct {
		body   api.APIKeyRequest
		fields []string
	}{
		{api.APIKeyRequest{Role: "manager", Properties: []string{"DEMO"}}, []string{"name"}},
		{api.APIKeyRequest{Name: "x", Role: "agent", Properties: []string{"DEMO"}}, []string{"role"}},
		{api.APIKeyRequest{Name: "x"}, []string{"role"}},
		{api.APIKeyRequest{Name: "x", Role: "manager"}, []string{"properties"}},
		{api.APIKeyRequest{Name: "x", Role: "admin", Properties: []string{"DEMO"}}, []string{"properties"}},
		{api.APIKeyRequest{Name: "x", Role: "manager", Properties: []string{""}}, []string{"properties"}},
		{api.APIKeyRequest{Name: strings.Repeat("n", 201), Role: "admin"}, []string{"name"}},
	} {
		_, err := admin.CreateAPIKey(ctx, c.body)
		if got := fieldNames(admin.fail(t, err, http.StatusBadRequest, "ValidationFailed")); !reflect.DeepEqual(got, c.fields) {
			t.Errorf("%+v: fields %v, want %v", c.body, got, c.fields)
		}
	}
	_, err = admin.CreateAPIKey(ctx, api.APIKeyRequest{Name: "x", Role: "manager", Properties: []string{"DEMO", "NOPE"}})
	admin.fail(t, err, http.StatusNotFound, "PropertyNotFound")
	s.do(t, http.MethodPost, pathAPIKeys, []byte(`{"name":"x","role":"manager","properties":"DEMO"}`), bearer(admin.Token())).
		wantStaffError(t, http.StatusBadRequest, "MalformedRequest")

	// An admin key manages keys too.
	ak, err := admin.CreateAPIKey(ctx, api.APIKeyRequest{Name: "Backoffice", Role: "admin"})
	if err != nil || admin.last(t).Status != http.StatusCreated || !reflect.DeepEqual(ak.Properties, []string{}) {
		t.Fatalf("admin key: %+v %v", ak, err)
	}
	adminKey := ak.Secret
	byKey := s.staffAPI(t, adminKey)
	secrets := []string{pmsSecret, adminKey}
	for i := range 5 {
		k, err := byKey.CreateAPIKey(ctx, api.APIKeyRequest{Name: fmt.Sprintf("POS %d", i), Role: "manager", Properties: []string{"DEMO"}})
		if err != nil || byKey.last(t).Status != http.StatusCreated {
			t.Fatalf("create with an admin key: %v", err)
		}
		secrets = append(secrets, k.Secret)
	}

	// Listing pages through every key, never with a secret.
	var ids []int64
	cursor := ""
	for page := 0; ; page++ {
		l, err := admin.APIKeys(ctx, client.List{Limit: 3, Cursor: cursor})
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		raw := admin.last(t).Raw
		if got := keysOf(t, raw); !reflect.DeepEqual(got, []string{"apiKeys", "nextCursor"}) {
			t.Fatalf("list keys %v", got)
		}
		for _, secret := range secrets {
			if bytes.Contains(raw, []byte(secret)) || bytes.Contains(raw, []byte(`"secret"`)) {
				t.Fatalf("the list shows a secret: %s", raw)
			}
		}
		for _, k := range l.APIKeys {
			ids = append(ids, k.ID)
		}
		cursor = l.NextCursor
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
		s.do(t, http.MethodGet, pathAPIKeys+q, nil, bearer(admin.Token())).wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
	}

	// Revocation: the key stops working at once; revoking again changes nothing.
	r, err := byKey.RevokeAPIKey(ctx, pmsID)
	if err != nil || r.ID != pms.ID || strings.Contains(string(byKey.last(t).Raw), `"secret"`) {
		t.Fatalf("revoke: %+v %v", r, err)
	}
	if r.RevokedAt == nil || !staffTime.MatchString(*r.RevokedAt) {
		t.Fatalf("revokedAt %v", r.RevokedAt)
	}
	revokedAt := *r.RevokedAt
	_, err = key.Me(ctx)
	key.fail(t, err, http.StatusUnauthorized, "AuthenticationFailed")
	s.Clock.Advance(time.Minute)
	if r, err := admin.RevokeAPIKey(ctx, pmsID); err != nil || r.RevokedAt == nil || *r.RevokedAt != revokedAt {
		t.Fatalf("second revoke: %+v %v", r, err)
	}
	for _, id := range []int64{999999, 0, -1} {
		_, err := admin.RevokeAPIKey(ctx, id)
		admin.fail(t, err, http.StatusNotFound, "APIKeyNotFound")
	}
	s.do(t, http.MethodPost, pathAPIKeys+"/abc/revoke", nil, bearer(admin.Token())).wantStaffError(t, http.StatusNotFound, "APIKeyNotFound")
	// Keys do not expire with time.
	s.Clock.Advance(30 * 24 * time.Hour)
	if _, err := byKey.Me(ctx); err != nil {
		t.Fatalf("admin key a month later: %v", err)
	}
	s.noSecretsLogged(t, append(secrets, admin.Token(), agent.Token(), demoPassword)...)
}

func TestStaffAPIRouting(t *testing.T) {
	t.Parallel()
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
