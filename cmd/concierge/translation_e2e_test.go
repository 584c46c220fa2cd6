package main

import (
	"maps"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"concierge/api"
	"concierge/client"
	"concierge/internal/translate/apytest"
)

// Translation (SPEC §7) end to end, against a real Apertium APy server with the eng-spa pair.

// startTranslatingServer starts APy and a demo server translating with it. Retries wait at
// most 2 s of the server's clock, which the test moves.
func startTranslatingServer(t *testing.T) (*server, *apytest.Server) {
	t.Helper()
	apy := apytest.Start(t)
	s := startServer(t, serverOptions{demo: true, env: noLimits, args: []string{
		"--translator", "apertium", "--translator-url", apy.URL,
		"--translator-backoff", "2s", "--translator-attempts", "1000"}})
	return s, apy
}

// eventMessage returns the staff message of a staff stream's event, decoded strictly.
func eventMessage(t *testing.T, ev sseEvent) *api.Message {
	t.Helper()
	m := ev.staffEvent(t).Message
	if m == nil {
		t.Fatalf("event %s without a message: %s", ev.Event, ev.Raw)
	}
	return m
}

// guestEventMessage returns the guest message of a guest stream's event, decoded strictly.
func guestEventMessage(t *testing.T, ev sseEvent) *api.GuestMessage {
	t.Helper()
	m := ev.guestEvent(t).Message
	if m == nil {
		t.Fatalf("event %s without a message: %s", ev.Event, ev.Raw)
	}
	return m
}

// nextEvents reads n events and returns them ordered by summary (translations arrive in the
// order the worker finishes them).
func nextEvents(t *testing.T, st *sseStream, n int) []sseEvent {
	t.Helper()
	out := make([]sseEvent, n)
	for i := range out {
		out[i] = st.next(t)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].summary() < out[j].summary() })
	return out
}

