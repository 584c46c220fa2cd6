package main

import (
	"net/http"
	"strings"
	"testing"

	"concierge/api"
	"concierge/client"
)

const pathAudit = "/api/v1/audit"

// TestAuditLog: logins (good and bad), API key and staff user changes are recorded with who,
// what, when and from where; admins read them all, managers their properties', agents none.
func TestAuditLog(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := startServer(t, serverOptions{demo: true})
	anon := s.staffAPI(t, "")
	_, err := anon.Login(ctx, "admin", "wrong-password")
	clientError(t, err, http.StatusUnauthorized, "AuthenticationFailed")
	_, err = anon.Login(ctx, "my-secret-typed-here", "x")
	clientError(t, err, http.StatusUnauthorized, "AuthenticationFailed")
	admin := s.staffAs(t, "admin")
	key := need(admin.CreateAPIKey(ctx, api.APIKeyRequest{Name: "PMS", Role: "manager", Properties: []string{"DEMO"}}))(t)
	need(admin.RevokeAPIKey(ctx, key.ID))(t)
	need(admin.CreateStaffUser(ctx, api.StaffUserRequest{Username: ptr("boss"), DisplayName: ptr("Boss"),
		Password: ptr("a-long-password"), Role: ptr("manager"), Properties: &[]string{"DEMO"}}))(t)
	need(admin.UpdateStaffUser(ctx, "frontdesk", api.StaffUserRequest{Role: ptr("manager"), Properties: &[]string{"DEMO"}}))(t)

	entries := auditLog(t, admin)
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
		if !staffTime.MatchString(e.At) {
			t.Errorf("entry time %v", e.At)
		}
	}
	want := []string{"staff_user.updated", "staff_user.created", "api_key.revoked", "api_key.created",
		"staff.login", "staff.login_failed", "staff.login_failed"}
	if strings.Join(actions, " ") != strings.Join(want, " ") {
		t.Fatalf("audit actions %v, want %v", actions, want)
	}
	for _, e := range entries {
		if e.Client != "127.0.0.1" {
			t.Errorf("%s: client %v, want 127.0.0.1", e.Action, e.Client)
		}
	}
	if e := entries[0]; e.ActorKind != "staff" || e.ActorName != "admin" || e.ObjectKind != "staff_user" ||
		!strings.HasSuffix(e.ObjectRef, ":frontdesk") || !strings.Contains(e.Detail, "role=manager") {
		t.Errorf("staff_user.updated entry: %+v", e)
	}
	if e := entries[6]; e.ActorKind != "staff" || e.ActorName != "admin" || e.Detail != "wrong password" {
		t.Errorf("failed login of a known user: %+v", e)
	}
	if e := entries[5]; e.ActorKind != "none" || e.ActorName != "" || e.ActorID != nil {
		t.Errorf("failed login of an unknown username: %+v", e)
	}
	need(admin.Audit(ctx, client.List{Limit: 200}))(t)
	raw := admin.last(t).Raw
	for _, secret := range []string{"my-secret-typed-here", "wrong-password", "a-long-password", key.Secret} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the audit log holds %q", secret)
		}
	}

	// Managers see their properties' entries (the manager created for DEMO); agents nothing.
	boss := s.staffAPI(t, "")
	need(boss.Login(ctx, "boss", "a-long-password"))(t)
	need(boss.CreateStaffUser(ctx, api.StaffUserRequest{Username: ptr("newagent"), DisplayName: ptr("New Agent"),
		Password: ptr("a-long-password"), Role: ptr("agent"), ServiceCenters: &[]api.CenterRef{{Property: "DEMO", Code: "RS"}}}))(t)
	sawAgent := false
	for _, e := range auditLog(t, boss) {
		if e.Property == nil || *e.Property != "DEMO" {
			t.Errorf("a manager sees an entry of another property: %+v", e)
		}
		if e.Action == "staff_user.created" && strings.HasSuffix(e.ObjectRef, ":newagent") && e.ActorName == "boss" {
			sawAgent = true
		}
	}
	if !sawAgent {
		t.Error("the manager does not see the creation of their agent")
	}
	agent := s.staffAs(t, "roomservice")
	_, err = agent.Audit(ctx, client.List{})
	agent.fail(t, err, http.StatusForbidden, "Forbidden")
	_, err = admin.Audit(ctx, client.List{Cursor: "bogus"})
	admin.fail(t, err, http.StatusBadRequest, "ValidationFailed")
	s.admin(t, admin.Token(), http.MethodGet, pathAudit+"?limit=0", nil).wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
	_, err = anon.Audit(ctx, client.List{})
	anon.fail(t, err, http.StatusUnauthorized, "AuthenticationFailed")
}
