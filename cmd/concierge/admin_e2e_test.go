package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

const (
	pathProperties      = "/api/v1/properties"
	pathStaffUsers      = "/api/v1/staff-users"
	pathInterfaceTokens = "/api/v1/interface-tokens"
)

// admin sends body (nil: none) as JSON with the bearer token and returns the answer.
func (s *server) admin(t testing.TB, token, method, path string, body any) response {
	t.Helper()
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	return s.do(t, method, path, raw, bearer(token))
}

// wantStatus fails unless the answer has the status.
func (r response) wantStatus(t testing.TB, status int) response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("HTTP %d, want %d: %s", r.Status, status, r.Raw)
	}
	return r
}

// noLeak fails when an admin answer shows anything of a stored secret or hash.
func (r response) noLeak(t testing.TB, secrets ...string) {
	t.Helper()
	for _, bad := range append([]string{"argon2", "passwordHash", `"hash"`, `"password"`}, secrets...) {
		if bad != "" && strings.Contains(string(r.Raw), bad) {
			t.Fatalf("answer contains %q: %s", bad, r.Raw)
		}
	}
}

// guestSession opens a non-verified guest session and returns the answer.
func (s *server) guestSession(t testing.TB, property, token, id string) response {
	t.Helper()
	return s.post(t, pathInitGuest, map[string]any{"PropertyCode": property, "InterfaceToken": token, "GuestUniqueIdentifier": id})
}

