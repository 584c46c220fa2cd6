package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"concierge/api"
	"concierge/client"
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

// TestAdminTour: an admin sets up a second hotel through the admin API — property, service
// center, outlet with opening hours, interface token, agent — and guests and staff use it; then
// the token is revoked and the agent disabled.
func TestAdminTour(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := startServer(t, serverOptions{demo: true}) // Wednesday noon in Madrid, 11:00 in the Canaries
	admin := s.staffAs(t, "admin")
	created := func() response {
		t.Helper()
		x := admin.last(t)
		if x.Status != http.StatusCreated {
			t.Fatalf("HTTP %d, want 201: %s", x.Status, x.Raw)
		}
		return x
	}

	p := need(admin.CreateProperty(ctx, api.PropertyRequest{Code: ptr("SEASIDE"), Name: ptr(" Seaside Resort "),
		BrandCode: ptr("SEA"), GroupCode: ptr("DEMOGROUP"), TimeZone: ptr("Atlantic/Canary"), DefaultLanguage: ptr("es-MX")}))(t)
	if got := keysOf(t, created().Raw); !reflect.DeepEqual(got, []string{"code", "name", "brandCode", "groupCode", "timeZone",
		"defaultLanguage", "hideStaffNames", "createdAt"}) {
		t.Fatalf("property keys %v", got)
	}
	if p.Name != "Seaside Resort" || p.DefaultLanguage != "es" || p.HideStaffNames || !staffTime.MatchString(p.CreatedAt) {
		t.Fatalf("property %+v", p)
	}
	need(admin.Property(ctx, "seaside"))(t)

	need(admin.CreateServiceCenter(ctx, "SEASIDE", api.ServiceCenterRequest{Code: ptr("FO"), Name: ptr("Recepción"), StaffLanguage: ptr("en-GB")}))(t)
	if raw, want := created().Raw, `{"code":"FO","name":"Recepción","staffLanguage":"en"}`; strings.TrimSpace(string(raw)) != want {
		t.Fatalf("service center %s, want %s", raw, want)
	}

	bar := api.OutletRequest{Code: ptr("BAR"), Name: ptr("Pool Bar"), Description: ptr("Drinks by the pool."), ServiceCenter: ptr("fo"),
		AllowGuestMessages: ptr(true), AllowNonVerifiedGuests: ptr(true), SortOrder: ptr(20),
		OpeningHours: &[]api.OpeningHours{{Day: "Wednesday", Open: "10:00", Close: "14:00"},
			{Day: "sat", Open: "22:00", Close: "02:00"}, {Day: "SUNDAY", Open: "00:00", Close: "24:00"}}}
	o := need(admin.CreateOutlet(ctx, "SEASIDE", bar))(t)
	raw := created().Raw
	if got := keysOf(t, raw); !reflect.DeepEqual(got, []string{"code", "name", "description", "serviceCenter",
		"allowGuestMessages", "allowNonVerifiedGuests", "sortOrder", "openingHours"}) {
		t.Fatalf("outlet keys %v", got)
	}
	wantHours := []api.OpeningHours{{Day: "Wednesday", Open: "10:00", Close: "14:00"}, {Day: "Saturday", Open: "22:00", Close: "02:00"},
		{Day: "Sunday", Open: "00:00", Close: "24:00"}}
	if o.ServiceCenter != "FO" || !reflect.DeepEqual(o.OpeningHours, wantHours) ||
		string(rawPath(t, raw, "openingHours")) != `[{"day":"Wednesday","open":"10:00","close":"14:00"},{"day":"Saturday","open":"22:00","close":"02:00"},{"day":"Sunday","open":"00:00","close":"24:00"}]` {
		t.Fatalf("outlet %s", raw)
	}
	need(admin.CreateOutlet(ctx, "SEASIDE", api.OutletRequest{Code: ptr("SPA"), Name: ptr("Spa"), ServiceCenter: ptr("FO"),
		AllowGuestMessages: ptr(true), SortOrder: ptr(10), OpeningHours: &[]api.OpeningHours{{Day: "Monday", Open: "09:00", Close: "18:00"}}}))(t)
	created()

	tok := need(admin.CreateInterfaceToken(ctx, api.InterfaceTokenRequest{Name: "Seaside app", Properties: []string{"seaside"}}))(t)
	if got := keysOf(t, created().Raw); !reflect.DeepEqual(got, []string{"id", "name", "properties", "createdAt", "revokedAt", "secret"}) {
		t.Fatalf("token keys %v", got)
	}
	secret := tok.Secret
	if !regexp.MustCompile(`^cit_[A-Za-z0-9_-]{43}$`).MatchString(secret) || !reflect.DeepEqual(tok.Properties, []string{"SEASIDE"}) {
		t.Fatalf("token %+v", tok)
	}

	const agentPassword = "seaside-password-1"
	u := need(admin.CreateStaffUser(ctx, api.StaffUserRequest{Username: ptr("sea.agent"), DisplayName: ptr("Sea Agent"),
		Password: ptr(agentPassword), Role: ptr("agent"), ServiceCenters: &[]api.CenterRef{{Property: "seaside", Code: "fo"}}}))(t)
	raw = created().Raw
	admin.last(t).noLeak(t, agentPassword)
	if got := keysOf(t, raw); !reflect.DeepEqual(got, []string{"id", "username", "displayName", "role", "properties",
		"serviceCenters", "disabled", "createdAt", "disabledAt"}) {
		t.Fatalf("staff user keys %v", got)
	}
	if !reflect.DeepEqual(u.ServiceCenters, []api.CenterRef{{Property: "SEASIDE", Code: "FO"}}) || u.Disabled || u.DisabledAt != nil {
		t.Fatalf("staff user %s", raw)
	}

	// The new token opens guest sessions at SEASIDE, and only there; the demo token not at SEASIDE.
	guest := s.guestAPI(t, "")
	sess, err := guest.Initialise(ctx, api.GuestInitialiseRequest{PropertyCode: "SEASIDE", InterfaceToken: secret, GuestUniqueIdentifier: "sunbed-7"})
	if err != nil || sess.PropertyCode != "SEASIDE" || sess.BrandCode != "SEA" || sess.LanguageCode != "es" {
		t.Fatalf("session %+v %v", sess, err)
	}
	for _, c := range []struct{ property, token string }{{"DEMO", secret}, {"SEASIDE", demoToken}} {
		g := s.guestAPI(t, "")
		_, err := g.Initialise(ctx, api.GuestInitialiseRequest{PropertyCode: c.property, InterfaceToken: c.token, GuestUniqueIdentifier: "sunbed-7"})
		g.fail(t, err, http.StatusUnauthorized, "initialiseSessionResponse", "InterfaceTokenInvalid")
	}

	// Guests see the outlets in sort order with their hours, open or not now (11:00 on a Wednesday).
	outlets := need(guest.Outlets(ctx, ""))(t)
	if len(outlets) != 2 {
		t.Fatalf("outlets %+v", outlets)
	}
	spa, barSeen := outlets[0], outlets[1]
	if spa.Code != "SPA" || spa.IsOpen || barSeen.Code != "BAR" || !barSeen.IsOpen {
		t.Fatalf("outlets %+v", outlets)
	}
	if !reflect.DeepEqual(barSeen.OpeningHours, wantHours) {
		t.Fatalf("guest hours %+v, want %+v", barSeen.OpeningHours, wantHours)
	}

	// A conversation at the new outlet.
	conv := need(guest.CreateNonVerifiedConversation(ctx, api.GuestCreateConversationRequest{OutletCode: "bar", Message: "¿Abren hoy?"}, ""))(t)
	if conv.OutletCode != "BAR" || conv.PropertyCode != "SEASIDE" || conv.Subject != "Pool Bar" {
		t.Fatalf("conversation %+v", conv)
	}

	// New hours replace the old ones as a whole; guests see them at once.
	o = need(admin.UpdateOutlet(ctx, "SEASIDE", "BAR", api.OutletRequest{OpeningHours: &[]api.OpeningHours{{Day: "Friday", Open: "18:00", Close: "23:30"}}}))(t)
	if string(rawPath(t, admin.last(t).Raw, "openingHours")) != `[{"day":"Friday","open":"18:00","close":"23:30"}]` || o.Name != "Pool Bar" {
		t.Fatalf("patched outlet %+v", o)
	}
	barNow := need(guest.Outlets(ctx, "BAR"))(t)[0]
	if barNow.IsOpen || len(barNow.OpeningHours) != 1 {
		t.Fatalf("outlet after patch %+v", barNow)
	}

	// The agent logs in with the password the admin set.
	agent := s.staffAPI(t, "")
	login := need(agent.Login(ctx, "SEA.AGENT", agentPassword))(t)
	if u := login.User; !reflect.DeepEqual(u.ServiceCenters, []string{"FO"}) || !reflect.DeepEqual(u.Properties, []string{}) {
		t.Fatalf("agent %+v", u)
	}
	need(agent.Me(ctx))(t)

	// Revoking the token stops new sessions and ends those opened with it (issue 17).
	revoked := need(admin.RevokeInterfaceToken(ctx, tok.ID))(t)
	if revoked.RevokedAt == nil || strings.Contains(string(admin.last(t).Raw), `"secret"`) {
		t.Fatalf("revoked token %+v", revoked)
	}
	admin.last(t).noLeak(t, secret)
	late := s.guestAPI(t, "")
	_, err = late.Initialise(ctx, api.GuestInitialiseRequest{PropertyCode: "SEASIDE", InterfaceToken: secret, GuestUniqueIdentifier: "sunbed-8"})
	late.fail(t, err, http.StatusUnauthorized, "initialiseSessionResponse", "InterfaceTokenInvalid")
	_, err = guest.Outlets(ctx, "")
	guest.fail(t, err, http.StatusUnauthorized, "getOutletSettingsResponse", "IdentityTokenExpired")
	// A second revocation changes nothing.
	if again := need(admin.RevokeInterfaceToken(ctx, tok.ID))(t); again.RevokedAt == nil || *again.RevokedAt != *revoked.RevokedAt {
		t.Fatalf("revokedAt changed: %v then %v", *revoked.RevokedAt, again.RevokedAt)
	}
	list := need(admin.InterfaceTokens(ctx, client.List{}))(t)
	admin.last(t).noLeak(t, secret, demoToken, `"secret"`)
	if n := len(list.InterfaceTokens); n != 2 {
		t.Fatalf("%d tokens listed: %+v", n, list)
	}

	// Disabling the agent ends their session at once and refuses their logins; enabling lets them
	// log in again (the old token stays dead).
	if d := need(admin.DisableStaffUser(ctx, "sea.agent"))(t); !d.Disabled || d.DisabledAt == nil || !staffTime.MatchString(*d.DisabledAt) {
		t.Fatalf("disabled user %+v", d)
	}
	_, err = agent.Me(ctx)
	agent.fail(t, err, http.StatusUnauthorized, "AuthenticationFailed")
	again := s.staffAPI(t, "")
	_, err = again.Login(ctx, "sea.agent", agentPassword)
	again.fail(t, err, http.StatusUnauthorized, "AuthenticationFailed")
	need(admin.EnableStaffUser(ctx, "sea.agent"))(t)
	agent2 := need(again.Login(ctx, "sea.agent", agentPassword))(t).Token
	_, err = agent.Me(ctx)
	agent.fail(t, err, http.StatusUnauthorized, "AuthenticationFailed")

	// A new password ends the agent's sessions; the old password stops working.
	const newPassword = "another-password-2"
	need(admin.SetPassword(ctx, "sea.agent", newPassword))(t)
	admin.last(t).noLeak(t, newPassword)
	_, err = again.Me(ctx)
	again.fail(t, err, http.StatusUnauthorized, "AuthenticationFailed")
	third := s.staffAPI(t, "")
	_, err = third.Login(ctx, "sea.agent", agentPassword)
	third.fail(t, err, http.StatusUnauthorized, "AuthenticationFailed")
	agent3 := need(third.Login(ctx, "sea.agent", newPassword))(t).Token

	// An admin cannot lock themselves out.
	_, err = admin.DisableStaffUser(ctx, "admin")
	admin.fail(t, err, http.StatusForbidden, "Forbidden")
	_, err = admin.UpdateStaffUser(ctx, "admin", api.StaffUserRequest{Role: ptr("agent"), ServiceCenters: &[]api.CenterRef{{Property: "DEMO", Code: "FO"}}})
	admin.fail(t, err, http.StatusForbidden, "Forbidden")

	// Admin writes honour Idempotency-Key: a retry gets the first answer, nothing is written twice.
	h := bearer(admin.Token())
	h["Idempotency-Key"] = "create-harbour-1"
	body := []byte(`{"code":"HARBOUR","name":"Harbour Inn","timeZone":"Europe/Lisbon","defaultLanguage":"pt-BR"}`)
	first := s.do(t, http.MethodPost, pathProperties, body, h).wantStatus(t, http.StatusCreated)
	retry := s.do(t, http.MethodPost, pathProperties, body, h).wantStatus(t, http.StatusCreated)
	if string(first.Raw) != string(retry.Raw) {
		t.Fatalf("retry answered %s, first %s", retry.Raw, first.Raw)
	}
	s.do(t, http.MethodPost, pathProperties, []byte(`{"code":"HARBOUR2","name":"x","timeZone":"UTC","defaultLanguage":"en"}`), h).
		wantStaffError(t, http.StatusConflict, "IdempotencyKeyReused")
	if n := len(need(admin.Properties(ctx, client.List{}))(t).Properties); n != 3 {
		t.Fatalf("%d properties, want DEMO, SEASIDE, HARBOUR", n)
	}

	need(admin.StaffUsers(ctx, client.List{}))(t)
	admin.last(t).noLeak(t, agentPassword, newPassword)
	s.noSecretsLogged(t, secret, agentPassword, newPassword, login.Token, agent2, agent3, admin.Token())
}

