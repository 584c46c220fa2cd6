package concierge

import (
	"strings"
	"testing"
)

func TestTranslationTarget(t *testing.T) {
	t.Parallel()
	on, off := &Service{translation: true}, &Service{}
	for _, c := range []struct{ from, to, want string }{
		{"es", "en", "en"}, {"es-MX", "en-GB", "en"}, {"ES", "es-mx", ""}, {"en", "en", ""},
		{"", "en", ""}, {"es", "", ""}, {"xx-notalang", "en", ""}, {"de", "fr-CA", "fr"},
	} {
		if got := on.translationTarget(c.from, c.to); got != c.want {
			t.Errorf("translationTarget(%q, %q) = %q, want %q", c.from, c.to, got, c.want)
		}
		if got := off.translationTarget(c.from, c.to); got != "" {
			t.Errorf("with translation off, translationTarget(%q, %q) = %q", c.from, c.to, got)
		}
	}
}

func TestShowFor(t *testing.T) {
	t.Parallel()
	trs := []Translation{
		{Language: "fr", State: TranslationDone, Content: "Bonjour"},
		{Language: "es", State: TranslationDone, Content: "Buenos días"},
		{Language: "de", State: TranslationPending},
	}
	for _, c := range []struct {
		typ      MessageType
		orig     string
		lang     string
		want     string // "" : the original
		withTrs  bool
		describe string
	}{
		{MessageStaff, "en", "es", "Buenos días", true, "staff reply, done"},
		{MessageSystem, "en", "es-MX", "Buenos días", true, "system message, regional tag"},
		{MessageStaff, "en", "de", "", true, "pending: the original"},
		{MessageStaff, "en", "it", "", true, "no translation: the original"},
		{MessageStaff, "es", "es", "", true, "already in the guest's language"},
		{MessageGuest, "en", "es", "", true, "the guest's own message"},
		{MessageStaff, "en", "es", "", false, "nothing loaded"},
		{MessageStaff, "en", "bogus!", "", true, "unknown guest language"},
	} {
		gm := GuestMessage{Message: Message{Type: c.typ, Language: c.orig, Content: "Good morning"}}
		if c.withTrs {
			gm.Translations = trs
		}
		showFor(&gm, c.lang)
		got := ""
		if gm.Shown != nil {
			got = gm.Shown.Content
		}
		if got != c.want {
			t.Errorf("%s: shown %q, want %q", c.describe, got, c.want)
		}
	}
}

func TestCheckGlossaryTerm(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"  Sol y Mar ", "Sol y Mar", true}, {"Ñandú", "Ñandú", true}, {strings.Repeat("é", 100), strings.Repeat("é", 100), true},
		{"", "", false}, {"   ", "", false}, {strings.Repeat("x", 101), "", false}, {"a\nb", "", false},
		{"[[0]]", "", false}, {"a]]", "", false}, {"bad\xff", "", false}, {"nul\x00", "", false},
	} {
		var v Validation
		got := checkGlossaryTerm(&v, c.in)
		if (v.Err() == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("checkGlossaryTerm(%q) = %q, %v; want %q ok=%v", c.in, got, v.Err(), c.want, c.ok)
		}
	}
}