func TestTranslationSpanishGuestEnglishFrontOffice(t *testing.T) {
	t.Parallel()
	s, apy := startTranslatingServer(t)
	ctx := t.Context()
	admin, fd := s.loggedIn(t, "admin"), s.loggedIn(t, "frontdesk")
	need(admin.PutGlossaryTerm(ctx, "DEMO", "Sol y Mar"))(t)
	admin.wantStatus(t, http.StatusCreated)

	ana := s.roomGuest(t, "101", "Garcia") // Spanish (es)
	anaSt := s.openEvents(t, guestEventsPath(ana.Token()), nil)
	fdSt := s.openEvents(t, pathStaffEvents, bearer(fd.Token()))

	// The guest writes in Spanish to the English front office: stored and delivered at once in
	// the original, translated to English afterwards.
	code := ana.open(t, "FRONTDESK", "Quiero cenar en Sol y Mar esta noche.")
	fdSt.wantSummaries(t, "frontdesk", "conversation.updated "+code, "message.created "+code+" Guest")
	anaSt.wantSummaries(t, "ana", "conversation.updated "+code, "message.created "+code+" Guest")
	ev := fdSt.wantSummaries(t, "frontdesk", "message.translated "+code+" Guest")[0]
	m := eventMessage(t, ev)
	en := m.Translations["en"]
	if m.Content != "Quiero cenar en Sol y Mar esta noche." || m.LanguageCode != "es" ||
		!strings.Contains(en, "Sol y Mar") || !strings.Contains(en, "tonight") ||
		!maps.Equal(m.TranslationStates, map[string]string{"en": "done"}) {
		t.Fatalf("staff event of the translated guest message: %s", ev.Raw)
	}
	// The guest's own message stays in the original for the guest: no event tells them of
	// its translation (checked below: the next guest event is the staff reply).
	msgs := fd.messages(t, code)
	if msgs[0].Content != "Quiero cenar en Sol y Mar esta noche." || msgs[0].Translations["en"] != en {
		t.Fatalf("staff conversation: %+v", msgs[0])
	}
	// Inbox search finds the translation too.
	found := need(fd.Conversations(ctx, client.InboxQuery{Q: "tonight"}))(t)
	if len(found.Conversations) != 1 || found.Conversations[0].Code != code {
		t.Errorf("search for a word of the translation found %+v", found.Conversations)
	}

	// Staff reply in English; the guest reads Spanish.
	r := fd.reply(t, code, "Staff", "Good morning, your table at Sol y Mar is ready.")
	if r.LanguageCode != "en" || !maps.Equal(r.TranslationStates, map[string]string{"es": "pending"}) {
		t.Errorf("written reply: %+v", r)
	}
	fd.reply(t, code, "Note", "VIP guest, birthday tonight.")
	fdSt.wantSummaries(t, "frontdesk", "message.created "+code+" Staff", "message.created "+code+" Note")
	ev = fdSt.wantSummaries(t, "frontdesk", "message.translated "+code+" Staff")[0]
	es := eventMessage(t, ev).Translations["es"]
	if !strings.HasPrefix(es, "Buenos días") || !strings.Contains(es, "Sol y Mar") {
		t.Fatalf("staff event of the translated reply: %s", ev.Raw)
	}
	anaSt.wantSummaries(t, "ana", "message.created "+code+" Staff")
	ev = anaSt.wantSummaries(t, "ana", "message.translated "+code+" Staff")[0]
	if m := guestEventMessage(t, ev); m.Content != es || !m.IsTranslated || m.LanguageCode != "es" {
		t.Fatalf("guest event of the translated reply: %s", ev.Raw)
	}
	anaSt.none(t, 300*time.Millisecond) // never the note, nor its translation
	gm := ana.messagesOf(t, code)
	if len(gm) != 2 || gm[1].Content != es || !gm[1].IsTranslated || gm[1].LanguageCode != "es" || gm[0].IsTranslated {
		t.Fatalf("guest conversation: %+v", gm)
	}
	list := need(ana.Messages(ctx, client.Page{}))(t).Messages
	if last := list[len(list)-1]; last.Content != es || !last.IsTranslated {
		t.Errorf("guest message list: %+v", last)
	}
	if note := fd.messages(t, code)[2]; note.Type != "Note" || len(note.TranslationStates) != 0 {
		t.Errorf("a note was queued for translation: %+v", note)
	}

	// APy stops: messages still flow at once; translations wait, then arrive when it returns.
	apy.Stop()
	need(ana.AddMessage(ctx, code, "Muchas gracias por todo.", ""))(t)
	fd.reply(t, code, "Staff", "You are welcome.")
	fdSt.wantSummaries(t, "frontdesk", "message.created "+code+" Guest", "message.created "+code+" Staff")
	anaSt.wantSummaries(t, "ana", "message.created "+code+" Guest", "message.created "+code+" Staff")
	fdSt.none(t, 500*time.Millisecond)
	for _, m := range fd.messages(t, code)[3:] {
		if st := m.TranslationStates; len(st) != 1 || (st["en"] != "pending" && st["es"] != "pending") {
			t.Errorf("with APy down, message %v: states %v, want pending", m.Content, st)
		}
	}
	apy.Restart()
	s.Clock.Advance(time.Minute) // retries come due
	evs := nextEvents(t, fdSt, 2)
	if m := eventMessage(t, evs[0]); m.Type != "Guest" || m.Translations["en"] == "" {
		t.Errorf("late translation of the guest message: %s", evs[0].Raw)
	}
	if m := eventMessage(t, evs[1]); m.Type != "Staff" || m.Translations["es"] == "" {
		t.Errorf("late translation of the reply: %s", evs[1].Raw)
	}
	ev = anaSt.wantSummaries(t, "ana", "message.translated "+code+" Staff")[0]
	if m := guestEventMessage(t, ev); !m.IsTranslated || m.LanguageCode != "es" || m.Content == "You are welcome." {
		t.Errorf("late translation for the guest: %s", ev.Raw)
	}
	anaSt.none(t, 300*time.Millisecond) // not the translation of their own message
}

