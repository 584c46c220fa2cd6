package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"concierge/api"
)

// TestWebhookAdmin: creating, reading, changing and deleting webhooks through the admin API,
// with the SSRF rule (no loopback, private, link-local… target unless allow-listed), the
// checks on input and who may do what.
func TestWebhookAdmin(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := startServer(t, serverOptions{demo: true}) // no allow-list
	admin := s.staffAs(t, "admin")
	const base = "/api/v1/properties/DEMO/webhooks"
	kinds := []string{"message.created"}
	for _, url := range []string{
		"http://127.0.0.1:9/hook", "http://localhost/hook", "http://[::1]/", "http://10.0.0.8/", "http://192.168.1.1/",
		"http://169.254.169.254/latest/meta-data", "http://[fe80::1]/", "http://[fd00::1]/", "http://100.64.0.1/",
		"http://0.0.0.0/", "http://[::ffff:127.0.0.1]/", "http://224.0.0.1/", "ftp://example.com/", "not a url",
		"https://user:pw@example.com/", "",
	} {
		_, err := admin.CreateWebhook(ctx, "DEMO", api.WebhookRequest{URL: ptr(url), Kinds: &kinds})
		e := admin.fail(t, err, http.StatusBadRequest, "ValidationFailed")
		if !slices.Contains(fieldNames(e), "url") {
			t.Errorf("%q: fields %v", url, e.Fields)
		}
	}
	ok := api.WebhookRequest{URL: ptr("https://93.184.216.34/hook"), Kinds: &kinds}
	for name, body := range map[string]api.WebhookRequest{
		"no kinds":      {URL: ok.URL, Kinds: &[]string{}},
		"bad kind":      {URL: ok.URL, Kinds: &[]string{"message.deleted"}},
		"short secret":  {URL: ok.URL, Kinds: ok.Kinds, Secret: ptr("short")},
		"spaced secret": {URL: ok.URL, Kinds: ok.Kinds, Secret: ptr("has a space in it, sadly")},
	} {
		_, err := admin.CreateWebhook(ctx, "DEMO", body)
		admin.fail(t, err, http.StatusBadRequest, "ValidationFailed")
		_ = name
	}
	s.do(t, http.MethodPost, base, []byte(`{"url": 5}`), bearer(admin.Token())).wantStaffError(t, http.StatusBadRequest, "MalformedRequest")

	created := need(admin.CreateWebhook(ctx, "DEMO", ok))(t)
	if admin.last(t).Status != http.StatusCreated {
		t.Fatalf("create: HTTP %d", admin.last(t).Status)
	}
	secret := created.Secret
	if !strings.HasPrefix(secret, "whsec_") || !created.Enabled || created.Property != "DEMO" {
		t.Fatalf("created: %+v", created)
	}
	id := created.ID
	need(admin.Webhook(ctx, "DEMO", id))(t)
	admin.last(t).noLeak(t, secret)
	list := need(admin.Webhooks(ctx, "DEMO"))(t)
	admin.last(t).noLeak(t, secret)
	if n := len(list.Webhooks); n != 1 {
		t.Errorf("%d webhooks listed", n)
	}
	patched := need(admin.UpdateWebhook(ctx, "DEMO", id, api.WebhookRequest{Enabled: ptr(false), Kinds: &[]string{"order.updated", "message.read"}}))(t)
	if patched.Enabled || fmt.Sprint(patched.Kinds) != "[message.read order.updated]" {
		t.Errorf("patched: %+v", patched)
	}
	_, err := admin.UpdateWebhook(ctx, "DEMO", id, api.WebhookRequest{URL: ptr("http://127.0.0.1/")})
	admin.fail(t, err, http.StatusBadRequest, "ValidationFailed")

	// Agents may not; a manager of another property sees nothing.
	agent := s.staffAs(t, "roomservice")
	_, err = agent.Webhooks(ctx, "DEMO")
	agent.fail(t, err, http.StatusForbidden, "Forbidden")
	need(admin.CreateProperty(ctx, api.PropertyRequest{Code: ptr("SEA"), Name: ptr("Sea"), TimeZone: ptr("UTC"), DefaultLanguage: ptr("en")}))(t)
	need(admin.CreateStaffUser(ctx, api.StaffUserRequest{Username: ptr("seaboss"), DisplayName: ptr("Sea Boss"),
		Password: ptr("a-long-password"), Role: ptr("manager"), Properties: &[]string{"SEA"}}))(t)
	seaboss := s.staffAPI(t, "")
	need(seaboss.Login(ctx, "seaboss", "a-long-password"))(t)
	_, err = seaboss.Webhook(ctx, "DEMO", id)
	seaboss.fail(t, err, http.StatusNotFound, "PropertyNotFound")
	_, err = admin.Webhook(ctx, "SEA", id)
	admin.fail(t, err, http.StatusNotFound, "WebhookNotFound")
	s.admin(t, admin.Token(), http.MethodGet, base+"/abc", nil).wantStaffError(t, http.StatusNotFound, "WebhookNotFound")

	if err := admin.DeleteWebhook(ctx, "DEMO", id); err != nil || admin.last(t).Status != http.StatusNoContent {
		t.Fatalf("delete: %v (HTTP %d)", err, admin.last(t).Status)
	}
	err = admin.DeleteWebhook(ctx, "DEMO", id)
	admin.fail(t, err, http.StatusNotFound, "WebhookNotFound")

	var actions []string
	for _, e := range auditLog(t, admin) {
		if strings.HasPrefix(e.Action, "webhook.") {
			actions = append(actions, e.Action)
			if strings.Contains(e.Detail, secret) {
				t.Errorf("audit detail holds the secret: %+v", e)
			}
		}
	}
	if strings.Join(actions, " ") != "webhook.deleted webhook.updated webhook.created" {
		t.Errorf("webhook audit entries %v", actions)
	}
}

// TestWebhooksCLI: concierge webhooks create|list|delete on the database of a stopped server.
func TestWebhooksCLI(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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
	admin := s.staffAs(t, "admin")
	kinds := []string{"message.created"}
	need(admin.CreateWebhook(t.Context(), "DEMO", api.WebhookRequest{URL: ptr("http://127.0.0.1:9/hook"), Kinds: &kinds}))(t)
	if admin.last(t).Status != http.StatusCreated {
		t.Fatalf("create: HTTP %d", admin.last(t).Status)
	}
	_, err = admin.CreateWebhook(t.Context(), "DEMO", api.WebhookRequest{URL: ptr("http://127.0.0.2:9/hook"), Kinds: &kinds})
	admin.fail(t, err, http.StatusBadRequest, "ValidationFailed")
}
