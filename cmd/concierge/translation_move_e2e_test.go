package main

import (
	"maps"
	"strings"
	"testing"
	"time"

	"concierge/api"
)

// TestTranslationAfterMove: moving a conversation to an outlet whose service center reads
// another language queues the translation of the guest's messages into it (issue 6); a
// center reading the guest's own language, or one already translated to, queues nothing.
func TestTranslationAfterMove(t *testing.T) {
	t.Parallel()
	s, _ := startTranslatingServer(t)
	ctx := t.Context()
	admin := s.loggedIn(t, "admin")
	need(admin.UpdateServiceCenter(ctx, "DEMO", "SPA", api.ServiceCenterRequest{StaffLanguage: ptr("es")}))(t)
	adSt := s.openEvents(t, pathStaffEvents, bearer(admin.Token()))

	// A Spanish guest at the English front office: translated to English; moved to the
	// Spanish-speaking spa, nothing more is queued.
	ana := s.roomGuest(t, "101", "Garcia")
	cAna := ana.open(t, "FRONTDESK", "Necesito una toalla más.")
	adSt.wantSummaries(t, "admin", "conversation.updated "+cAna, "message.created "+cAna+" Guest",
		"message.translated "+cAna+" Guest")
	need(admin.Move(ctx, cAna, "SPA"))(t)
	adSt.wantSummaries(t, "admin", "conversation.updated "+cAna)
	adSt.none(t, 500*time.Millisecond)
	if st := admin.messages(t, cAna)[0].TranslationStates; !maps.Equal(st, map[string]string{"en": "done"}) {
		t.Errorf("after a move to a center reading the guest's language: states %v", st)
	}

	// An English guest at the English front office: nothing to translate; moved to the spa,
	// the guest's messages (not the staff reply, not the note) are translated into Spanish.
	john := s.roomGuest(t, "102", "Smith")
	cJohn := john.open(t, "FRONTDESK", "I would like a massage tomorrow.")
	need(john.AddMessage(ctx, cJohn, "Thank you very much.", ""))(t)
	admin.reply(t, cJohn, "Staff", "Of course.")
	admin.reply(t, cJohn, "Note", "Ask the spa.")
	adSt.wantSummaries(t, "admin", "conversation.updated "+cJohn, "message.created "+cJohn+" Guest",
		"message.created "+cJohn+" Guest", "message.created "+cJohn+" Staff", "message.created "+cJohn+" Note")
	adSt.none(t, 300*time.Millisecond)

	need(admin.Move(ctx, cJohn, "spa"))(t)
	adSt.wantSummaries(t, "admin", "conversation.updated "+cJohn)
	evs := nextEvents(t, adSt, 2)
	for _, ev := range evs {
		if ev.summary() != "message.translated "+cJohn+" Guest" {
			t.Fatalf("after the move: event %s, want the translation of a guest message", ev.Raw)
		}
		m := eventMessage(t, ev)
		es := m.Translations["es"]
		if es == "" || es == m.Content || !maps.Equal(m.TranslationStates, map[string]string{"es": "done"}) {
			t.Errorf("translated guest message after the move: %s", ev.Raw)
		}
	}
	msgs := admin.messages(t, cJohn)
	for _, m := range msgs[2:] {
		if st := m.TranslationStates; len(st) != 0 {
			t.Errorf("%s message queued for translation after the move: %v", m.Type, st)
		}
	}
	if es := msgs[0].Translations["es"]; !strings.Contains(strings.ToLower(es), "masaje") {
		t.Errorf("Spanish translation of %q = %q", msgs[0].Content, es)
	}

	// Moving back and again queues nothing new: the translations are there.
	need(admin.Move(ctx, cJohn, "FRONTDESK"))(t)
	need(admin.Move(ctx, cJohn, "SPA"))(t)
	adSt.wantSummaries(t, "admin", "conversation.updated "+cJohn, "conversation.updated "+cJohn)
	adSt.none(t, 500*time.Millisecond)
}

// TestTranslationAfterMoveOff: with --translator none (the default) a move queues nothing.
func TestTranslationAfterMoveOff(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true, env: noLimits})
	ctx := t.Context()
	admin := s.loggedIn(t, "admin")
	need(admin.UpdateServiceCenter(ctx, "DEMO", "SPA", api.ServiceCenterRequest{StaffLanguage: ptr("fr")}))(t)
	code := s.roomGuest(t, "101", "Garcia").open(t, "FRONTDESK", "Necesito una toalla más.")
	need(admin.Move(ctx, code, "SPA"))(t)
	if st := admin.messages(t, code)[0].TranslationStates; len(st) != 0 {
		t.Errorf("translation off: states after a move %v, want none", st)
	}
}
