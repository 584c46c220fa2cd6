package main

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestTranslationAfterMove: moving a conversation to an outlet whose service center reads
// another language queues the translation of the guest's messages into it (issue 6); a
// center reading the guest's own language, or one already translated to, queues nothing.
func TestTranslationAfterMove(t *testing.T) {
	s, _ := startTranslatingServer(t)
	admin := s.staffLogin(t, "admin")
	s.admin(t, admin, http.MethodPatch, pathProperties+"/DEMO/service-centers/SPA",
		map[string]any{"staffLanguage": "es"}).wantStatus(t, http.StatusOK)
	adSt := s.openEvents(t, pathStaffEvents, bearer(admin))

	// A Spanish guest at the English front office: translated to English; moved to the
	// Spanish-speaking spa, nothing more is queued.
	ana := s.loginRoom(t, "101", "Garcia")
	cAna := s.guestConversation(t, ana, "FRONTDESK", "Necesito una toalla más.", nil)
	adSt.wantSummaries(t, "admin", "conversation.updated "+cAna, "message.created "+cAna+" Guest",
		"message.translated "+cAna+" Guest")
	s.staffPost(t, admin, staffConvPath(cAna, "/move"), map[string]any{"outletCode": "SPA"}).wantOK(t, http.StatusOK)
	adSt.wantSummaries(t, "admin", "conversation.updated "+cAna)
	adSt.none(t, 500*time.Millisecond)
	if st := s.staffMessagesOf(t, admin, cAna)[0]["translationStates"]; !reflect.DeepEqual(st, map[string]any{"en": "done"}) {
		t.Errorf("after a move to a center reading the guest's language: states %v", st)
	}

	// An English guest at the English front office: nothing to translate; moved to the spa,
	// the guest's messages (not the staff reply, not the note) are translated into Spanish.
	john := s.loginRoom(t, "102", "Smith")
	cJohn := s.guestConversation(t, john, "FRONTDESK", "I would like a massage tomorrow.", nil)
	s.post(t, pathCreate+"/"+cJohn+"/Messages", map[string]any{"SessionToken": john, "Message": "Thank you very much."}).content(t, "addMessageResponse")
	s.staffPost(t, admin, staffConvPath(cJohn, "/messages"), map[string]any{"type": "Staff", "content": "Of course."}).wantOK(t, http.StatusCreated)
	s.staffPost(t, admin, staffConvPath(cJohn, "/messages"), map[string]any{"type": "Note", "content": "Ask the spa."}).wantOK(t, http.StatusCreated)
	adSt.wantSummaries(t, "admin", "conversation.updated "+cJohn, "message.created "+cJohn+" Guest",
		"message.created "+cJohn+" Guest", "message.created "+cJohn+" Staff", "message.created "+cJohn+" Note")
	adSt.none(t, 300*time.Millisecond)

	s.staffPost(t, admin, staffConvPath(cJohn, "/move"), map[string]any{"outletCode": "spa"}).wantOK(t, http.StatusOK)
	adSt.wantSummaries(t, "admin", "conversation.updated "+cJohn)
	evs := nextEvents(t, adSt, 2)
	for _, ev := range evs {
		if ev.summary() != "message.translated "+cJohn+" Guest" {
			t.Fatalf("after the move: event %s, want the translation of a guest message", ev.Raw)
		}
		m := eventMessage(t, ev)
		es, _ := m["translations"].(map[string]any)["es"].(string)
		if es == "" || es == m["content"] || !reflect.DeepEqual(m["translationStates"], map[string]any{"es": "done"}) {
			t.Errorf("translated guest message after the move: %s", ev.Raw)
		}
	}
	msgs := s.staffMessagesOf(t, admin, cJohn)
	for _, m := range msgs[2:] {
		if st := m["translationStates"].(map[string]any); len(st) != 0 {
			t.Errorf("%s message queued for translation after the move: %v", m["type"], st)
		}
	}
	if es, _ := msgs[0]["translations"].(map[string]any)["es"].(string); !strings.Contains(strings.ToLower(es), "masaje") {
		t.Errorf("Spanish translation of %q = %q", msgs[0]["content"], es)
	}

	// Moving back and again queues nothing new: the translations are there.
	s.staffPost(t, admin, staffConvPath(cJohn, "/move"), map[string]any{"outletCode": "FRONTDESK"}).wantOK(t, http.StatusOK)
	s.staffPost(t, admin, staffConvPath(cJohn, "/move"), map[string]any{"outletCode": "SPA"}).wantOK(t, http.StatusOK)
	adSt.wantSummaries(t, "admin", "conversation.updated "+cJohn, "conversation.updated "+cJohn)
	adSt.none(t, 500*time.Millisecond)
}

// TestTranslationAfterMoveOff: with --translator none (the default) a move queues nothing.
func TestTranslationAfterMoveOff(t *testing.T) {
	s := startServer(t, serverOptions{demo: true, env: noLimits})
	admin := s.staffLogin(t, "admin")
	s.admin(t, admin, http.MethodPatch, pathProperties+"/DEMO/service-centers/SPA",
		map[string]any{"staffLanguage": "fr"}).wantStatus(t, http.StatusOK)
	ana := s.loginRoom(t, "101", "Garcia")
	code := s.guestConversation(t, ana, "FRONTDESK", "Necesito una toalla más.", nil)
	s.staffPost(t, admin, staffConvPath(code, "/move"), map[string]any{"outletCode": "SPA"}).wantOK(t, http.StatusOK)
	if st := s.staffMessagesOf(t, admin, code)[0]["translationStates"].(map[string]any); len(st) != 0 {
		t.Errorf("translation off: states after a move %v, want none", st)
	}
}
