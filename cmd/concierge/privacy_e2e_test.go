package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"concierge/internal/storetest"
	"concierge/internal/translate/apytest"
)

// findInDatabase returns where each needle occurs (case-insensitively) in any text or blob
// value of any table of the SQLite database at path: every table sqlite_master lists, the
// search index's shadow tables included. In the PostgreSQL run of the suite path is the
// database's DSN and findInPostgres sweeps every table of its public schema.
func findInDatabase(t testing.TB, path string, needles []string) []string {
	t.Helper()
	if testPostgres(t) {
		return findInPostgres(t, path, needles)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	tables, err := storetest.SQLiteTables(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	found, err := storetest.FindInTables(ctx, db, tables, needles)
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// privacyFixture is a stay with a translated conversation, a staff reply, an order, a
// remembered answer and webhook deliveries, and a non-verified guest's conversation.
type privacyFixture struct {
	admin, agent       string
	stayConv, heldConv string
	guestConv          string
	needles            []string // what must be gone once both are erased
	heldNeedles        []string // of those, what a hold on heldConv keeps (its texts, the stay)
	rc                 *receiver
}

func newPrivacyFixture(t *testing.T, s *server) privacyFixture {
	t.Helper()
	f := privacyFixture{admin: s.staffLogin(t, "admin"), agent: s.staffLogin(t, "roomservice")}
	f.rc = newReceiver(t, nil)
	s.admin(t, f.admin, http.MethodPost, "/api/v1/properties/DEMO/webhooks", map[string]any{"url": f.rc.srv.URL,
		"kinds": []string{"message.created", "message.translated", "conversation.updated"}}).wantStatus(t, http.StatusCreated)
	s.do(t, http.MethodPut, "/api/v1/properties/DEMO/stays/BK-ZQ-9001", []byte(`{"roomNumber":"208","firstName":"Zebulon",
		"lastName":"Quixotefarb","languageCode":"es","arrival":"2026-11-24","departure":"2026-11-26"}`), bearer(f.admin)).
		wantStatus(t, http.StatusCreated)
	s.do(t, http.MethodPut, "/api/v1/properties/DEMO/orders/ORD-ZQ-1", []byte(`{"bookingReference":"BK-ZQ-9001",
		"outletCode":"ROOMSERVICE","status":"Pending"}`), bearer(f.admin)).wantStatus(t, http.StatusCreated)
	tok := s.loginRoom(t, "208", "quixotefarb")
	body, _ := json.Marshal(map[string]any{"SessionToken": tok, "OutletCode": "ROOMSERVICE", "OrderCode": "ORD-ZQ-1",
		"ConversationType": "guest", "Message": "Necesito un unicornio violeta"})
	r := s.do(t, http.MethodPost, pathCreate, body, map[string]string{"Idempotency-Key": "zq-1"})
	f.stayConv = r.content(t, "createConversationResponse")["conversation"].(map[string]any)["code"].(string)
	f.heldConv = s.guestConversation(t, tok, "FRONTDESK", "Guardad esta queja formal", nil)
	s.do(t, http.MethodPost, staffConvPath(f.stayConv, "/messages"), []byte(`{"type":"Staff","content":"We have blue hippopotamuses"}`),
		map[string]string{"Authorization": "Bearer " + f.agent, "Idempotency-Key": "zq-reply"}).wantStatus(t, http.StatusCreated)

	nv := s.guestSession(t, "DEMO", demoToken, "guest-zq-periquito").token()
	c := s.post(t, pathCreateNV, map[string]any{"SessionToken": nv, "OutletCode": "FRONTDESK",
		"Message": "Soy anónimo con un periquito parlanchín", "GuestFirstName": "Ofelia", "GuestLastName": "Nonverifiedsky"}).
		content(t, "createConversationResponse")
	f.guestConv = c["conversation"].(map[string]any)["code"].(string)

	// Wait for the translations (Spanish guest, English staff; English reply to the guest).
	translated := map[string][]string{}
	waitUntil(t, "translations", func() bool {
		n := 0
		for _, code := range []string{f.stayConv, f.heldConv, f.guestConv} {
			translated[code] = nil
			for _, m := range s.staffMessagesOf(t, f.admin, code) {
				for _, v := range m["translations"].(map[string]any) {
					translated[code] = append(translated[code], v.(string))
					n++
				}
			}
		}
		return n >= 3
	})
	waitUntil(t, "webhook deliveries", func() bool { return len(f.rc.accepted()) >= 8 })
	f.heldNeedles = []string{"Zebulon", "Quixotefarb", "BK-ZQ-9001", "ORD-ZQ-1", "Guardad esta queja", f.heldConv}
	f.needles = append([]string{"unicornio", "hippopotamuses", "periquito", "guest-zq-periquito", "Ofelia", "Nonverifiedsky",
		f.stayConv, f.guestConv}, f.heldNeedles...)
	for code, trs := range translated {
		for _, tr := range trs {
			if len(tr) > 8 {
				f.needles = append(f.needles, tr)
				if code == f.heldConv {
					f.heldNeedles = append(f.heldNeedles, tr)
				}
			}
		}
	}
	found := strings.Join(findInDatabase(t, s.DB, f.needles), "\n")
	for _, n := range f.needles {
		// The non-verified create request has no name fields: the server stores none.
		if n != "Ofelia" && n != "Nonverifiedsky" && !strings.Contains(found, fmt.Sprintf("%q in ", n)) {
			t.Fatalf("before erasure, the sweep does not find %q; it finds only\n%s", n, found)
		}
	}
	return f
}

// TestGuestDataExportAndErase: an admin exports everything about a stay and a non-verified
// guest, then erases it; a legal hold keeps its conversation until cleared; afterwards no
// table of the database holds the guests' names, identifier or texts (nor their
// translations), and the audit log says what happened without them.
func TestGuestDataExportAndErase(t *testing.T) {
	apy := apytest.Start(t)
	s := startServer(t, serverOptions{demo: true, env: noLimits, args: []string{"--translator", "apertium",
		"--translator-url", apy.URL, "--webhook-allow-cidr", "127.0.0.1/32"}})
	f := newPrivacyFixture(t, s)
	const base = "/api/v1/properties/DEMO/guest-data"

	exp := s.admin(t, f.admin, http.MethodPost, base+"/export", map[string]any{"bookingReference": "bk-zq-9001"}).wantStatus(t, http.StatusOK)
	if cd := exp.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") {
		t.Errorf("Content-Disposition %q", cd)
	}
	for _, want := range []string{`"firstName":"Zebulon"`, "Necesito un unicornio violeta", "We have blue hippopotamuses",
		`"code":"ORD-ZQ-1"`, f.stayConv, f.heldConv, `"translations":{"en":`} {
		if !strings.Contains(string(exp.Raw), want) {
			t.Errorf("export lacks %s: %s", want, exp.Raw)
		}
	}
	if strings.Contains(string(exp.Raw), "periquito") || len(exp.Body["sessions"].([]any)) == 0 {
		t.Errorf("stay export: %s", exp.Raw)
	}
	gexp := s.admin(t, f.admin, http.MethodPost, base+"/export", map[string]any{"guestIdentifier": "guest-zq-periquito"}).wantStatus(t, http.StatusOK)
	if !strings.Contains(string(gexp.Raw), "periquito parlanchín") || gexp.Body["stay"] != nil || strings.Contains(string(gexp.Raw), "Zebulon") {
		t.Errorf("guest export: %s", gexp.Raw)
	}
	for name, body := range map[string]map[string]any{
		"neither": {}, "both": {"bookingReference": "BK-ZQ-9001", "guestIdentifier": "guest-zq-periquito"},
	} {
		s.admin(t, f.admin, http.MethodPost, base+"/export", body).wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
		_ = name
	}
	s.admin(t, f.admin, http.MethodPost, base+"/export", map[string]any{"bookingReference": "BK-NONE"}).wantStaffError(t, http.StatusNotFound, "StayNotFound")
	s.admin(t, f.admin, http.MethodPost, base+"/erase", map[string]any{"guestIdentifier": "nobody"}).wantStaffError(t, http.StatusNotFound, "GuestNotFound")
	s.admin(t, f.agent, http.MethodPost, base+"/export", map[string]any{"bookingReference": "BK-ZQ-9001"}).wantStaffError(t, http.StatusForbidden, "Forbidden")
	s.admin(t, f.agent, http.MethodPut, staffConvPath(f.heldConv, "/legal-hold"), map[string]any{"reason": "x"}).
		wantStaffError(t, http.StatusForbidden, "Forbidden")

	// A legal hold keeps its conversation (and so the stay) through an erasure.
	hold := s.admin(t, f.admin, http.MethodPut, staffConvPath(f.heldConv, "/legal-hold"), map[string]any{"reason": "Claim 2026-17"}).
		wantStatus(t, http.StatusOK)
	if hold.Body["held"] != true || hold.Body["setBy"] != "admin" {
		t.Errorf("hold: %s", hold.Raw)
	}
	s.admin(t, f.admin, http.MethodPut, staffConvPath(f.heldConv, "/legal-hold"), map[string]any{"reason": " "}).
		wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
	er := s.admin(t, f.admin, http.MethodPost, base+"/erase", map[string]any{"bookingReference": "BK-ZQ-9001"}).wantStatus(t, http.StatusOK)
	if er.Body["conversationsErased"] != 1.0 || er.Body["conversationsHeld"] != 1.0 || er.Body["guestErased"] != false {
		t.Errorf("erasure under a hold: %s", er.Raw)
	}
	s.staffGet(t, f.admin, staffConvPath(f.stayConv, "")).wantStaffError(t, http.StatusNotFound, "ConversationNotFound")
	s.staffGet(t, f.admin, staffConvPath(f.heldConv, "")).wantStatus(t, http.StatusOK)
	s.do(t, http.MethodDelete, staffConvPath(f.heldConv, "/legal-hold"), nil, bearer(f.admin)).wantStatus(t, http.StatusOK)
	if g := s.staffGet(t, f.admin, staffConvPath(f.heldConv, "/legal-hold")).wantStatus(t, http.StatusOK); g.Body["held"] != false {
		t.Errorf("hold after clearing: %s", g.Raw)
	}
	er = s.admin(t, f.admin, http.MethodPost, base+"/erase", map[string]any{"bookingReference": "BK-ZQ-9001"}).wantStatus(t, http.StatusOK)
	if er.Body["conversationsErased"] != 1.0 || er.Body["guestErased"] != true {
		t.Errorf("erasure after the hold: %s", er.Raw)
	}
	s.admin(t, f.admin, http.MethodPost, base+"/erase", map[string]any{"guestIdentifier": "guest-zq-periquito"}).wantStatus(t, http.StatusOK)
	s.admin(t, f.admin, http.MethodPost, base+"/erase", map[string]any{"bookingReference": "BK-ZQ-9001"}).wantStaffError(t, http.StatusNotFound, "StayNotFound")

	if found := findInDatabase(t, s.DB, f.needles); len(found) > 0 {
		t.Errorf("erased data is still in the database:\n%s", strings.Join(found, "\n"))
	}
	var actions []string
	for _, e := range s.auditEntries(t, f.admin) {
		if a := e["action"].(string); strings.HasPrefix(a, "guest_data.") || strings.HasPrefix(a, "legal_hold.") {
			actions = append(actions, a)
		}
	}
	want := "guest_data.erased guest_data.erased legal_hold.cleared guest_data.erased legal_hold.set guest_data.exported guest_data.exported"
	if strings.Join(actions, " ") != want {
		t.Errorf("audit actions %v, want %s", actions, want)
	}
}

// TestRetention: with a property's retention at 1 day, the background job erases a departed
// stay's and an inactive guest's data once the days have passed, keeps a conversation under a
// legal hold, and leaves nothing of the erased data in any table.
func TestRetention(t *testing.T) {
	apy := apytest.Start(t)
	s := startServer(t, serverOptions{demo: true, env: noLimits, args: []string{"--translator", "apertium",
		"--translator-url", apy.URL, "--webhook-allow-cidr", "127.0.0.1/32", "--retention-interval", "50ms"}})
	f := newPrivacyFixture(t, s)
	r := s.admin(t, f.admin, http.MethodPut, "/api/v1/properties/DEMO/retention", map[string]any{"stayDays": 1, "guestDays": 1}).
		wantStatus(t, http.StatusOK)
	if r.Body["stayDays"] != 1.0 || r.Body["guestDays"] != 1.0 {
		t.Fatalf("retention: %s", r.Raw)
	}
	s.admin(t, f.admin, http.MethodPut, "/api/v1/properties/DEMO/retention", map[string]any{"stayDays": 0}).
		wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
	s.admin(t, f.agent, http.MethodGet, "/api/v1/properties/DEMO/retention", nil).wantStaffError(t, http.StatusForbidden, "Forbidden")
	s.admin(t, f.admin, http.MethodPut, staffConvPath(f.heldConv, "/legal-hold"), map[string]any{"reason": "Claim"}).wantStatus(t, http.StatusOK)

	// Nothing is due yet: the stay departs tomorrow.
	time.Sleep(200 * time.Millisecond) // several runs of the job (a condition, not a duration, is asserted)
	s.staffGet(t, f.admin, staffConvPath(f.stayConv, "")).wantStatus(t, http.StatusOK)

	s.Clock.Advance(3 * 24 * time.Hour) // departure + 2 days, and 3 days without the guest
	admin := s.staffLogin(t, "admin")
	waitUntil(t, "retention erased the stay's and the guest's conversations", func() bool {
		return s.staffGet(t, admin, staffConvPath(f.stayConv, "")).Status == http.StatusNotFound &&
			s.staffGet(t, admin, staffConvPath(f.guestConv, "")).Status == http.StatusNotFound
	})
	s.staffGet(t, admin, staffConvPath(f.heldConv, "")).wantStatus(t, http.StatusOK)
	var gone []string
	for _, n := range f.needles {
		if !slices.Contains(f.heldNeedles, n) {
			gone = append(gone, n) // the held conversation keeps its texts and the stay its names
		}
	}
	for _, n := range []string{"unicornio", "periquito", "guest-zq-periquito", f.stayConv, f.guestConv} {
		if !strings.Contains(strings.Join(gone, "\x00"), n) {
			t.Fatalf("needle %s not checked", n)
		}
	}
	if found := findInDatabase(t, s.DB, gone); len(found) > 0 {
		t.Errorf("data erased by retention is still in the database:\n%s", strings.Join(found, "\n"))
	}
	// Lifting the hold lets the next run take the rest, stay included.
	s.do(t, http.MethodDelete, staffConvPath(f.heldConv, "/legal-hold"), nil, bearer(admin)).wantStatus(t, http.StatusOK)
	waitUntil(t, "retention erased the formerly held conversation", func() bool {
		return s.staffGet(t, admin, staffConvPath(f.heldConv, "")).Status == http.StatusNotFound
	})
	if found := findInDatabase(t, s.DB, f.needles); len(found) > 0 {
		t.Errorf("erased data is still in the database:\n%s", strings.Join(found, "\n"))
	}
	retained := 0
	for _, e := range s.auditEntries(t, admin) {
		if e["action"] == "retention.erased" {
			retained++
			if e["actorKind"] != "system" {
				t.Errorf("retention entry %v", e)
			}
		}
	}
	if retained < 3 {
		t.Errorf("%d retention.erased entries, want at least 3 (stay, guest, stay again)", retained)
	}
}

// TestPrivacyCLI: concierge privacy export|erase on a stopped server's database.
func TestPrivacyCLI(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	admin := s.staffLogin(t, "admin")
	s.do(t, http.MethodPut, "/api/v1/properties/DEMO/stays/BK-CLI-1", []byte(`{"roomNumber":"209","firstName":"Cleo",
		"lastName":"Clitestova","languageCode":"en","arrival":"2026-11-24","departure":"2026-11-26"}`), bearer(admin)).
		wantStatus(t, http.StatusCreated)
	tok := s.loginRoom(t, "209", "Clitestova")
	code := s.guestConversation(t, tok, "FRONTDESK", "Please export my llama", nil)
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	cli := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), append([]string{"concierge", "privacy"}, args...), func(string) string { return "" }, &out, &errOut)
		return out.String() + errOut.String(), err
	}
	file := filepath.Join(t.TempDir(), "export.json")
	if out, err := cli("export", "--db", s.DB, "--property", "DEMO", "--booking-reference", "BK-CLI-1", "--out", file); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	out, err := cli("export", "--db", s.DB, "--property", "DEMO", "--booking-reference", "BK-CLI-1")
	if err != nil || !strings.Contains(out, "Please export my llama") || !strings.Contains(out, code) {
		t.Fatalf("export to stdout: %v\n%s", err, out)
	}
	if out, err := cli("erase", "--db", s.DB, "--property", "DEMO", "--booking-reference", "BK-CLI-1"); err == nil {
		t.Fatalf("erase without --yes: %s", out)
	}
	if out, err := cli("erase", "--db", s.DB, "--property", "DEMO", "--booking-reference", "BK-CLI-1", "--yes"); err != nil ||
		!strings.Contains(out, "Erased 1 conversation(s)") {
		t.Fatalf("erase: %v\n%s", err, out)
	}
	if found := findInDatabase(t, s.DB, []string{"Clitestova", "llama", code}); len(found) > 0 {
		t.Errorf("after the CLI erasure: %v", found)
	}
	if out, err := cli("retention", "--db", s.DB); err != nil || !strings.Contains(out, "Erased 0 stay(s)") {
		t.Errorf("retention: %v\n%s", err, out)
	}
	if _, err := cli("export", "--db", s.DB, "--property", "DEMO"); err == nil {
		t.Error("export without a reference succeeded")
	}
}