// TestTranslationUnsupportedPair: a guest whose language the provider lacks reads System
// messages in English; staff see that no translation will come.
func TestTranslationUnsupportedPair(t *testing.T) {
	t.Parallel()
	s, _ := startTranslatingServer(t)
	ctx := t.Context()
	admin, rs := s.loggedIn(t, "admin"), s.loggedIn(t, "roomservice")
	need(admin.PutStay(ctx, "DEMO", "BK-IT", api.StayRequest{RoomNumber: "201", FirstName: "Lucia", LastName: "Rossi",
		LanguageCode: "it-IT", Arrival: "2026-11-24", Departure: "2026-11-28"}))(t)
	admin.wantStatus(t, http.StatusCreated)
	need(admin.PutOrder(ctx, "DEMO", "ORD-IT", api.OrderRequest{BookingReference: "BK-IT", OutletCode: "ROOMSERVICE", Status: "Pending"}))(t)
	admin.wantStatus(t, http.StatusCreated)
	lucia := s.roomGuest(t, "201", "Rossi")
	rsSt := s.openEvents(t, pathStaffEvents, bearer(rs.Token()))
	code := need(lucia.CreateConversation(ctx, api.GuestCreateConversationRequest{OutletCode: "ROOMSERVICE", Message: "Vorrei un caffè",
		ConversationType: "guest", OrderCode: "ORD-IT"}, ""))(t).Code
	rsSt.wantSummaries(t, "roomservice", "conversation.updated "+code, "message.created "+code+" Guest",
		"message.translated "+code+" Guest")
	need(admin.PutOrder(ctx, "DEMO", "ORD-IT", api.OrderRequest{BookingReference: "BK-IT", OutletCode: "ROOMSERVICE", Status: "Delivering"}))(t)
	admin.wantStatus(t, http.StatusOK)
	rsSt.wantSummaries(t, "roomservice", "message.created "+code+" System", "order.updated "+code)
	ev := rsSt.wantSummaries(t, "roomservice", "message.translated "+code+" System")[0]
	if m := eventMessage(t, ev); m.LanguageCode != "en" || !maps.Equal(m.TranslationStates, map[string]string{"it": "unsupported"}) {
		t.Fatalf("System message for an Italian guest: %s", ev.Raw)
	}
	msgs := rs.messages(t, code)
	if st := msgs[0].TranslationStates; st["en"] != "unsupported" {
		t.Errorf("Italian guest message to English staff: states %v, want en unsupported", st)
	}
	gm := lucia.messagesOf(t, code)
	if sys := gm[len(gm)-1]; sys.MessageType != "System" || sys.IsTranslated || sys.LanguageCode != "en" ||
		sys.Content != "Your order ORD-IT is on its way." {
		t.Errorf("guest's System message: %+v", sys)
	}
}