// TestAdminTour: an admin sets up a second hotel through the admin API — property, service
// center, outlet with opening hours, interface token, agent — and guests and staff use it; then
// the token is revoked and the agent disabled.
func TestAdminTour(t *testing.T) {
	s := startServer(t, serverOptions{demo: true}) // Wednesday noon in Madrid, 11:00 in the Canaries
	admin := s.staffLogin(t, "admin")

	r := s.admin(t, admin, http.MethodPost, pathProperties, map[string]any{"code": "SEASIDE", "name": " Seaside Resort ",
		"brandCode": "SEA", "groupCode": "DEMOGROUP", "timeZone": "Atlantic/Canary", "defaultLanguage": "es-MX"}).
		wantStatus(t, http.StatusCreated)
	if got := keysOf(t, r.Raw); !reflect.DeepEqual(got, []string{"code", "name", "brandCode", "groupCode", "timeZone",
		"defaultLanguage", "hideStaffNames", "createdAt"}) {
		t.Fatalf("property keys %v", got)
	}
	if r.Body["name"] != "Seaside Resort" || r.Body["defaultLanguage"] != "es" || r.Body["hideStaffNames"] != false ||
		!staffTime.MatchString(r.Body["createdAt"].(string)) {
		t.Fatalf("property %s", r.Raw)
	}
	s.admin(t, admin, http.MethodGet, pathProperties+"/seaside", nil).wantStatus(t, http.StatusOK)

	r = s.admin(t, admin, http.MethodPost, pathProperties+"/SEASIDE/service-centers",
		map[string]any{"code": "FO", "name": "Recepción", "staffLanguage": "en-GB"}).wantStatus(t, http.StatusCreated)
	if want := `{"code":"FO","name":"Recepción","staffLanguage":"en"}`; strings.TrimSpace(string(r.Raw)) != want {
		t.Fatalf("service center %s, want %s", r.Raw, want)
	}

	bar := map[string]any{"code": "BAR", "name": "Pool Bar", "description": "Drinks by the pool.", "serviceCenter": "fo",
		"allowGuestMessages": true, "allowNonVerifiedGuests": true, "sortOrder": 20,
		"openingHours": []map[string]string{{"day": "Wednesday", "open": "10:00", "close": "14:00"},
			{"day": "sat", "open": "22:00", "close": "02:00"}, {"day": "SUNDAY", "open": "00:00", "close": "24:00"}}}
	r = s.admin(t, admin, http.MethodPost, pathProperties+"/SEASIDE/outlets", bar).wantStatus(t, http.StatusCreated)
	if got := keysOf(t, r.Raw); !reflect.DeepEqual(got, []string{"code", "name", "description", "serviceCenter",
		"allowGuestMessages", "allowNonVerifiedGuests", "sortOrder", "openingHours"}) {
		t.Fatalf("outlet keys %v", got)
	}
	wantHours := `[{"day":"Wednesday","open":"10:00","close":"14:00"},{"day":"Saturday","open":"22:00","close":"02:00"},{"day":"Sunday","open":"00:00","close":"24:00"}]`
	if r.Body["serviceCenter"] != "FO" || string(rawPath(t, r.Raw, "openingHours")) != wantHours {
		t.Fatalf("outlet %s", r.Raw)
	}
	s.admin(t, admin, http.MethodPost, pathProperties+"/SEASIDE/outlets", map[string]any{"code": "SPA", "name": "Spa",
		"serviceCenter": "FO", "allowGuestMessages": true, "sortOrder": 10,
		"openingHours": []map[string]string{{"day": "Monday", "open": "09:00", "close": "18:00"}}}).wantStatus(t, http.StatusCreated)

	r = s.admin(t, admin, http.MethodPost, pathInterfaceTokens, map[string]any{"name": "Seaside app", "properties": []string{"seaside"}}).
		wantStatus(t, http.StatusCreated)
	if got := keysOf(t, r.Raw); !reflect.DeepEqual(got, []string{"id", "name", "properties", "createdAt", "revokedAt", "secret"}) {
		t.Fatalf("token keys %v", got)
	}
	secret, _ := r.Body["secret"].(string)
	if !regexp.MustCompile(`^cit_[A-Za-z0-9_-]{43}$`).MatchString(secret) || !reflect.DeepEqual(r.Body["properties"], []any{"SEASIDE"}) {
		t.Fatalf("token %s", r.Raw)
	}
	tokenID := int64(r.Body["id"].(float64))

	const agentPassword = "seaside-password-1"
	r = s.admin(t, admin, http.MethodPost, pathStaffUsers, map[string]any{"username": "sea.agent", "displayName": "Sea Agent",
		"password": agentPassword, "role": "agent", "serviceCenters": []map[string]string{{"property": "seaside", "code": "fo"}}}).
		wantStatus(t, http.StatusCreated)
	r.noLeak(t, agentPassword)
	if got := keysOf(t, r.Raw); !reflect.DeepEqual(got, []string{"id", "username", "displayName", "role", "properties",
		"serviceCenters", "disabled", "createdAt", "disabledAt"}) {
		t.Fatalf("staff user keys %v", got)
	}
	if string(rawPath(t, r.Raw, "serviceCenters")) != `[{"property":"SEASIDE","code":"FO"}]` || r.Body["disabled"] != false || r.Body["disabledAt"] != nil {
		t.Fatalf("staff user %s", r.Raw)
	}

	// The new token opens guest sessions at SEASIDE, and only there; the demo token not at SEASIDE.
	r = s.guestSession(t, "SEASIDE", secret, "sunbed-7")
	c := r.content(t, "initialiseSessionResponse")
	if c["propertyCode"] != "SEASIDE" || c["brandCode"] != "SEA" || c["languageCode"] != "es" {
		t.Fatalf("session %v", c)
	}
	guest := r.token()
	s.guestSession(t, "DEMO", secret, "sunbed-7").wantFailure(t, http.StatusUnauthorized, "initialiseSessionResponse", "InterfaceTokenInvalid")
	s.guestSession(t, "SEASIDE", demoToken, "sunbed-7").wantFailure(t, http.StatusUnauthorized, "initialiseSessionResponse", "InterfaceTokenInvalid")

	// Guests see the outlets in sort order with their hours, open or not now (11:00 on a Wednesday).
	outlets := s.get(t, pathOutlets+"?SessionToken="+guest).content(t, "getOutletSettingsResponse")["outlets"].([]any)
	if len(outlets) != 2 {
		t.Fatalf("outlets %v", outlets)
	}
	spa, barSeen := outlets[0].(map[string]any), outlets[1].(map[string]any)
	if spa["code"] != "SPA" || spa["isOpen"] != false || barSeen["code"] != "BAR" || barSeen["isOpen"] != true {
		t.Fatalf("outlets %v", outlets)
	}
	var want any
	if err := json.Unmarshal([]byte(wantHours), &want); err != nil || !reflect.DeepEqual(barSeen["openingHours"], want) {
		t.Fatalf("guest hours %v, want %s", barSeen["openingHours"], wantHours)
	}

	// A conversation at the new outlet.
	conv := s.post(t, pathCreateNV, map[string]any{"SessionToken": guest, "OutletCode": "bar", "Message": "¿Abren hoy?"}).
		content(t, "createConversationResponse")["conversation"].(map[string]any)
	if conv["outletCode"] != "BAR" || conv["propertyCode"] != "SEASIDE" || conv["subject"] != "Pool Bar" {
		t.Fatalf("conversation %v", conv)
	}

	// New hours replace the old ones as a whole; guests see them at once.
	r = s.admin(t, admin, http.MethodPatch, pathProperties+"/SEASIDE/outlets/BAR",
		map[string]any{"openingHours": []map[string]string{{"day": "Friday", "open": "18:00", "close": "23:30"}}}).wantStatus(t, http.StatusOK)
	if string(rawPath(t, r.Raw, "openingHours")) != `[{"day":"Friday","open":"18:00","close":"23:30"}]` || r.Body["name"] != "Pool Bar" {
		t.Fatalf("patched outlet %s", r.Raw)
	}
	barNow := s.get(t, pathOutlets+"?Code=BAR&SessionToken="+guest).content(t, "getOutletSettingsResponse")["outlets"].([]any)[0].(map[string]any)
	if barNow["isOpen"] != false || len(barNow["openingHours"].([]any)) != 1 {
		t.Fatalf("outlet after patch %v", barNow)
	}

	// The agent logs in with the password the admin set.
	r = s.post(t, pathStaffLogin, map[string]any{"username": "SEA.AGENT", "password": agentPassword}).wantStatus(t, http.StatusOK)
	agent := r.Body["token"].(string)
	if u := r.Body["user"].(map[string]any); !reflect.DeepEqual(u["serviceCenters"], []any{"FO"}) || !reflect.DeepEqual(u["properties"], []any{}) {
		t.Fatalf("agent %v", u)
	}
	s.admin(t, agent, http.MethodGet, pathMe, nil).wantStatus(t, http.StatusOK)

	// Revoking the token stops new sessions and ends those opened with it (issue 17).
	r = s.admin(t, admin, http.MethodPost, fmt.Sprintf("%s/%d/revoke", pathInterfaceTokens, tokenID), nil).wantStatus(t, http.StatusOK)
	if r.Body["revokedAt"] == nil || r.Body["secret"] != nil {
		t.Fatalf("revoked token %s", r.Raw)
	}
	r.noLeak(t, secret)
	s.guestSession(t, "SEASIDE", secret, "sunbed-8").wantFailure(t, http.StatusUnauthorized, "initialiseSessionResponse", "InterfaceTokenInvalid")
	s.get(t, pathOutlets+"?SessionToken="+guest).wantFailure(t, http.StatusUnauthorized, "getOutletSettingsResponse", "IdentityTokenExpired")
	// A second revocation changes nothing.
	again := s.admin(t, admin, http.MethodPost, fmt.Sprintf("%s/%d/revoke", pathInterfaceTokens, tokenID), nil).wantStatus(t, http.StatusOK)
	if again.Body["revokedAt"] != r.Body["revokedAt"] {
		t.Fatalf("revokedAt changed: %v then %v", r.Body["revokedAt"], again.Body["revokedAt"])
	}
	list := s.admin(t, admin, http.MethodGet, pathInterfaceTokens, nil).wantStatus(t, http.StatusOK)
	list.noLeak(t, secret, demoToken, `"secret"`)
	if n := len(list.Body["interfaceTokens"].([]any)); n != 2 {
		t.Fatalf("%d tokens listed: %s", n, list.Raw)
	}

	// Disabling the agent ends their session at once and refuses their logins; enabling lets them
	// log in again (the old token stays dead).
	r = s.admin(t, admin, http.MethodPost, pathStaffUsers+"/sea.agent/disable", nil).wantStatus(t, http.StatusOK)
	if r.Body["disabled"] != true || !staffTime.MatchString(fmt.Sprint(r.Body["disabledAt"])) {
		t.Fatalf("disabled user %s", r.Raw)
	}
	s.admin(t, agent, http.MethodGet, pathMe, nil).wantStaffError(t, http.StatusUnauthorized, "AuthenticationFailed")
	s.post(t, pathStaffLogin, map[string]any{"username": "sea.agent", "password": agentPassword}).
		wantStaffError(t, http.StatusUnauthorized, "AuthenticationFailed")
	s.admin(t, admin, http.MethodPost, pathStaffUsers+"/sea.agent/enable", nil).wantStatus(t, http.StatusOK)
	r = s.post(t, pathStaffLogin, map[string]any{"username": "sea.agent", "password": agentPassword}).wantStatus(t, http.StatusOK)
	agent2 := r.Body["token"].(string)
	s.admin(t, agent, http.MethodGet, pathMe, nil).wantStaffError(t, http.StatusUnauthorized, "AuthenticationFailed")

	// A new password ends the agent's sessions; the old password stops working.
	const newPassword = "another-password-2"
	s.admin(t, admin, http.MethodPut, pathStaffUsers+"/sea.agent/password", map[string]any{"password": newPassword}).
		wantStatus(t, http.StatusOK).noLeak(t, newPassword)
	s.admin(t, agent2, http.MethodGet, pathMe, nil).wantStaffError(t, http.StatusUnauthorized, "AuthenticationFailed")
	s.post(t, pathStaffLogin, map[string]any{"username": "sea.agent", "password": agentPassword}).
		wantStaffError(t, http.StatusUnauthorized, "AuthenticationFailed")
	agent3 := s.post(t, pathStaffLogin, map[string]any{"username": "sea.agent", "password": newPassword}).wantStatus(t, http.StatusOK).Body["token"].(string)

	// An admin cannot lock themselves out.
	s.admin(t, admin, http.MethodPost, pathStaffUsers+"/admin/disable", nil).wantStaffError(t, http.StatusForbidden, "Forbidden")
	s.admin(t, admin, http.MethodPatch, pathStaffUsers+"/admin", map[string]any{"role": "agent", "serviceCenters": []map[string]string{{"property": "DEMO", "code": "FO"}}}).
		wantStaffError(t, http.StatusForbidden, "Forbidden")

	// Admin writes honour Idempotency-Key: a retry gets the first answer, nothing is written twice.
	h := bearer(admin)
	h["Idempotency-Key"] = "create-harbour-1"
	body := []byte(`{"code":"HARBOUR","name":"Harbour Inn","timeZone":"Europe/Lisbon","defaultLanguage":"pt-BR"}`)
	first := s.do(t, http.MethodPost, pathProperties, body, h).wantStatus(t, http.StatusCreated)
	retry := s.do(t, http.MethodPost, pathProperties, body, h).wantStatus(t, http.StatusCreated)
	if string(first.Raw) != string(retry.Raw) {
		t.Fatalf("retry answered %s, first %s", retry.Raw, first.Raw)
	}
	s.do(t, http.MethodPost, pathProperties, []byte(`{"code":"HARBOUR2","name":"x","timeZone":"UTC","defaultLanguage":"en"}`), h).
		wantStaffError(t, http.StatusConflict, "IdempotencyKeyReused")
	if n := len(s.admin(t, admin, http.MethodGet, pathProperties, nil).Body["properties"].([]any)); n != 3 {
		t.Fatalf("%d properties, want DEMO, SEASIDE, HARBOUR", n)
	}

	users := s.admin(t, admin, http.MethodGet, pathStaffUsers, nil).wantStatus(t, http.StatusOK)
	users.noLeak(t, agentPassword, newPassword)
	s.noSecretsLogged(t, secret, agentPassword, newPassword, agent, agent2, agent3, admin)
}

