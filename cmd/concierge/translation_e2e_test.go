package main

import (
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"concierge/internal/translate/apytest"
)

// Translation (SPEC §7) end to end, against a real Apertium APy server with the eng-spa pair.

const pathGlossary = "/api/v1/properties/DEMO/glossary"

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

// eventMessage returns the message of an event.
func eventMessage(t *testing.T, ev sseEvent) map[string]any {
	t.Helper()
	m, ok := ev.Data["message"].(map[string]any)
	if !ok {
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

func guestConversationPath(code, token string) string {
	return pathCreate + "/" + code + "?SessionToken=" + url.QueryEscape(token)
}

// guestMessages returns the messages of a guest's conversation, as the guest reads them.
func (s *server) guestMessagesOf(t *testing.T, code, token string) []map[string]any {
	t.Helper()
	conv := s.get(t, guestConversationPath(code, token)).content(t, "getConversationResponse")["conversation"].(map[string]any)
	var out []map[string]any
	for _, m := range conv["messages"].([]any) {
		out = append(out, m.(map[string]any))
	}
	return out
}

// staffMessages returns the messages of a conversation as staff read them.
func (s *server) staffMessagesOf(t *testing.T, token, code string) []map[string]any {
	t.Helper()
	body := s.staffGet(t, token, staffConvPath(code, "")).wantOK(t, http.StatusOK)
	var out []map[string]any
	for _, m := range body["messages"].([]any) {
		out = append(out, m.(map[string]any))
	}
	return out
}

func TestTranslationSpanishGuestEnglishFrontOffice(t *testing.T) {
	s, apy := startTranslatingServer(t)
	admin, fd := s.staffLogin(t, "admin"), s.staffLogin(t, "frontdesk")
	s.do(t, http.MethodPut, pathGlossary+"/"+url.PathEscape("Sol y Mar"), nil, bearer(admin)).wantOK(t, http.StatusCreated)

	ana := s.loginRoom(t, "101", "Garcia") // Spanish (es)
	anaSt := s.openEvents(t, guestEventsPath(ana), nil)
	fdSt := s.openEvents(t, pathStaffEvents, bearer(fd))

	// The guest writes in Spanish to the English front office: stored and delivered at once in
	// the original, translated to English afterwards.
	code := s.guestConversation(t, ana, "FRONTDESK", "Quiero cenar en Sol y Mar esta noche.", nil)
	fdSt.wantSummaries(t, "frontdesk", "conversation.updated "+code, "message.created "+code+" Guest")
	anaSt.wantSummaries(t, "ana", "conversation.updated "+code, "message.created "+code+" Guest")
	ev := fdSt.wantSummaries(t, "frontdesk", "message.translated "+code+" Guest")[0]
	m := eventMessage(t, ev)
	en, _ := m["translations"].(map[string]any)["en"].(string)
	if m["content"] != "Quiero cenar en Sol y Mar esta noche." || m["languageCode"] != "es" ||
		!strings.Contains(en, "Sol y Mar") || !strings.Contains(en, "tonight") ||
		!reflect.DeepEqual(m["translationStates"], map[string]any{"en": "done"}) {
		t.Fatalf("staff event of the translated guest message: %s", ev.Raw)
	}
	// The guest's own message stays in the original for the guest: no event tells them of
	// its translation (checked below: the next guest event is the staff reply).
	msgs := s.staffMessagesOf(t, fd, code)
	if msgs[0]["content"] != "Quiero cenar en Sol y Mar esta noche." || msgs[0]["translations"].(map[string]any)["en"] != en {
		t.Fatalf("staff conversation: %v", msgs[0])
	}
	// Inbox search finds the translation too.
	found := s.staffGet(t, fd, pathConversations+"?q=tonight").wantOK(t, http.StatusOK)
	if codes := inboxCodes(t, found); len(codes) != 1 || codes[0] != code {
		t.Errorf("search for a word of the translation found %v", codes)
	}

	// Staff reply in English; the guest reads Spanish.
	r := s.staffPost(t, fd, staffConvPath(code, "/messages"), map[string]any{"type": "Staff", "content": "Good morning, your table at Sol y Mar is ready."}).wantOK(t, http.StatusCreated)
	if r["languageCode"] != "en" || !reflect.DeepEqual(r["translationStates"], map[string]any{"es": "pending"}) {
		t.Errorf("written reply: %v", r)
	}
	s.staffPost(t, fd, staffConvPath(code, "/messages"), map[string]any{"type": "Note", "content": "VIP guest, birthday tonight."}).wantOK(t, http.StatusCreated)
	fdSt.wantSummaries(t, "frontdesk", "message.created "+code+" Staff", "message.created "+code+" Note")
	ev = fdSt.wantSummaries(t, "frontdesk", "message.translated "+code+" Staff")[0]
	es, _ := eventMessage(t, ev)["translations"].(map[string]any)["es"].(string)
	if !strings.HasPrefix(es, "Buenos días") || !strings.Contains(es, "Sol y Mar") {
		t.Fatalf("staff event of the translated reply: %s", ev.Raw)
	}
	anaSt.wantSummaries(t, "ana", "message.created "+code+" Staff")
	ev = anaSt.wantSummaries(t, "ana", "message.translated "+code+" Staff")[0]
	if m := eventMessage(t, ev); m["content"] != es || m["isTranslated"] != true || m["languageCode"] != "es" {
		t.Fatalf("guest event of the translated reply: %s", ev.Raw)
	}
	anaSt.none(t, 300*time.Millisecond) // never the note, nor its translation
	gm := s.guestMessagesOf(t, code, ana)
	if len(gm) != 2 || gm[1]["content"] != es || gm[1]["isTranslated"] != true || gm[1]["languageCode"] != "es" ||
		gm[0]["isTranslated"] != false {
		t.Fatalf("guest conversation: %v", gm)
	}
	list := s.get(t, pathMessages+"?SessionToken="+url.QueryEscape(ana)).content(t, "getMessagesResponse")["messages"].([]any)
	if last := list[len(list)-1].(map[string]any); last["content"] != es || last["isTranslated"] != true {
		t.Errorf("guest message list: %v", last)
	}
	if note := s.staffMessagesOf(t, fd, code)[2]; note["type"] != "Note" || len(note["translationStates"].(map[string]any)) != 0 {
		t.Errorf("a note was queued for translation: %v", note)
	}

	// APy stops: messages still flow at once; translations wait, then arrive when it returns.
	apy.Stop()
	s.post(t, pathCreate+"/"+code+"/Messages", map[string]any{"SessionToken": ana, "Message": "Muchas gracias por todo."}).content(t, "addMessageResponse")
	s.staffPost(t, fd, staffConvPath(code, "/messages"), map[string]any{"type": "Staff", "content": "You are welcome."}).wantOK(t, http.StatusCreated)
	fdSt.wantSummaries(t, "frontdesk", "message.created "+code+" Guest", "message.created "+code+" Staff")
	anaSt.wantSummaries(t, "ana", "message.created "+code+" Guest", "message.created "+code+" Staff")
	fdSt.none(t, 500*time.Millisecond)
	for _, m := range s.staffMessagesOf(t, fd, code)[3:] {
		if st := m["translationStates"].(map[string]any); len(st) != 1 || (st["en"] != "pending" && st["es"] != "pending") {
			t.Errorf("with APy down, message %v: states %v, want pending", m["content"], st)
		}
	}
	apy.Restart()
	s.Clock.Advance(time.Minute) // retries come due
	evs := nextEvents(t, fdSt, 2)
	if m := eventMessage(t, evs[0]); m["type"] != "Guest" || m["translations"].(map[string]any)["en"] == nil {
		t.Errorf("late translation of the guest message: %s", evs[0].Raw)
	}
	if m := eventMessage(t, evs[1]); m["type"] != "Staff" || m["translations"].(map[string]any)["es"] == nil {
		t.Errorf("late translation of the reply: %s", evs[1].Raw)
	}
	ev = anaSt.wantSummaries(t, "ana", "message.translated "+code+" Staff")[0]
	if m := eventMessage(t, ev); m["isTranslated"] != true || m["languageCode"] != "es" || m["content"] == "You are welcome." {
		t.Errorf("late translation for the guest: %s", ev.Raw)
	}
	anaSt.none(t, 300*time.Millisecond) // not the translation of their own message
}

// TestTranslationUnsupportedPair: a guest whose language the provider lacks reads System
// messages in English; staff see that no translation will come.
func TestTranslationUnsupportedPair(t *testing.T) {
	s, _ := startTranslatingServer(t)
	admin, rs := s.staffLogin(t, "admin"), s.staffLogin(t, "roomservice")
	s.do(t, http.MethodPut, "/api/v1/properties/DEMO/stays/BK-IT", []byte(`{"roomNumber":"201","firstName":"Lucia","lastName":"Rossi",
		"languageCode":"it-IT","arrival":"2026-11-24","departure":"2026-11-28"}`), bearer(admin)).wantOK(t, http.StatusCreated)
	s.do(t, http.MethodPut, "/api/v1/properties/DEMO/orders/ORD-IT", []byte(`{"bookingReference":"BK-IT","outletCode":"ROOMSERVICE","status":"Pending"}`), bearer(admin)).wantOK(t, http.StatusCreated)
	lucia := s.loginRoom(t, "201", "Rossi")
	rsSt := s.openEvents(t, pathStaffEvents, bearer(rs))
	code := s.guestConversation(t, lucia, "ROOMSERVICE", "Vorrei un caffè", map[string]any{"OrderCode": "ORD-IT"})
	rsSt.wantSummaries(t, "roomservice", "conversation.updated "+code, "message.created "+code+" Guest",
		"message.translated "+code+" Guest")
	s.do(t, http.MethodPut, "/api/v1/properties/DEMO/orders/ORD-IT", []byte(`{"bookingReference":"BK-IT","outletCode":"ROOMSERVICE","status":"Delivering"}`), bearer(admin)).wantOK(t, http.StatusOK)
	rsSt.wantSummaries(t, "roomservice", "message.created "+code+" System", "order.updated "+code)
	ev := rsSt.wantSummaries(t, "roomservice", "message.translated "+code+" System")[0]
	if m := eventMessage(t, ev); m["languageCode"] != "en" || !reflect.DeepEqual(m["translationStates"], map[string]any{"it": "unsupported"}) {
		t.Fatalf("System message for an Italian guest: %s", ev.Raw)
	}
	msgs := s.staffMessagesOf(t, rs, code)
	if st := msgs[0]["translationStates"].(map[string]any); st["en"] != "unsupported" {
		t.Errorf("Italian guest message to English staff: states %v, want en unsupported", st)
	}
	gm := s.guestMessagesOf(t, code, lucia)
	if sys := gm[len(gm)-1]; sys["messageType"] != "System" || sys["isTranslated"] != false || sys["languageCode"] != "en" ||
		sys["content"] != "Your order ORD-IT is on its way." {
		t.Errorf("guest's System message: %v", sys)
	}
}

func TestGlossaryAPI(t *testing.T) {
	s := startServer(t, serverOptions{demo: true, env: noLimits})
	admin, fd := s.staffLogin(t, "admin"), s.staffLogin(t, "frontdesk")
	put := func(tok, term string) response {
		return s.do(t, http.MethodPut, pathGlossary+"/"+url.PathEscape(term), nil, bearer(tok))
	}
	put(admin, "Sol y Mar").wantOK(t, http.StatusCreated)
	if r := put(admin, "  sol y mar ").wantOK(t, http.StatusOK); r["term"] != "Sol y Mar" {
		t.Errorf("putting a term again in another case: %v, want the term as first written", r)
	}
	put(admin, "Paella Valenciana/Mixta").wantOK(t, http.StatusCreated)
	list := s.staffGet(t, admin, pathGlossary).wantOK(t, http.StatusOK)["terms"].([]any)
	if len(list) != 2 || list[0].(map[string]any)["term"] != "Paella Valenciana/Mixta" {
		t.Errorf("glossary: %v", list)
	}
	put(fd, "Spa").wantStaffError(t, http.StatusForbidden, "Forbidden")
	s.staffGet(t, fd, pathGlossary).wantStaffError(t, http.StatusForbidden, "Forbidden")
	s.staffGet(t, admin, "/api/v1/properties/NOPE/glossary").wantStaffError(t, http.StatusNotFound, "PropertyNotFound")
	for _, bad := range []string{"[[0]]", strings.Repeat("x", 101), "a\tb", " "} {
		put(admin, bad).wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
	}
	s.do(t, http.MethodDelete, pathGlossary+"/"+url.PathEscape("SOL Y MAR"), nil, bearer(admin)).wantOK(t, http.StatusNoContent)
	s.do(t, http.MethodDelete, pathGlossary+"/"+url.PathEscape("Sol y Mar"), nil, bearer(admin)).wantStaffError(t, http.StatusNotFound, "GlossaryTermNotFound")
	s.do(t, http.MethodDelete, pathGlossary+"/x", nil, bearer(fd)).wantStaffError(t, http.StatusForbidden, "Forbidden")

	// The default translator is none: nothing is queued, the glossary only waits for one.
	ana := s.loginRoom(t, "101", "Garcia")
	code := s.guestConversation(t, ana, "FRONTDESK", "Hola, buenos días", nil)
	m := s.staffMessagesOf(t, fd, code)[0]
	if !reflect.DeepEqual(m["translations"], map[string]any{}) || !reflect.DeepEqual(m["translationStates"], map[string]any{}) {
		t.Errorf("with --translator none: %v", m)
	}
}

// TestTranslationSurvivesRestart: jobs queued while the provider is down outlive the server
// that queued them; the next server on the same database translates them.
func TestTranslationSurvivesRestart(t *testing.T) {
	apy := apytest.Start(t)
	dir := t.TempDir()
	args := []string{"--translator", "apertium", "--translator-url", apy.URL, "--translator-backoff", "2s"}
	s := startServer(t, serverOptions{demo: true, env: noLimits, dir: dir, args: args})
	apy.Stop()
	ana := s.loginRoom(t, "101", "Garcia")
	code := s.guestConversation(t, ana, "FRONTDESK", "Buenos días", nil)
	fd := s.staffLogin(t, "frontdesk")
	if st := s.staffMessagesOf(t, fd, code)[0]["translationStates"]; !reflect.DeepEqual(st, map[string]any{"en": "pending"}) {
		t.Fatalf("with APy down: %v", st)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}

	apy.Restart()
	s2 := startServer(t, serverOptions{demo: true, env: noLimits, dir: dir, args: args})
	fd = s2.staffLogin(t, "frontdesk")
	st := s2.openEvents(t, pathStaffEvents, bearer(fd))
	s2.Clock.Advance(time.Hour) // the retry comes due
	ev := st.wantSummaries(t, "frontdesk", "message.translated "+code+" Guest")[0]
	if m := eventMessage(t, ev); m["translations"].(map[string]any)["en"] != "Good morning" {
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