func TestGlossaryAPI(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true, env: noLimits})
	ctx := t.Context()
	admin, fd := s.loggedIn(t, "admin"), s.loggedIn(t, "frontdesk")
	need(admin.PutGlossaryTerm(ctx, "DEMO", "Sol y Mar"))(t)
	admin.wantStatus(t, http.StatusCreated)
	if r := need(admin.PutGlossaryTerm(ctx, "DEMO", "  sol y mar "))(t); r.Term != "Sol y Mar" {
		t.Errorf("putting a term again in another case: %+v, want the term as first written", r)
	}
	admin.wantStatus(t, http.StatusOK)
	need(admin.PutGlossaryTerm(ctx, "DEMO", "Paella Valenciana/Mixta"))(t)
	admin.wantStatus(t, http.StatusCreated)
	list := need(admin.Glossary(ctx, "DEMO"))(t).Terms
	if len(list) != 2 || list[0].Term != "Paella Valenciana/Mixta" {
		t.Errorf("glossary: %+v", list)
	}
	_, err := fd.PutGlossaryTerm(ctx, "DEMO", "Spa")
	fd.wantStaffFailure(t, err, http.StatusForbidden, "Forbidden")
	_, err = fd.Glossary(ctx, "DEMO")
	fd.wantStaffFailure(t, err, http.StatusForbidden, "Forbidden")
	_, err = admin.Glossary(ctx, "NOPE")
	admin.wantStaffFailure(t, err, http.StatusNotFound, "PropertyNotFound")
	for _, bad := range []string{"[[0]]", strings.Repeat("x", 101), "a\tb", " "} {
		_, err := admin.PutGlossaryTerm(ctx, "DEMO", bad)
		admin.wantStaffFailure(t, err, http.StatusBadRequest, "ValidationFailed")
	}
	if err := admin.DeleteGlossaryTerm(ctx, "DEMO", "SOL Y MAR"); err != nil {
		t.Fatal(err)
	}
	admin.wantStatus(t, http.StatusNoContent)
	admin.wantStaffFailure(t, admin.DeleteGlossaryTerm(ctx, "DEMO", "Sol y Mar"), http.StatusNotFound, "GlossaryTermNotFound")
	fd.wantStaffFailure(t, fd.DeleteGlossaryTerm(ctx, "DEMO", "x"), http.StatusForbidden, "Forbidden")

	// The default translator is none: nothing is queued, the glossary only waits for one.
	code := s.roomGuest(t, "101", "Garcia").open(t, "FRONTDESK", "Hola, buenos días")
	m := fd.messages(t, code)[0]
	if m.Translations == nil || len(m.Translations) != 0 || m.TranslationStates == nil || len(m.TranslationStates) != 0 {
		t.Errorf("with --translator none: %+v", m)
	}
}

// TestTranslationSurvivesRestart: jobs queued while the provider is down outlive the server
// that queued them; the next server on the same database translates them.
func TestTranslationSurvivesRestart(t *testing.T) {
	t.Parallel()
	apy := apytest.Start(t)
	dir := t.TempDir()
	args := []string{"--translator", "apertium", "--translator-url", apy.URL, "--translator-backoff", "2s"}
	s := startServer(t, serverOptions{demo: true, env: noLimits, dir: dir, args: args})
	apy.Stop()
	code := s.roomGuest(t, "101", "Garcia").open(t, "FRONTDESK", "Buenos días")
	if st := s.loggedIn(t, "frontdesk").messages(t, code)[0].TranslationStates; !maps.Equal(st, map[string]string{"en": "pending"}) {
		t.Fatalf("with APy down: %v", st)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}

	apy.Restart()
	s2 := startServer(t, serverOptions{demo: true, env: noLimits, dir: dir, args: args})
	fd := s2.loggedIn(t, "frontdesk")
	st := s2.openEvents(t, pathStaffEvents, bearer(fd.Token()))
	s2.Clock.Advance(time.Hour) // the retry comes due
	ev := st.wantSummaries(t, "frontdesk", "message.translated "+code+" Guest")[0]
	if m := eventMessage(t, ev); m.Translations["en"] != "Good morning" {
		t.Errorf("translation after the restart: %s", ev.Raw)
	}
}

// TestTranslatorConfig: a bad provider or URL stops serve at start, from flags or environment.
func TestTranslatorConfig(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--translator", "google"}, nil, "unknown provider"},
		{[]string{"--translator", "apertium"}, nil, "--translator-url"},
		{nil, map[string]string{"CONCIERGE_TRANSLATOR": "libretranslate", "CONCIERGE_TRANSLATOR_URL": "localhost:5000"}, "--translator-url"},
		{nil, map[string]string{"CONCIERGE_TRANSLATOR": "deepl"}, "unknown provider"},
	} {
		args := append([]string{"concierge", "serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "c.db")}, tc.args...)
		var stdout, stderr strings.Builder
		err := run(t.Context(), args, func(k string) string { return tc.env[k] }, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("serve %v %v: %v, want an error about %s", tc.args, tc.env, err, tc.want)
		}
	}
}