// TestAdminPaging: every admin list pages by cursor, 1 to 200 items at a time.
func TestAdminPaging(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	admin := s.staffLogin(t, "admin")
	for i := range 4 {
		s.admin(t, admin, http.MethodPost, pathProperties, map[string]any{"code": fmt.Sprintf("P%d", i), "name": "Hotel",
			"timeZone": "UTC", "defaultLanguage": "en"}).wantStatus(t, http.StatusCreated)
		s.admin(t, admin, http.MethodPost, pathInterfaceTokens, map[string]any{"name": "t", "properties": []string{"DEMO"}}).
			wantStatus(t, http.StatusCreated)
	}
	for _, c := range []struct {
		path, key string
		want      []string // a field of each item, in order
		field     string
	}{
		{pathProperties, "properties", []string{"DEMO", "P0", "P1", "P2", "P3"}, "code"},
		{pathProperties + "/DEMO/service-centers", "serviceCenters", []string{"FO", "RS", "SPA"}, "code"},
		{pathProperties + "/DEMO/outlets", "outlets", []string{"FRONTDESK", "ROOMSERVICE", "SPA", "GIFTSHOP"}, "code"},
		{pathStaffUsers, "staffUsers", []string{"admin", "frontdesk", "roomservice"}, "username"},
		{pathInterfaceTokens, "interfaceTokens", []string{"Demo integrator", "t", "t", "t", "t"}, "name"},
	} {
		var got []string
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatalf("%s: paging does not end", c.path)
			}
			r := s.admin(t, admin, http.MethodGet, c.path+"?limit=2&cursor="+cursor, nil).wantStatus(t, http.StatusOK)
			items := r.Body[c.key].([]any)
			if len(items) > 2 {
				t.Fatalf("%s: %d items on a page of 2", c.path, len(items))
			}
			for _, it := range items {
				got = append(got, it.(map[string]any)[c.field].(string))
			}
			cursor = r.Body["nextCursor"].(string)
			if cursor == "" {
				break
			}
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: paged through %v, want %v", c.path, got, c.want)
		}
		for _, q := range []string{"?limit=0", "?limit=201", "?limit=x", "?cursor=nonsense", "?cursor=" + encodeTestCursor("zz:1")} {
			e := s.admin(t, admin, http.MethodGet, c.path+q, nil).wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
			if f := fieldsOf(e); len(f) != 1 || (f[0] != "limit" && f[0] != "cursor") {
				t.Errorf("%s%s: fields %v", c.path, q, f)
			}
		}
	}
}