// TestAdminPaging: every admin list pages by cursor, 1 to 200 items at a time.
func TestAdminPaging(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := startServer(t, serverOptions{demo: true})
	admin := s.staffAs(t, "admin")
	for i := range 4 {
		need(admin.CreateProperty(ctx, api.PropertyRequest{Code: ptr(fmt.Sprintf("P%d", i)), Name: ptr("Hotel"),
			TimeZone: ptr("UTC"), DefaultLanguage: ptr("en")}))(t)
		need(admin.CreateInterfaceToken(ctx, api.InterfaceTokenRequest{Name: "t", Properties: []string{"DEMO"}}))(t)
	}
	// page lists one page: a field of each item, and the next cursor.
	type page func(l client.List) ([]string, string, error)
	for _, c := range []struct {
		path string
		want []string // a field of each item, in order
		list page
	}{
		{pathProperties, []string{"DEMO", "P0", "P1", "P2", "P3"}, func(l client.List) ([]string, string, error) {
			r, err := admin.Properties(ctx, l)
			return collect(r.Properties, func(p api.Property) string { return p.Code }), r.NextCursor, err
		}},
		{pathProperties + "/DEMO/service-centers", []string{"FO", "RS", "SPA"}, func(l client.List) ([]string, string, error) {
			r, err := admin.ServiceCenters(ctx, "DEMO", l)
			return collect(r.ServiceCenters, func(c api.ServiceCenter) string { return c.Code }), r.NextCursor, err
		}},
		{pathProperties + "/DEMO/outlets", []string{"FRONTDESK", "ROOMSERVICE", "SPA", "GIFTSHOP"}, func(l client.List) ([]string, string, error) {
			r, err := admin.Outlets(ctx, "DEMO", l)
			return collect(r.Outlets, func(o api.Outlet) string { return o.Code }), r.NextCursor, err
		}},
		{pathStaffUsers, []string{"admin", "frontdesk", "roomservice"}, func(l client.List) ([]string, string, error) {
			r, err := admin.StaffUsers(ctx, l)
			return collect(r.StaffUsers, func(u api.StaffUser) string { return u.Username }), r.NextCursor, err
		}},
		{pathInterfaceTokens, []string{"Demo integrator", "t", "t", "t", "t"}, func(l client.List) ([]string, string, error) {
			r, err := admin.InterfaceTokens(ctx, l)
			return collect(r.InterfaceTokens, func(k api.InterfaceToken) string { return k.Name }), r.NextCursor, err
		}},
	} {
		var got []string
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatalf("%s: paging does not end", c.path)
			}
			items, next, err := c.list(client.List{Limit: 2, Cursor: cursor})
			if err != nil {
				t.Fatalf("%s: %v", c.path, err)
			}
			if len(items) > 2 {
				t.Fatalf("%s: %d items on a page of 2", c.path, len(items))
			}
			got = append(got, items...)
			if cursor = next; cursor == "" {
				break
			}
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: paged through %v, want %v", c.path, got, c.want)
		}
		for _, l := range []client.List{{Limit: 201}, {Cursor: "nonsense"}, {Cursor: encodeTestCursor("zz:1")}} {
			_, _, err := c.list(l)
			if f := fieldNames(admin.fail(t, err, http.StatusBadRequest, "ValidationFailed")); len(f) != 1 || (f[0] != "limit" && f[0] != "cursor") {
				t.Errorf("%s %+v: fields %v", c.path, l, f)
			}
		}
		for _, q := range []string{"?limit=0", "?limit=x"} { // what client.List cannot send
			e := s.admin(t, admin.Token(), http.MethodGet, c.path+q, nil).wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
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
	t.Parallel()
	ctx := t.Context()
	s := startServer(t, serverOptions{demo: true})
	adminAPI := s.staffAs(t, "admin")
	admin := adminAPI.Token()

	// Another property with the same layout as DEMO's, and an agent there.
	need(adminAPI.CreateProperty(ctx, api.PropertyRequest{Code: ptr("OTHER"), Name: ptr("Other Hotel"),
		TimeZone: ptr("Europe/Lisbon"), DefaultLanguage: ptr("pt")}))(t)
	need(adminAPI.CreateServiceCenter(ctx, "OTHER", api.ServiceCenterRequest{Code: ptr("FO"), Name: ptr("Front Office"), StaffLanguage: ptr("en")}))(t)
	need(adminAPI.CreateOutlet(ctx, "OTHER", api.OutletRequest{Code: ptr("FRONTDESK"), Name: ptr("Front Desk"),
		ServiceCenter: ptr("FO"), AllowGuestMessages: ptr(true), SortOrder: ptr(10)}))(t)
	const pw = "matrix-password-1"
	need(adminAPI.CreateStaffUser(ctx, api.StaffUserRequest{Username: ptr("other-agent"), DisplayName: ptr("Other Agent"),
		Password: ptr(pw), Role: ptr("agent"), ServiceCenters: &[]api.CenterRef{{Property: "OTHER", Code: "FO"}}}))(t)
	need(adminAPI.CreateStaffUser(ctx, api.StaffUserRequest{Username: ptr("demo-manager"), DisplayName: ptr("Demo Manager"),
		Password: ptr(pw), Role: ptr("manager"), Properties: &[]string{"DEMO"}}))(t)
	managerAPI := s.staffAPI(t, "")
	manager := need(managerAPI.Login(ctx, "demo-manager", pw))(t).Token
	key := func(body api.APIKeyRequest) string {
		return need(adminAPI.CreateAPIKey(ctx, body))(t).Secret
	}
	keyManager := key(api.APIKeyRequest{Name: "PMS", Role: "manager", Properties: []string{"DEMO"}})
	keyAdmin := key(api.APIKeyRequest{Name: "Backoffice", Role: "admin", Properties: []string{}}) // api.APIKeyRequest sends a nil list as null, which the document refuses
	tokenID := func(prop string) string {
		return fmt.Sprint(need(adminAPI.CreateInterfaceToken(ctx, api.InterfaceTokenRequest{Name: "app", Properties: []string{prop}}))(t).ID)
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
			return api.PropertyRequest{Code: ptr(unique(n)), Name: ptr("H"), TimeZone: ptr("UTC"), DefaultLanguage: ptr("en")}
		}, 201, "", ""},
		{http.MethodGet, "", prop(""), nil, 200, "own", "PropertyNotFound"},
		{http.MethodPatch, "", prop(""), func(int, string) any { return api.PropertyRequest{HideStaffNames: ptr(false)} }, 200, "", "PropertyNotFound"},
		{http.MethodGet, "", prop("/service-centers"), nil, 200, "own", "PropertyNotFound"},
		{http.MethodPost, "", prop("/service-centers"), func(n int, _ string) any {
			return api.ServiceCenterRequest{Code: ptr(unique(n)), Name: ptr("Team"), StaffLanguage: ptr("en")}
		}, 201, "own", "PropertyNotFound"},
		{http.MethodGet, "", prop("/service-centers/FO"), nil, 200, "own", "PropertyNotFound"},
		{http.MethodPatch, "", prop("/service-centers/FO"), func(int, string) any { return api.ServiceCenterRequest{StaffLanguage: ptr("en")} }, 200, "own", "PropertyNotFound"},
		{http.MethodGet, "", prop("/outlets"), nil, 200, "own", "PropertyNotFound"},
		{http.MethodPost, "", prop("/outlets"), func(n int, _ string) any {
			return api.OutletRequest{Code: ptr(unique(n)), Name: ptr("Kiosk"), ServiceCenter: ptr("FO")}
		}, 201, "own", "PropertyNotFound"},
		{http.MethodGet, "", prop("/outlets/FRONTDESK"), nil, 200, "own", "PropertyNotFound"},
		{http.MethodPatch, "", prop("/outlets/FRONTDESK"), func(int, string) any { return api.OutletRequest{SortOrder: ptr(10)} }, 200, "own", "PropertyNotFound"},
		{http.MethodGet, pathStaffUsers, nil, nil, 200, "all", ""},
		{http.MethodPost, "", func(string) string { return pathStaffUsers }, func(n int, target string) any {
			return api.StaffUserRequest{Username: ptr("u" + unique(n)), DisplayName: ptr("U"), Password: ptr(pw), Role: ptr("agent"),
				ServiceCenters: &[]api.CenterRef{{Property: props[target], Code: "FO"}}}
		}, 201, "own", "PropertyNotFound"},
		{http.MethodGet, "", user(""), nil, 200, "own", "StaffUserNotFound"},
		{http.MethodPatch, "", user(""), func(int, string) any { return api.StaffUserRequest{DisplayName: ptr("Renamed")} }, 200, "own", "StaffUserNotFound"},
		{http.MethodPut, "", user("/password"), func(int, string) any { return api.PasswordRequest{Password: pw} }, 200, "own", "StaffUserNotFound"},
		{http.MethodPost, "", user("/disable"), nil, 200, "own", "StaffUserNotFound"},
		{http.MethodPost, "", user("/enable"), nil, 200, "own", "StaffUserNotFound"},
		{http.MethodGet, pathInterfaceTokens, nil, nil, 200, "", ""},
		{http.MethodPost, "", func(string) string { return pathInterfaceTokens }, func(_ int, target string) any {
			return api.InterfaceTokenRequest{Name: "app", Properties: []string{props[target]}}
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
	if l := need(managerAPI.Properties(ctx, client.List{}))(t); len(l.Properties) != 1 {
		t.Errorf("manager sees %d properties: %+v", len(l.Properties), l)
	}
	for _, u := range need(managerAPI.StaffUsers(ctx, client.List{Limit: 200}))(t).StaffUsers {
		if u.Role != "agent" || slices.ContainsFunc(u.ServiceCenters, func(c api.CenterRef) bool { return strings.Contains(c.Property+c.Code, "OTHER") }) {
			t.Errorf("manager sees %+v", u)
		}
	}
	// A manager creates only agents, and promotes nobody.
	_, err := managerAPI.CreateStaffUser(ctx, api.StaffUserRequest{Username: ptr("boss2"), DisplayName: ptr("B"), Password: ptr(pw),
		Role: ptr("manager"), Properties: &[]string{"DEMO"}})
	managerAPI.fail(t, err, http.StatusForbidden, "Forbidden")
	_, err = managerAPI.UpdateStaffUser(ctx, "roomservice", api.StaffUserRequest{Role: ptr("admin")})
	managerAPI.fail(t, err, http.StatusForbidden, "Forbidden")
	_, err = managerAPI.StaffUser(ctx, "admin")
	managerAPI.fail(t, err, http.StatusNotFound, "StaffUserNotFound")
	_, err = managerAPI.UpdateStaffUser(ctx, "roomservice", api.StaffUserRequest{ServiceCenters: &[]api.CenterRef{{Property: "OTHER", Code: "FO"}}})
	managerAPI.fail(t, err, http.StatusNotFound, "PropertyNotFound")

	s.noSecretsLogged(t, secrets...)
}

// TestAdminBadInput: every admin write refuses wrong JSON types, missing and invalid fields,
// oversize bodies, bad UTF-8 and taken codes, with the exact code and fields.
func TestAdminBadInput(t *testing.T) {
	t.Parallel()
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
	ctx := t.Context()
	c := s.staffAPI(t, admin)
	if o := need(c.Outlet(ctx, "DEMO", "SPA"))(t); len(o.OpeningHours) != 7 {
		t.Errorf("SPA has %d intervals after refused patches: %+v", len(o.OpeningHours), o)
	}
	if n := len(need(c.Properties(ctx, client.List{}))(t).Properties); n != 1 {
		t.Errorf("%d properties after refused creations", n)
	}
	need(s.staffAPI(t, "").Login(ctx, "frontdesk", demoPassword))(t)

	// Objects named by the path that do not exist.
	_, err := c.UpdateOutlet(ctx, "DEMO", "NOPE", api.OutletRequest{Name: ptr("x")})
	c.fail(t, err, http.StatusNotFound, "OutletNotFound")
	_, err = c.ServiceCenter(ctx, "DEMO", "NOPE")
	c.fail(t, err, http.StatusNotFound, "ServiceCenterNotFound")
	s.admin(t, admin, http.MethodPost, pathInterfaceTokens+"/abc/revoke", nil).wantStaffError(t, http.StatusNotFound, "InterfaceTokenNotFound")
	s.admin(t, admin, http.MethodDelete, pathProperties+"/DEMO", nil).wantStaffError(t, http.StatusMethodNotAllowed, "MethodNotAllowed")
}

// TestServiceCenterChangeSeenAtOnce: service centers are cached for a moment, but this
// node's own change is seen by the very next conversation: a renamed center is the name its
// first message shows.
func TestServiceCenterChangeSeenAtOnce(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := startServer(t, serverOptions{demo: true})
	admin := s.staffAs(t, "admin")
	guest := s.guestAt(t, "101", "Garcia")
	centerOfNewConversation := func() string {
		conv := need(guest.CreateConversation(ctx, api.GuestCreateConversationRequest{Message: "Hola", ConversationType: "guest",
			OutletCode: "FRONTDESK"}, ""))(t)
		return conv.Messages[0].ServiceCenterName
	}
	if got := centerOfNewConversation(); got != "Front Office" {
		t.Fatalf("service center %v, want Front Office", got)
	}
	need(admin.UpdateServiceCenter(ctx, "DEMO", "FO", api.ServiceCenterRequest{Name: ptr("Reception")}))(t)
	if got := centerOfNewConversation(); got != "Reception" {
		t.Fatalf("service center after the rename %v, want Reception", got)
	}
}
