package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"concierge/api"
	"concierge/client"
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
	admin, agent       *staffApp
	stayConv, heldConv string
	guestConv          string
	needles            []string // what must be gone once both are erased
	heldNeedles        []string // of those, what a hold on heldConv keeps (its texts, the stay)
	rc                 *receiver
}

func newPrivacyFixture(t *testing.T, s *server) privacyFixture {
	t.Helper()
	ctx := t.Context()
	f := privacyFixture{admin: s.loggedIn(t, "admin"), agent: s.loggedIn(t, "roomservice")}
	f.rc = newReceiver(t, nil)
	need(f.admin.CreateWebhook(ctx, "DEMO", api.WebhookRequest{URL: ptr(f.rc.srv.URL),
		Kinds: &[]string{"message.created", "message.translated", "conversation.updated"}}))(t)
	f.admin.wantStatus(t, http.StatusCreated)
	need(f.admin.PutStay(ctx, "DEMO", "BK-ZQ-9001", api.StayRequest{RoomNumber: "208", FirstName: "Zebulon",
		LastName: "Quixotefarb", LanguageCode: "es", Arrival: "2026-11-24", Departure: "2026-11-26"}))(t)
	f.admin.wantStatus(t, http.StatusCreated)
	need(f.admin.PutOrder(ctx, "DEMO", "ORD-ZQ-1", api.OrderRequest{BookingReference: "BK-ZQ-9001",
		OutletCode: "ROOMSERVICE", Status: "Pending"}))(t)
	f.admin.wantStatus(t, http.StatusCreated)
	zq := s.roomGuest(t, "208", "quixotefarb")
	f.stayConv = need(zq.CreateConversation(ctx, api.GuestCreateConversationRequest{OutletCode: "ROOMSERVICE", OrderCode: "ORD-ZQ-1",
		ConversationType: "guest", Message: "Necesito un unicornio violeta"}, "zq-1"))(t).Code
	f.heldConv = zq.open(t, "FRONTDESK", "Guardad esta queja formal")
	need(f.agent.AddMessage(ctx, f.stayConv, api.AddMessageRequest{Type: "Staff", Content: "We have blue hippopotamuses"}, "zq-reply"))(t)
	f.agent.wantStatus(t, http.StatusCreated)

	// Name fields the non-verified create call does not have, sent raw: the server stores none.
	nv := s.identifiedGuest(t, "guest-zq-periquito", "")
	c := typedContent[api.GuestConversationContent](t, s.post(t, pathCreateNV, map[string]any{"SessionToken": nv.Token(), "OutletCode": "FRONTDESK",
		"Message": "Soy anónimo con un periquito parlanchín", "GuestFirstName": "Ofelia", "GuestLastName": "Nonverifiedsky"}),
		api.ItemCreateConversation)
	f.guestConv = c.Conversation.Code

	// Wait for the translations (Spanish guest, English staff; English reply to the guest).
	translated := map[string][]string{}
	waitUntil(t, "translations", func() bool {
		n := 0
		for _, code := range []string{f.stayConv, f.heldConv, f.guestConv} {
			translated[code] = nil
			for _, m := range f.admin.messages(t, code) {
				for _, v := range m.Translations {
					translated[code] = append(translated[code], v)
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
	t.Parallel()
	apy := apytest.Start(t)
	s := startServer(t, serverOptions{demo: true, env: noLimits, args: []string{"--translator", "apertium",
		"--translator-url", apy.URL, "--webhook-allow-cidr", "127.0.0.1/32"}})
	f := newPrivacyFixture(t, s)
	ctx := t.Context()
	admin, agent := f.admin, f.agent

	exp := need(admin.ExportGuestData(ctx, "DEMO", api.GuestRef{BookingReference: "bk-zq-9001"}))(t)
	admin.wantStatus(t, http.StatusOK)
	raw := admin.answer()
	if cd := raw.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") {
		t.Errorf("Content-Disposition %q", cd)
	}
	for _, want := range []string{`"firstName":"Zebulon"`, "Necesito un unicornio violeta", "We have blue hippopotamuses",
		`"code":"ORD-ZQ-1"`, f.stayConv, f.heldConv, `"translations":{"en":`} {
		if !strings.Contains(string(raw.Raw), want) {
			t.Errorf("export lacks %s: %s", want, raw.Raw)
		}
	}
	if strings.Contains(string(raw.Raw), "periquito") || len(exp.Sessions) == 0 {
		t.Errorf("stay export: %s", raw.Raw)
	}
	gexp := need(admin.ExportGuestData(ctx, "DEMO", api.GuestRef{GuestIdentifier: "guest-zq-periquito"}))(t)
	admin.wantStatus(t, http.StatusOK)
	if raw := admin.answer().Raw; !strings.Contains(string(raw), "periquito parlanchín") || gexp.Stay != nil || strings.Contains(string(raw), "Zebulon") {
		t.Errorf("guest export: %s", raw)
	}
	for _, ref := range []api.GuestRef{{}, {BookingReference: "BK-ZQ-9001", GuestIdentifier: "guest-zq-periquito"}} {
		_, err := admin.ExportGuestData(ctx, "DEMO", ref)
		admin.wantStaffFailure(t, err, http.StatusBadRequest, "ValidationFailed")
	}
	_, err := admin.ExportGuestData(ctx, "DEMO", api.GuestRef{BookingReference: "BK-NONE"})
	admin.wantStaffFailure(t, err, http.StatusNotFound, "StayNotFound")
	_, err = admin.EraseGuestData(ctx, "DEMO", api.GuestRef{GuestIdentifier: "nobody"})
	admin.wantStaffFailure(t, err, http.StatusNotFound, "GuestNotFound")
	_, err = agent.ExportGuestData(ctx, "DEMO", api.GuestRef{BookingReference: "BK-ZQ-9001"})
	agent.wantStaffFailure(t, err, http.StatusForbidden, "Forbidden")
	_, err = agent.SetLegalHold(ctx, f.heldConv, "x")
	agent.wantStaffFailure(t, err, http.StatusForbidden, "Forbidden")

	// A legal hold keeps its conversation (and so the stay) through an erasure.
	hold := need(admin.SetLegalHold(ctx, f.heldConv, "Claim 2026-17"))(t)
	admin.wantStatus(t, http.StatusOK)
	if !hold.Held || hold.SetBy != "admin" {
		t.Errorf("hold: %+v", hold)
	}
	_, err = admin.SetLegalHold(ctx, f.heldConv, " ")
	admin.wantStaffFailure(t, err, http.StatusBadRequest, "ValidationFailed")
	er := need(admin.EraseGuestData(ctx, "DEMO", api.GuestRef{BookingReference: "BK-ZQ-9001"}))(t)
	admin.wantStatus(t, http.StatusOK)
	if er.Conversations != 1 || er.Held != 1 || er.OwnerErased {
		t.Errorf("erasure under a hold: %+v", er)
	}
	_, err = admin.Conversation(ctx, f.stayConv)
	admin.wantStaffFailure(t, err, http.StatusNotFound, "ConversationNotFound")
	need(admin.Conversation(ctx, f.heldConv))(t)
	need(admin.ReleaseLegalHold(ctx, f.heldConv))(t)
	admin.wantStatus(t, http.StatusOK)
	if g := need(admin.LegalHold(ctx, f.heldConv))(t); g.Held {
		t.Errorf("hold after clearing: %+v", g)
	}
	er = need(admin.EraseGuestData(ctx, "DEMO", api.GuestRef{BookingReference: "BK-ZQ-9001"}))(t)
	if er.Conversations != 1 || !er.OwnerErased {
		t.Errorf("erasure after the hold: %+v", er)
	}
	need(admin.EraseGuestData(ctx, "DEMO", api.GuestRef{GuestIdentifier: "guest-zq-periquito"}))(t)
	_, err = admin.EraseGuestData(ctx, "DEMO", api.GuestRef{BookingReference: "BK-ZQ-9001"})
	admin.wantStaffFailure(t, err, http.StatusNotFound, "StayNotFound")

	if found := findInDatabase(t, s.DB, f.needles); len(found) > 0 {
		t.Errorf("erased data is still in the database:\n%s", strings.Join(found, "\n"))
	}
	var actions []string
	for _, e := range auditLog(t, admin) {
		if a := e.Action; strings.HasPrefix(a, "guest_data.") || strings.HasPrefix(a, "legal_hold.") {
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
	t.Parallel()
	apy := apytest.Start(t)
	s := startServer(t, serverOptions{demo: true, env: noLimits, args: []string{"--translator", "apertium",
		"--translator-url", apy.URL, "--webhook-allow-cidr", "127.0.0.1/32", "--retention-interval", "50ms"}})
	f := newPrivacyFixture(t, s)
	ctx := t.Context()
	r := need(f.admin.SetRetention(ctx, "DEMO", api.RetentionRequest{StayDays: ptr(1), GuestDays: ptr(1)}))(t)
	if r.StayDays != 1 || r.GuestDays != 1 {
		t.Fatalf("retention: %+v", r)
	}
	_, err := f.admin.SetRetention(ctx, "DEMO", api.RetentionRequest{StayDays: ptr(0)})
	f.admin.wantStaffFailure(t, err, http.StatusBadRequest, "ValidationFailed")
	_, err = f.agent.Retention(ctx, "DEMO")
	f.agent.wantStaffFailure(t, err, http.StatusForbidden, "Forbidden")
	need(f.admin.SetLegalHold(ctx, f.heldConv, "Claim"))(t)

	// Nothing is due yet: the stay departs tomorrow.
	time.Sleep(200 * time.Millisecond) // several runs of the job (a condition, not a duration, is asserted)
	need(f.admin.Conversation(ctx, f.stayConv))(t)

	s.Clock.Advance(3 * 24 * time.Hour) // departure + 2 days, and 3 days without the guest
	admin := s.loggedIn(t, "admin")
	gone := func(code string) bool {
		_, err := admin.Conversation(ctx, code)
		return client.CodeOf(err) == "ConversationNotFound"
	}
	waitUntil(t, "retention erased the stay's and the guest's conversations", func() bool {
		return gone(f.stayConv) && gone(f.guestConv)
	})
	need(admin.Conversation(ctx, f.heldConv))(t)
	var erased []string
	for _, n := range f.needles {
		if !slices.Contains(f.heldNeedles, n) {
			erased = append(erased, n) // the held conversation keeps its texts and the stay its names
		}
	}
	for _, n := range []string{"unicornio", "periquito", "guest-zq-periquito", f.stayConv, f.guestConv} {
		if !strings.Contains(strings.Join(erased, "\x00"), n) {
			t.Fatalf("needle %s not checked", n)
		}
	}
	if found := findInDatabase(t, s.DB, erased); len(found) > 0 {
		t.Errorf("data erased by retention is still in the database:\n%s", strings.Join(found, "\n"))
	}
	// Lifting the hold lets the next run take the rest, stay included.
	need(admin.ReleaseLegalHold(ctx, f.heldConv))(t)
	waitUntil(t, "retention erased the formerly held conversation", func() bool { return gone(f.heldConv) })
	if found := findInDatabase(t, s.DB, f.needles); len(found) > 0 {
		t.Errorf("erased data is still in the database:\n%s", strings.Join(found, "\n"))
	}
	retained := 0
	for _, e := range auditLog(t, admin) {
		if e.Action == "retention.erased" {
			retained++
			if e.ActorKind != "system" {
				t.Errorf("retention entry %+v", e)
			}
		}
	}
	if retained < 3 {
		t.Errorf("%d retention.erased entries, want at least 3 (stay, guest, stay again)", retained)
	}
}

// TestPrivacyCLI: concierge privacy export|erase on a stopped server's database.
func TestPrivacyCLI(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	admin := s.loggedIn(t, "admin")
	need(admin.PutStay(t.Context(), "DEMO", "BK-CLI-1", api.StayRequest{RoomNumber: "209", FirstName: "Cleo",
		LastName: "Clitestova", LanguageCode: "en", Arrival: "2026-11-24", Departure: "2026-11-26"}))(t)
	admin.wantStatus(t, http.StatusCreated)
	code := s.roomGuest(t, "209", "Clitestova").open(t, "FRONTDESK", "Please export my llama")
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