// encodeTestCursor builds a cursor of another list's kind (what a client must not reuse).
func encodeTestCursor(raw string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// TestAdminAuthorisationMatrix: every admin route × every kind of caller (admin, a manager of
// DEMO made through the API, the agent frontdesk, a manager API key for DEMO, an admin API key)
// × target (DEMO's object, another property's, an unknown one) answers exactly the status the
// roles allow, never a secret or hash, and logs none.
func TestAdminAuthorisationMatrix(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	admin := s.staffLogin(t, "admin")

	// Another property with the same layout as DEMO's, and an agent there.
	s.admin(t, admin, http.MethodPost, pathProperties, map[string]any{"code": "OTHER", "name": "Other Hotel",
		"timeZone": "Europe/Lisbon", "defaultLanguage": "pt"}).wantStatus(t, http.StatusCreated)
	s.admin(t, admin, http.MethodPost, pathProperties+"/OTHER/service-centers", map[string]any{"code": "FO", "name": "Front Office",
		"staffLanguage": "en"}).wantStatus(t, http.StatusCreated)
	s.admin(t, admin, http.MethodPost, pathProperties+"/OTHER/outlets", map[string]any{"code": "FRONTDESK", "name": "Front Desk",
		"serviceCenter": "FO", "allowGuestMessages": true, "sortOrder": 10}).wantStatus(t, http.StatusCreated)
	const pw = "matrix-password-1"
	s.admin(t, admin, http.MethodPost, pathStaffUsers, map[string]any{"username": "other-agent", "displayName": "Other Agent",
		"password": pw, "role": "agent", "serviceCenters": []map[string]string{{"property": "OTHER", "code": "FO"}}}).wantStatus(t, http.StatusCreated)
	s.admin(t, admin, http.MethodPost, pathStaffUsers, map[string]any{"username": "demo-manager", "displayName": "Demo Manager",
		"password": pw, "role": "manager", "properties": []string{"DEMO"}}).wantStatus(t, http.StatusCreated)
	manager := s.post(t, pathStaffLogin, map[string]any{"username": "demo-manager", "password": pw}).wantStatus(t, http.StatusOK).Body["token"].(string)
	key := func(body map[string]any) string {
		return s.admin(t, admin, http.MethodPost, pathAPIKeys, body).wantStatus(t, http.StatusCreated).Body["secret"].(string)
	}
	keyManager := key(map[string]any{"name": "PMS", "role": "manager", "properties": []string{"DEMO"}})
	keyAdmin := key(map[string]any{"name": "Backoffice", "role": "admin"})
	tokenID := func(prop string) string {
		r := s.admin(t, admin, http.MethodPost, pathInterfaceTokens, map[string]any{"name": "app", "properties": []string{prop}})
		return fmt.Sprint(int64(r.wantStatus(t, http.StatusCreated).Body["id"].(float64)))
	}
	tokens := map[string]string{"own": tokenID("DEMO"), "other": tokenID("OTHER"), "unknown": "999999"}
	secrets := []string{manager, keyManager, keyAdmin, pw, admin}

	callers := []struct {
		name, token string
		role        string // admin, manager, agent
	}{
		{"admin", admin, "admin"},
		{"manager", manager, "manager"},
		{"agent", s.staffLogin(t, "frontdesk"), "agent"},
		{"manager key", keyManager, "manager"},
		{"admin key", keyAdmin, "admin"},
	}
	props := map[string]string{"own": "DEMO", "other": "OTHER", "unknown": "NOPE"}
	users := map[string]string{"own": "roomservice", "other": "other-agent", "unknown": "nobody"}
	targets := []string{"own", "other", "unknown"}

	// manager says what a manager may do: "" nothing (403), "own" DEMO's objects (others 404),
	// "all" the route without target.
	type route struct {
		method   string
		fixed    string                     // the path of a route without target
		path     func(target string) string // the path of a route with targets
		body     func(n int, target string) any
		ok       int
		manager  string
		notFound string // the code of a 404
	}
	seq := 0
	unique := func(n int) string { return fmt.Sprintf("X%d", n) }
	prop := func(suffix string) func(string) string {
		return func(target string) string { return pathProperties + "/" + props[target] + suffix }
	}
	user := func(suffix string) func(string) string {
		return func(target string) string { return pathStaffUsers + "/" + users[target] + suffix }
	}
	routes := []route{
		{http.MethodGet, pathProperties, nil, nil, 200, "all", ""},
		{http.MethodPost, pathProperties, nil, func(n int, _ string) any {
			return map[string]any{"code": unique(n), "name": "H", "timeZone": "UTC", "defaultLanguage": "en"}
		}, 201, "", ""},
		{http.MethodGet, "", prop(""), nil, 200, "own", "PropertyNotFound"},
		{http.MethodPatch, "", prop(""), func(int, string) any { return map[string]any{"hideStaffNames": false} }, 200, "", "PropertyNotFound"},
		{http.MethodGet, "", prop("/service-centers"), nil, 200, "own", "PropertyNotFound"},
		{http.MethodPost, "", prop("/service-centers"), func(n int, _ string) any {
			return map[string]any{"code": unique(n), "name": "Team", "staffLanguage": "en"}
		}, 201, "own", "PropertyNotFound"},
		{http.MethodGet, "", prop("/service-centers/FO"), nil, 200, "own", "PropertyNotFound"},
		{http.MethodPatch, "", prop("/service-centers/FO"), func(int, string) any { return map[string]any{"staffLanguage": "en"} }, 200, "own", "PropertyNotFound"},
		{http.MethodGet, "", prop("/outlets"), nil, 200, "own", "PropertyNotFound"},
		{http.MethodPost, "", prop("/outlets"), func(n int, _ string) any {
			return map[string]any{"code": unique(n), "name": "Kiosk", "serviceCenter": "FO"}
		}, 201, "own", "PropertyNotFound"},
		{http.MethodGet, "", prop("/outlets/FRONTDESK"), nil, 200, "own", "PropertyNotFound"},
		{http.MethodPatch, "", prop("/outlets/FRONTDESK"), func(int, string) any { return map[string]any{"sortOrder": 10} }, 200, "own", "PropertyNotFound"},
		{http.MethodGet, pathStaffUsers, nil, nil, 200, "all", ""},
		{http.MethodPost, "", func(string) string { return pathStaffUsers }, func(n int, target string) any {
			return map[string]any{"username": "u" + unique(n), "displayName": "U", "password": pw, "role": "agent",
				"serviceCenters": []map[string]string{{"property": props[target], "code": "FO"}}}
		}, 201, "own", "PropertyNotFound"},
		{http.MethodGet, "", user(""), nil, 200, "own", "StaffUserNotFound"},
		{http.MethodPatch, "", user(""), func(int, string) any { return map[string]any{"displayName": "Renamed"} }, 200, "own", "StaffUserNotFound"},
		{http.MethodPut, "", user("/password"), func(int, string) any { return map[string]any{"password": pw} }, 200, "own", "StaffUserNotFound"},
		{http.MethodPost, "", user("/disable"), nil, 200, "own", "StaffUserNotFound"},
		{http.MethodPost, "", user("/enable"), nil, 200, "own", "StaffUserNotFound"},
		{http.MethodGet, pathInterfaceTokens, nil, nil, 200, "", ""},
		{http.MethodPost, "", func(string) string { return pathInterfaceTokens }, func(_ int, target string) any {
			return map[string]any{"name": "app", "properties": []string{props[target]}}
		}, 201, "", "PropertyNotFound"},
		{http.MethodPost, "", func(target string) string { return pathInterfaceTokens + "/" + tokens[target] + "/revoke" }, nil, 200, "", "InterfaceTokenNotFound"},
	}
	for _, rt := range routes {
		tgts := targets
		if rt.path == nil {
			tgts = []string{"-"}
		}
		for _, c := range callers {
			for _, target := range tgts {
				path := rt.fixed
				if rt.path != nil {
					path = rt.path(target)
				}
				var body any
				if rt.body != nil {
					seq++
					body = rt.body(seq, target)
				}
				want, wantCode := rt.ok, ""
				switch {
				case c.role == "agent", c.role == "manager" && rt.manager == "":
					want, wantCode = http.StatusForbidden, "Forbidden"
				case target == "unknown", target == "other" && c.role == "manager":
					want, wantCode = http.StatusNotFound, rt.notFound
				}
				label := fmt.Sprintf("%s %s as %s (%s)", rt.method, path, c.name, target)
				r := s.admin(t, c.token, rt.method, path, body)
				if r.Status != want {
					t.Errorf("%s: HTTP %d, want %d: %s", label, r.Status, want, r.Raw)
					continue
				}
				if wantCode != "" {
					r.wantStaffError(t, want, wantCode)
				}
				r.noLeak(t, secrets...)
				if !(rt.method == http.MethodPost && strings.HasSuffix(path, pathInterfaceTokens)) && strings.Contains(string(r.Raw), "secret") {
					t.Errorf("%s: answer shows a secret: %s", label, r.Raw)
				}
			}
		}
	}

	// What a manager sees in lists: their properties, the agents of their properties.
	r := s.admin(t, manager, http.MethodGet, pathProperties, nil).wantStatus(t, http.StatusOK)
	if n := len(r.Body["properties"].([]any)); n != 1 {
		t.Errorf("manager sees %d properties: %s", n, r.Raw)
	}
	r = s.admin(t, manager, http.MethodGet, pathStaffUsers+"?limit=200", nil).wantStatus(t, http.StatusOK)
	for _, u := range r.Body["staffUsers"].([]any) {
		u := u.(map[string]any)
		if u["role"] != "agent" || strings.Contains(fmt.Sprint(u["serviceCenters"]), "OTHER") {
			t.Errorf("manager sees %v", u)
		}
	}
	// A manager creates only agents, and promotes nobody.
	s.admin(t, manager, http.MethodPost, pathStaffUsers, map[string]any{"username": "boss2", "displayName": "B", "password": pw,
		"role": "manager", "properties": []string{"DEMO"}}).wantStaffError(t, http.StatusForbidden, "Forbidden")
	s.admin(t, manager, http.MethodPatch, pathStaffUsers+"/roomservice", map[string]any{"role": "admin"}).
		wantStaffError(t, http.StatusForbidden, "Forbidden")
	s.admin(t, manager, http.MethodGet, pathStaffUsers+"/admin", nil).wantStaffError(t, http.StatusNotFound, "StaffUserNotFound")
	s.admin(t, manager, http.MethodPatch, pathStaffUsers+"/roomservice", map[string]any{
		"serviceCenters": []map[string]string{{"property": "OTHER", "code": "FO"}}}).wantStaffError(t, http.StatusNotFound, "PropertyNotFound")

	s.noSecretsLogged(t, secrets...)
}

// TestAdminBadInput: every admin write refuses wrong JSON types, missing and invalid fields,
// oversize bodies, bad UTF-8 and taken codes, with the exact code and fields.
func TestAdminBadInput(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	admin := s.staffLogin(t, "admin")
	raw := func(method, path, body string) response {
		return s.do(t, method, path, []byte(body), bearer(admin))
	}
	type bad struct {
		body   string
		status int
		code   string
		fields []string
	}
	invalid := func(body string, fields ...string) bad {
		return bad{body, http.StatusBadRequest, "ValidationFailed", fields}
	}
	malformed := func(body string) bad { return bad{body, http.StatusBadRequest, "MalformedRequest", nil} }
	hours := func(day, open, close string) string {
		return fmt.Sprintf(`{"code":"NEW","name":"N","serviceCenter":"FO","openingHours":[{"day":%q,"open":%q,"close":%q}]}`, day, open, close)
	}
	cases := []struct {
		method, path string
		bads         []bad
	}{
		{http.MethodPost, pathProperties, []bad{
			malformed(`{"code":5,"name":"H","timeZone":"UTC","defaultLanguage":"en"}`),
			malformed(`{"code":"X","hideStaffNames":"yes"}`),
			malformed(`[1,2]`),
			malformed(`{"code":`),
			invalid(`{}`, "code", "name", "timeZone", "defaultLanguage"),
			invalid(`{"code":"has space","name":"H","timeZone":"UTC","defaultLanguage":"en"}`, "code"),
			invalid(`{"code":"`+strings.Repeat("C", 51)+`","name":"H","timeZone":"UTC","defaultLanguage":"en"}`, "code"),
			invalid(`{"code":"X","name":"H","timeZone":"Mars/Olympus","defaultLanguage":"en"}`, "timeZone"),
			invalid(`{"code":"X","name":"H","timeZone":"Local","defaultLanguage":"en"}`, "timeZone"),
			invalid(`{"code":"X","name":"H","timeZone":"UTC","defaultLanguage":"not a language"}`, "defaultLanguage"),
			invalid(`{"code":"X","name":"`+strings.Repeat("n", 201)+`","timeZone":"UTC","defaultLanguage":"en"}`, "name"),
			invalid(`{"code":"X","name":"a\u0000b","timeZone":"UTC","defaultLanguage":"en"}`, "name"),
			{`{"code":"demo","name":"H","timeZone":"UTC","defaultLanguage":"en"}`, http.StatusConflict, "AlreadyExists", nil},
		}},
		{http.MethodPatch, pathProperties + "/DEMO", []bad{
			malformed(`{"name":["x"]}`),
			invalid(`{"name":"  "}`, "name"),
			invalid(`{"timeZone":"Europe/Nowhere","defaultLanguage":"??"}`, "timeZone", "defaultLanguage"),
		}},
		{http.MethodPost, pathProperties + "/DEMO/service-centers", []bad{
			malformed(`{"code":"X","name":"N","staffLanguage":1}`),
			invalid(`{}`, "code", "name", "staffLanguage"),
			invalid(`{"code":"X","name":"N","staffLanguage":"xx-!!"}`, "staffLanguage"),
			{`{"code":"fo","name":"N","staffLanguage":"en"}`, http.StatusConflict, "AlreadyExists", nil},
		}},
		{http.MethodPatch, pathProperties + "/DEMO/service-centers/FO", []bad{
			malformed(`{"name":true}`),
			invalid(`{"name":"","staffLanguage":"nope!"}`, "name", "staffLanguage"),
		}},
		{http.MethodPost, pathProperties + "/DEMO/outlets", []bad{
			malformed(`{"code":"NEW","name":"N","serviceCenter":"FO","sortOrder":"1"}`),
			malformed(`{"code":"NEW","name":"N","serviceCenter":"FO","sortOrder":1.5}`),
			malformed(`{"code":"NEW","name":"N","serviceCenter":"FO","openingHours":{"day":"Monday"}}`),
			malformed(`{"code":"NEW","name":"N","serviceCenter":"FO","allowGuestMessages":"true"}`),
			invalid(`{}`, "code", "name", "serviceCenter"),
			invalid(hours("Funday", "09:00", "10:00"), "openingHours[0].day"),
			invalid(hours("Monday", "25:00", "10:00"), "openingHours[0].open"),
			invalid(hours("Monday", "24:00", "10:00"), "openingHours[0].open"),
			invalid(hours("Monday", "09:00", "9:30"), "openingHours[0].close"),
			invalid(hours("Monday", "", "24:01"), "openingHours[0].open", "openingHours[0].close"),
			invalid(`{"code":"NEW","name":"N","serviceCenter":"FO","sortOrder":2000000}`, "sortOrder"),
			invalid(`{"code":"NEW","name":"N","serviceCenter":"FO","description":"`+strings.Repeat("d", 1001)+`"}`, "description"),
			{`{"code":"NEW","name":"N","serviceCenter":"NOPE"}`, http.StatusNotFound, "ServiceCenterNotFound", nil},
			{`{"code":"frontdesk","name":"N","serviceCenter":"FO"}`, http.StatusConflict, "AlreadyExists", nil},
		}},
		{http.MethodPatch, pathProperties + "/DEMO/outlets/SPA", []bad{
			malformed(`{"openingHours":"always"}`),
			invalid(`{"openingHours":[{"day":"mon","open":"09:00","close":"10:00"},{"day":"tue","open":"9","close":"10:00"}]}`, "openingHours[1].open"),
			{`{"serviceCenter":"NOPE"}`, http.StatusNotFound, "ServiceCenterNotFound", nil},
		}},
		{http.MethodPost, pathStaffUsers, []bad{
			malformed(`{"username":"x","serviceCenters":["FO"]}`),
			malformed(`{"username":"x","password":1234567890}`),
			invalid(`{}`, "username", "displayName", "password", "role"),
			invalid(`{"username":"a b","displayName":"A","password":"long-enough-1","role":"admin"}`, "username"),
			invalid(`{"username":"ab","displayName":"A","password":"short","role":"admin"}`, "password"),
			invalid(`{"username":"ab","displayName":"A","password":"long-enough-1","role":"boss"}`, "role"),
			invalid(`{"username":"ab","displayName":"A","password":"long-enough-1","role":"agent"}`, "serviceCenters"),
			invalid(`{"username":"ab","displayName":"A","password":"long-enough-1","role":"manager"}`, "properties"),
			invalid(`{"username":"ab","displayName":"A","password":"long-enough-1","role":"agent","serviceCenters":[{"property":"DEMO"}]}`, "serviceCenters"),
			{`{"username":"ab","displayName":"A","password":"long-enough-1","role":"agent","serviceCenters":[{"property":"DEMO","code":"NOPE"}]}`,
				http.StatusNotFound, "ServiceCenterNotFound", nil},
			{`{"username":"ab","displayName":"A","password":"long-enough-1","role":"manager","properties":["NOPE"]}`,
				http.StatusNotFound, "PropertyNotFound", nil},
			{`{"username":"ADMIN","displayName":"A","password":"long-enough-1","role":"admin"}`, http.StatusConflict, "AlreadyExists", nil},
		}},
		{http.MethodPatch, pathStaffUsers + "/frontdesk", []bad{
			malformed(`{"role":7}`),
			invalid(`{"displayName":""}`, "displayName"),
			invalid(`{"role":"manager","properties":[]}`, "properties"),
			invalid(`{"serviceCenters":[]}`, "serviceCenters"),
		}},
		{http.MethodPut, pathStaffUsers + "/frontdesk/password", []bad{
			malformed(`{"password":null,"x":}`),
			invalid(`{}`, "password"),
			invalid(`{"password":"123456789"}`, "password"),
			invalid(`{"password":"`+strings.Repeat("p", 1025)+`"}`, "password"),
		}},
		{http.MethodPost, pathInterfaceTokens, []bad{
			malformed(`{"name":"x","properties":"DEMO"}`),
			invalid(`{}`, "name", "properties"),
			invalid(`{"name":"x","properties":[""]}`, "properties"),
			{`{"name":"x","properties":["DEMO","NOPE"]}`, http.StatusNotFound, "PropertyNotFound", nil},
		}},
	}
	for _, c := range cases {
		// Every write: oversize bodies, bad UTF-8, another media type.
		raw(c.method, c.path, `{"name":"`+strings.Repeat("x", 70<<10)+`"}`).wantStaffError(t, http.StatusRequestEntityTooLarge, "PayloadTooLarge")
		e := raw(c.method, c.path, "{\"name\":\"\xff\xfe\"}").wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
		if f := fieldsOf(e); !reflect.DeepEqual(f, []string{"body"}) {
			t.Errorf("%s %s bad UTF-8: fields %v", c.method, c.path, f)
		}
		s.do(t, c.method, c.path, []byte(`name=x`), map[string]string{"Authorization": "Bearer " + admin, "Content-Type": "application/x-www-form-urlencoded"}).
			wantStaffError(t, http.StatusUnsupportedMediaType, "UnsupportedMediaType")
		for _, b := range c.bads {
			e := raw(c.method, c.path, b.body).wantStaffError(t, b.status, b.code)
			if b.code == "ValidationFailed" && !reflect.DeepEqual(fieldsOf(e), b.fields) {
				t.Errorf("%s %s %s: fields %v, want %v", c.method, c.path, b.body, fieldsOf(e), b.fields)
			}
		}
	}

	// Nothing above was written.
	r := s.admin(t, admin, http.MethodGet, pathProperties+"/DEMO/outlets/SPA", nil).wantStatus(t, http.StatusOK)
	if n := len(r.Body["openingHours"].([]any)); n != 7 {
		t.Errorf("SPA has %d intervals after refused patches: %s", n, r.Raw)
	}
	r = s.admin(t, admin, http.MethodGet, pathProperties, nil).wantStatus(t, http.StatusOK)
	if n := len(r.Body["properties"].([]any)); n != 1 {
		t.Errorf("%d properties after refused creations", n)
	}
	s.post(t, pathStaffLogin, map[string]any{"username": "frontdesk", "password": demoPassword}).wantStatus(t, http.StatusOK)

	// Objects named by the path that do not exist.
	s.admin(t, admin, http.MethodPatch, pathProperties+"/DEMO/outlets/NOPE", map[string]any{"name": "x"}).wantStaffError(t, http.StatusNotFound, "OutletNotFound")
	s.admin(t, admin, http.MethodGet, pathProperties+"/DEMO/service-centers/NOPE", nil).wantStaffError(t, http.StatusNotFound, "ServiceCenterNotFound")
	s.admin(t, admin, http.MethodPost, pathInterfaceTokens+"/abc/revoke", nil).wantStaffError(t, http.StatusNotFound, "InterfaceTokenNotFound")
	s.admin(t, admin, http.MethodDelete, pathProperties+"/DEMO", nil).wantStaffError(t, http.StatusMethodNotAllowed, "MethodNotAllowed")
}

// TestServiceCenterChangeSeenAtOnce: service centers are cached for a moment, but this
// node's own change is seen by the very next conversation: a renamed center is the name its
// first message shows.
func TestServiceCenterChangeSeenAtOnce(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	admin := s.staffLogin(t, "admin")
	guest := s.loginRoom(t, "101", "Garcia")
	centerOfNewConversation := func() any {
		r := s.post(t, pathCreate, map[string]any{"SessionToken": guest, "Message": "Hola", "ConversationType": "guest",
			"OutletCode": "FRONTDESK"})
		conv := r.content(t, "createConversationResponse")["conversation"].(map[string]any)
		return conv["messages"].([]any)[0].(map[string]any)["serviceCenterName"]
	}
	if got := centerOfNewConversation(); got != "Front Office" {
		t.Fatalf("service center %v, want Front Office", got)
	}
	s.admin(t, admin, http.MethodPatch, pathProperties+"/DEMO/service-centers/FO", map[string]any{"name": "Reception"}).
		wantStatus(t, http.StatusOK)
	if got := centerOfNewConversation(); got != "Reception" {
		t.Fatalf("service center after the rename %v, want Reception", got)
	}
}
