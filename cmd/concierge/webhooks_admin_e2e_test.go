package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestWebhookAdmin: creating, reading, changing and deleting webhooks through the admin API,
// with the SSRF rule (no loopback, private, link-local… target unless allow-listed), the
// checks on input and who may do what.
func TestWebhookAdmin(t *testing.T) {
	s := startServer(t, serverOptions{demo: true}) // no allow-list
	admin := s.staffLogin(t, "admin")
	const base = "/api/v1/properties/DEMO/webhooks"
	for _, url := range []string{
		"http://127.0.0.1:9/hook", "http://localhost/hook", "http://[::1]/", "http://10.0.0.8/", "http://192.168.1.1/",
		"http://169.254.169.254/latest/meta-data", "http://[fe80::1]/", "http://[fd00::1]/", "http://100.64.0.1/",
		"http://0.0.0.0/", "http://[::ffff:127.0.0.1]/", "http://224.0.0.1/", "ftp://example.com/", "not a url",
		"https://user:pw@example.com/", "",
	} {
		r := s.admin(t, admin, http.MethodPost, base, map[string]any{"url": url, "kinds": []string{"message.created"}})
		e := r.wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
		if !strings.Contains(fmt.Sprint(e["fields"]), "url") {
			t.Errorf("%q: fields %v", url, e["fields"])
		}
	}
	ok := map[string]any{"url": "https://93.184.216.34/hook", "kinds": []string{"message.created"}}
	for name, body := range map[string]map[string]any{
		"no kinds":      {"url": ok["url"], "kinds": []string{}},
		"bad kind":      {"url": ok["url"], "kinds": []string{"message.deleted"}},
		"short secret":  {"url": ok["url"], "kinds": ok["kinds"], "secret": "short"},
		"spaced secret": {"url": ok["url"], "kinds": ok["kinds"], "secret": "has a space in it, sadly"},
	} {
		s.admin(t, admin, http.MethodPost, base, body).wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
		_ = name
	}
	s.do(t, http.MethodPost, base, []byte(`{"url": 5}`), bearer(admin)).wantStaffError(t, http.StatusBadRequest, "MalformedRequest")

	created := s.admin(t, admin, http.MethodPost, base, ok).wantStatus(t, http.StatusCreated)
	secret, _ := created.Body["secret"].(string)
	if !strings.HasPrefix(secret, "whsec_") || created.Body["enabled"] != true || created.Body["property"] != "DEMO" {
		t.Fatalf("created: %s", created.Raw)
	}
	id := int(created.Body["id"].(float64))
	one := fmt.Sprintf("%s/%d", base, id)
	got := s.admin(t, admin, http.MethodGet, one, nil).wantStatus(t, http.StatusOK)
	got.noLeak(t, secret)
	list := s.admin(t, admin, http.MethodGet, base, nil).wantStatus(t, http.StatusOK)
	list.noLeak(t, secret)
	if n := len(list.Body["webhooks"].([]any)); n != 1 {
		t.Errorf("%d webhooks listed", n)
	}
	patched := s.admin(t, admin, http.MethodPatch, one, map[string]any{"enabled": false, "kinds": []string{"order.updated", "message.read"}}).
		wantStatus(t, http.StatusOK)
	if patched.Body["enabled"] != false || fmt.Sprint(patched.Body["kinds"]) != "[message.read order.updated]" {
		t.Errorf("patched: %s", patched.Raw)
	}
	s.admin(t, admin, http.MethodPatch, one, map[string]any{"url": "http://127.0.0.1/"}).wantStaffError(t, http.StatusBadRequest, "ValidationFailed")

	// Agents may not; a manager of another property sees nothing.
	agent := s.staffLogin(t, "roomservice")
	s.admin(t, agent, http.MethodGet, base, nil).wantStaffError(t, http.StatusForbidden, "Forbidden")
	s.admin(t, admin, http.MethodPost, "/api/v1/properties", map[string]any{"code": "SEA", "name": "Sea", "timeZone": "UTC",
		"defaultLanguage": "en"}).wantStatus(t, http.StatusCreated)
	s.admin(t, admin, http.MethodPost, pathStaffUsers, map[string]any{"username": "seaboss", "displayName": "Sea Boss",
		"password": "a-long-password", "role": "manager", "properties": []string{"SEA"}}).wantStatus(t, http.StatusCreated)
	seaboss := s.post(t, pathStaffLogin, map[string]any{"username": "seaboss", "password": "a-long-password"}).Body["token"].(string)
	s.admin(t, seaboss, http.MethodGet, one, nil).wantStaffError(t, http.StatusNotFound, "PropertyNotFound")
	s.admin(t, admin, http.MethodGet, fmt.Sprintf("/api/v1/properties/SEA/webhooks/%d", id), nil).
		wantStaffError(t, http.StatusNotFound, "WebhookNotFound")
	s.admin(t, admin, http.MethodGet, base+"/abc", nil).wantStaffError(t, http.StatusNotFound, "WebhookNotFound")

	s.do(t, http.MethodDelete, one, nil, bearer(admin)).wantStatus(t, http.StatusNoContent)
	s.do(t, http.MethodDelete, one, nil, bearer(admin)).wantStaffError(t, http.StatusNotFound, "WebhookNotFound")

	var actions []string
	for _, e := range s.auditEntries(t, admin) {
		if strings.HasPrefix(e["action"].(string), "webhook.") {
			actions = append(actions, e["action"].(string))
			if strings.Contains(e["detail"].(string), secret) {
				t.Errorf("audit detail holds the secret: %v", e)
			}
		}
	}
	if strings.Join(actions, " ") != "webhook.deleted webhook.updated webhook.created" {
		t.Errorf("webhook audit entries %v", actions)
	}
}

