package main

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

const pathAudit = "/api/v1/audit"

// auditActions returns the actions of the audit log's entries as admin reads them, newest
// first, following every cursor, and the entries.
func (s *server) auditEntries(t testing.TB, token string) []map[string]any {
	t.Helper()
	var out []map[string]any
	cursor := ""
	for {
		r := s.admin(t, token, http.MethodGet, pathAudit+"?limit=2&cursor="+cursor, nil).wantStatus(t, http.StatusOK)
		for _, e := range r.Body["entries"].([]any) {
			out = append(out, e.(map[string]any))
		}
		if cursor, _ = r.Body["nextCursor"].(string); cursor == "" {
			return out
		}
	}
}

// TestAuditLog: logins (good and bad), API key and staff user changes are recorded with who,
// what, when and from where; admins read them all, managers their properties', agents none.
func TestAuditLog(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	s.post(t, pathStaffLogin, map[string]any{"username": "admin", "password": "wrong-password"}).wantStatus(t, http.StatusUnauthorized)
	s.post(t, pathStaffLogin, map[string]any{"username": "my-secret-typed-here", "password": "x"}).wantStatus(t, http.StatusUnauthorized)
	admin := s.staffLogin(t, "admin")
	key := s.admin(t, admin, http.MethodPost, pathAPIKeys, map[string]any{"name": "PMS", "role": "manager", "properties": []string{"DEMO"}}).
		wantStatus(t, http.StatusCreated)
	id := int(key.Body["id"].(float64))
	s.admin(t, admin, http.MethodPost, pathAPIKeys+"/"+strconv.Itoa(id)+"/revoke", nil).wantStatus(t, http.StatusOK)
	s.admin(t, admin, http.MethodPost, pathStaffUsers, map[string]any{"username": "boss", "displayName": "Boss",
		"password": "a-long-password", "role": "manager", "properties": []string{"DEMO"}}).wantStatus(t, http.StatusCreated)
	s.admin(t, admin, http.MethodPatch, pathStaffUsers+"/frontdesk", map[string]any{"role": "manager", "properties": []string{"DEMO"}}).
		wantStatus(t, http.StatusOK)

	entries := s.auditEntries(t, admin)
	var actions []string
	for _, e := range entries {
		actions = append(actions, e["action"].(string))
		if e["at"] == "" || !staffTime.MatchString(e["at"].(string)) {
			t.Errorf("entry time %v", e["at"])
		}
	}
	want := []string{"staff_user.updated", "staff_user.created", "api_key.revoked", "api_key.created",
		"staff.login", "staff.login_failed", "staff.login_failed"}
	if strings.Join(actions, " ") != strings.Join(want, " ") {
		t.Fatalf("audit actions %v, want %v", actions, want)
	}
	for _, e := range entries {
		if e["client"] != "127.0.0.1" {
			t.Errorf("%s: client %v, want 127.0.0.1", e["action"], e["client"])
		}
	}
	if e := entries[0]; e["actorKind"] != "staff" || e["actorName"] != "admin" || e["objectKind"] != "staff_user" ||
		!strings.HasSuffix(e["objectRef"].(string), ":frontdesk") || !strings.Contains(e["detail"].(string), "role=manager") {
		t.Errorf("staff_user.updated entry: %v", e)
	}
	if e := entries[6]; e["actorKind"] != "staff" || e["actorName"] != "admin" || e["detail"] != "wrong password" {
		t.Errorf("failed login of a known user: %v", e)
	}
	if e := entries[5]; e["actorKind"] != "none" || e["actorName"] != "" || e["actorId"] != nil {
		t.Errorf("failed login of an unknown username: %v", e)
	}
	raw := s.admin(t, admin, http.MethodGet, pathAudit+"?limit=200", nil).Raw
	for _, secret := range []string{"my-secret-typed-here", "wrong-password", "a-long-password", key.Body["secret"].(string)} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the audit log holds %q", secret)
		}
	}

	// Managers see their properties' entries (the manager created for DEMO); agents nothing.
	boss := s.post(t, pathStaffLogin, map[string]any{"username": "boss", "password": "a-long-password"}).wantStatus(t, http.StatusOK).Body["token"].(string)
	s.admin(t, boss, http.MethodPost, pathStaffUsers, map[string]any{"username": "newagent", "displayName": "New Agent",
		"password": "a-long-password", "role": "agent", "serviceCenters": []map[string]string{{"property": "DEMO", "code": "RS"}}}).
		wantStatus(t, http.StatusCreated)
	sawAgent := false
	for _, e := range s.auditEntries(t, boss) {
		if e["property"] != "DEMO" {
			t.Errorf("a manager sees an entry of property %v: %v", e["property"], e)
		}
		if e["action"] == "staff_user.created" && strings.HasSuffix(e["objectRef"].(string), ":newagent") && e["actorName"] == "boss" {
			sawAgent = true
		}
	}
	if !sawAgent {
		t.Error("the manager does not see the creation of their agent")
	}
	agent := s.staffLogin(t, "roomservice")
	s.admin(t, agent, http.MethodGet, pathAudit, nil).wantStaffError(t, http.StatusForbidden, "Forbidden")
	s.admin(t, admin, http.MethodGet, pathAudit+"?cursor=bogus", nil).wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
	s.admin(t, admin, http.MethodGet, pathAudit+"?limit=0", nil).wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
	s.do(t, http.MethodGet, pathAudit, nil, nil).wantStaffError(t, http.StatusUnauthorized, "AuthenticationFailed")
}