// TestWebhooksCLI: concierge webhooks create|list|delete on the database of a stopped server.
func TestWebhooksCLI(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	db := s.DB // the SQLite file or the PostgreSQL database (engine_test.go)
	cli := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), append([]string{"concierge", "webhooks"}, args...), func(string) string { return "" }, &out, &errOut)
		return out.String() + errOut.String(), err
	}
	out, err := cli("create", "--db", db, "--property", "DEMO", "--url", "https://93.184.216.34/h", "--kinds", "message.created,order.updated")
	if err != nil || !strings.Contains(out, "Created webhook 1") || !strings.Contains(out, "whsec_") {
		t.Fatalf("create: %v\n%s", err, out)
	}
	if out, err = cli("create", "--db", db, "--property", "DEMO", "--url", "http://127.0.0.1:8080/", "--kinds", "message.created"); err == nil {
		t.Fatalf("create to loopback accepted: %s", out)
	}
	if _, err = cli("create", "--db", db, "--property", "DEMO", "--url", "http://127.0.0.1:8080/", "--kinds", "message.created",
		"--webhook-allow-cidr", "127.0.0.0/8", "--secret", "whsec_cli-secret-01234567"); err != nil {
		t.Fatalf("allow-listed create: %v", err)
	}
	out, err = cli("list", "--db", db, "--property", "DEMO")
	if err != nil || !strings.Contains(out, "https://93.184.216.34/h") || !strings.Contains(out, "message.created,order.updated") ||
		strings.Contains(out, "whsec_") {
		t.Fatalf("list: %v\n%s", err, out)
	}
	if out, err = cli("delete", "--db", db, "--property", "DEMO", "--id", "1"); err != nil || !strings.Contains(out, "Deleted webhook 1") {
		t.Fatalf("delete: %v\n%s", err, out)
	}
	if _, err = cli("delete", "--db", db, "--property", "DEMO", "--id", "1"); err == nil {
		t.Error("deleting twice succeeded")
	}
	if _, err = cli("list", "--db", db); err == nil {
		t.Error("list without --property succeeded")
	}
	if _, err = cli("frobnicate", "--db", db, "--property", "DEMO"); err == nil {
		t.Error("an unknown subcommand succeeded")
	}
}

// TestWebhookAllowListConfig: the allow-list comes from --webhook-allow-cidr or
// CONCIERGE_WEBHOOK_ALLOW_CIDR; a malformed one stops serve with a clear error.
func TestWebhookAllowListConfig(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"concierge", "serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "x.db"),
		"--webhook-allow-cidr", "10.0.0.0/8,not-a-network"}, func(string) string { return "" }, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "--webhook-allow-cidr") || !strings.Contains(err.Error(), "not-a-network") {
		t.Fatalf("serve with a bad allow-list: %v", err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"concierge", "help"}, func(string) string { return "" }, &out, &errOut); err != nil ||
		!strings.Contains(out.String(), "CONCIERGE_WEBHOOK_ALLOW_CIDR") || !strings.Contains(out.String(), "CONCIERGE_RETENTION_INTERVAL") {
		t.Errorf("help: %v\n%s", err, out.String())
	}
	s := startServer(t, serverOptions{demo: true, env: map[string]string{"CONCIERGE_WEBHOOK_ALLOW_CIDR": "127.0.0.1"}})
	admin := s.staffLogin(t, "admin")
	s.admin(t, admin, http.MethodPost, "/api/v1/properties/DEMO/webhooks", map[string]any{"url": "http://127.0.0.1:9/hook",
		"kinds": []string{"message.created"}}).wantStatus(t, http.StatusCreated)
	s.admin(t, admin, http.MethodPost, "/api/v1/properties/DEMO/webhooks", map[string]any{"url": "http://127.0.0.2:9/hook",
		"kinds": []string{"message.created"}}).wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
}
