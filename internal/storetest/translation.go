package storetest

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"concierge/internal/concierge"
)

// testTranslations covers TranslationStore: jobs written with their messages (every message
// write), claims and leases, outcomes with their events and search index, the cache and the
// glossary.
func testTranslations(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	pl := mustPlace(t, s, "TR")
	pid := pl.Property.ID
	st := mustStay(t, s, pid, "101", "2025-01-10", "2025-01-20")
	l := &eventLog{s: s}
	latest, err := s.LatestEventSeq(ctx)
	noErr(t, "LatestEventSeq", err)
	l.after = latest

	// Nothing is due on an empty queue.
	jobs, err := s.ClaimTranslations(ctx, at(100), time.Minute, 10)
	noErr(t, "ClaimTranslations on an empty queue", err)
	wantEqual(t, "jobs of an empty queue", jobs, nil)
	wantQueue(t, s, 0, time.Time{})

	// Jobs are written with their messages: Conversations.Create and AddMessage, Orders.Save
	// (which asks its translateTo for a System message's target).
	var asked []string
	orders := concierge.NewOrders(s, func(textLang, guestLang string) string {
		asked = append(asked[:0], textLang, guestLang)
		return "it"
	})
	saved, err := orders.Save(ctx, []concierge.Order{{PropertyID: pid, Code: code("ORD"), StayID: &st.ID,
		Status: concierge.OrderPending}}, t0)
	noErr(t, "Save insert", err)
	c := conversation(pl.Outlet, &st.ID, nil)
	c.OrderID, c.GuestLanguage = &saved[0].Order.ID, "en"
	first := message(concierge.MessageGuest, 1)
	first.Content, first.Language, first.TranslateTo = "Quiero más toallas", "es", "en"
	noErr(t, "CreateConversation", concierge.NewConversations(s).Create(ctx, &c, &first))
	reply := message(concierge.MessageStaff, 2)
	reply.ConversationID, reply.Content, reply.Language, reply.TranslateTo = c.ID, "They are on their way", "en", "es"
	noErr(t, "AddMessage", concierge.NewConversations(s).AddMessage(ctx, &reply, concierge.ConversationOpen, at(2)))
	plain := message(concierge.MessageNote, 3)
	plain.ConversationID = c.ID
	noErr(t, "AddMessage without translation", concierge.NewConversations(s).AddMessage(ctx, &plain, concierge.ConversationOpen, at(3)))
	changed := saved[0].Order
	changed.Status = concierge.OrderDelivering
	saved, err = orders.Save(ctx, []concierge.Order{changed}, at(4))
	noErr(t, "Save with a System message", err)
	if len(saved[0].Messages) != 1 {
		t.Fatalf("Save posted %+v", saved[0].Messages)
	}
	sys := *saved[0].Messages[0]
	wantEqual(t, "translateTo asked", asked, []string{"en", "en"})
	l.next(t, pid)

	pending := func(m concierge.Message, minute int) concierge.Translation {
		return concierge.Translation{MessageID: m.ID, Language: m.TranslateTo, Source: m.Language,
			State: concierge.TranslationPending, NextAttemptAt: at(minute), UpdatedAt: at(minute)}
	}
	trs, err := s.Translations(ctx, []int64{sys.ID, first.ID, plain.ID, reply.ID, c.ID + 99999})
	noErr(t, "Translations", err)
	wantEqual(t, "queued translations, by message id", trs, sortedByMessage([]concierge.Translation{
		pending(first, 1), pending(reply, 2), pending(sys, 4)}))
	trs, err = s.Translations(ctx, nil)
	noErr(t, "Translations of no message", err)
	wantEqual(t, "Translations of no message", trs, nil)

	// Claims: due jobs only, earliest due first, at most limit; a claimed job is leased.
	jobs, err = s.ClaimTranslations(ctx, at(2), time.Minute, 10)
	noErr(t, "ClaimTranslations", err)
	wantEqual(t, "jobs due at minute 2", jobs, []concierge.TranslationJob{
		{MessageID: first.ID, ConversationID: c.ID, PropertyID: pid, Text: first.Content, Source: "es", Target: "en", Attempts: 1},
		{MessageID: reply.ID, ConversationID: c.ID, PropertyID: pid, Text: reply.Content, Source: "en", Target: "es", Attempts: 1},
	})
	jobs, err = s.ClaimTranslations(ctx, at(2), time.Minute, 10)
	noErr(t, "ClaimTranslations again", err)
	wantEqual(t, "leased jobs are not claimed again", jobs, nil)
	jobs, err = s.ClaimTranslations(ctx, at(10), time.Minute, 1)
	noErr(t, "ClaimTranslations after the lease", err)
	if len(jobs) != 1 || jobs[0].MessageID != first.ID || jobs[0].Attempts != 2 {
		t.Errorf("claim after the lease = %+v, want the first message's job, attempt 2", jobs)
	}

	// A retry: Pending with an error and a next attempt, no event.
	noErr(t, "FinishTranslation retry", concierge.NewTranslations(s).Finish(ctx, first.ID, "en", concierge.TranslationOutcome{
		State: concierge.TranslationPending, Error: "connection refused", NextAttemptAt: at(20), At: at(10)}))
	wantEqual(t, "events of a retry", l.next(t, pid), []kindOf{})
	trs, err = s.Translations(ctx, []int64{first.ID})
	noErr(t, "Translations", err)
	wantEqual(t, "a translation waiting for a retry", trs, []concierge.Translation{{MessageID: first.ID, Language: "en",
		Source: "es", State: concierge.TranslationPending, Attempts: 2, LastError: "connection refused",
		NextAttemptAt: at(20), UpdatedAt: at(10)}})

	// Done: stored, searchable, message.translated.
	noErr(t, "FinishTranslation done", concierge.NewTranslations(s).Finish(ctx, reply.ID, "es", concierge.TranslationOutcome{
		State: concierge.TranslationDone, Content: "Están en camino", At: at(11)}))
	wantEqual(t, "events of a translation", l.next(t, pid), []kindOf{{concierge.EventMessageTranslated, c.ID, reply.ID}})
	wantQueue(t, s, 2, first.CreatedAt) // first's retry and sys are still waiting
	items, err := s.Inbox(ctx, concierge.InboxQuery{Scope: concierge.InboxScope{All: true}, Terms: []string{"estan", "camino"}})
	noErr(t, "Inbox search of a translation", err)
	if len(items) != 1 || items[0].ID != c.ID {
		t.Errorf("search for the translation found %d conversations, want the one", len(items))
	}
	wantErr(t, "FinishTranslation of a finished job", concierge.NewTranslations(s).Finish(ctx, reply.ID, "es", concierge.TranslationOutcome{
		State: concierge.TranslationDone, Content: "otra", At: at(12)}), concierge.ErrNotFound)
	wantErr(t, "FinishTranslation of an unknown job", concierge.NewTranslations(s).Finish(ctx, reply.ID, "fr", concierge.TranslationOutcome{
		State: concierge.TranslationDone, Content: "x", At: at(12)}), concierge.ErrNotFound)
	wantEqual(t, "events of refused outcomes", l.next(t, pid), []kindOf{})

	// Final failures: Unsupported and Failed keep the error and append message.translated.
	jobs, err = s.ClaimTranslations(ctx, at(30), time.Minute, 10)
	noErr(t, "ClaimTranslations", err)
	if len(jobs) != 2 {
		t.Fatalf("claimed %d jobs at minute 30, want 2", len(jobs))
	}
	noErr(t, "FinishTranslation unsupported", concierge.NewTranslations(s).Finish(ctx, sys.ID, "it", concierge.TranslationOutcome{
		State: concierge.TranslationUnsupported, Error: "no en→it pair", At: at(31)}))
	noErr(t, "FinishTranslation failed", concierge.NewTranslations(s).Finish(ctx, first.ID, "en", concierge.TranslationOutcome{
		State: concierge.TranslationFailed, Error: "timeout", At: at(32)}))
	wantEqual(t, "events of final failures", l.next(t, pid), []kindOf{
		{concierge.EventMessageTranslated, c.ID, sys.ID}, {concierge.EventMessageTranslated, c.ID, first.ID}})
	trs, err = s.Translations(ctx, []int64{first.ID, reply.ID, sys.ID})
	noErr(t, "Translations", err)
	wantEqual(t, "final translations", trs, sortedByMessage([]concierge.Translation{
		{MessageID: first.ID, Language: "en", Source: "es", State: concierge.TranslationFailed, Attempts: 3,
			LastError: "timeout", NextAttemptAt: at(32), UpdatedAt: at(32)},
		{MessageID: reply.ID, Language: "es", Source: "en", State: concierge.TranslationDone, Content: "Están en camino",
			Attempts: 1, NextAttemptAt: at(11), UpdatedAt: at(11)},
		{MessageID: sys.ID, Language: "it", Source: "en", State: concierge.TranslationUnsupported, Attempts: 1,
			LastError: "no en→it pair", NextAttemptAt: at(31), UpdatedAt: at(31)},
	}))
	jobs, err = s.ClaimTranslations(ctx, at(1000), time.Minute, 10)
	noErr(t, "ClaimTranslations", err)
	wantEqual(t, "finished jobs are never claimed", jobs, nil)
	if err := concierge.NewTranslations(s).Finish(ctx, first.ID, "en", concierge.TranslationOutcome{State: "bogus", At: at(40)}); err == nil {
		t.Error("FinishTranslation with an unknown state succeeded")
	}

	// QueueTranslations: a new language of an existing message is queued; a language the
	// message already has (any state) and a message that is gone are skipped.
	queue := func(ts []concierge.Translation) (n int, err error) {
		err = s.Write(ctx, func(tx concierge.Tx) error {
			n, err = tx.QueueTranslations(ctx, ts)
			return err
		})
		return n, err
	}
	n, err := queue([]concierge.Translation{
		{MessageID: first.ID, Language: "fr", Source: "es", NextAttemptAt: at(50)},
		{MessageID: first.ID, Language: "en", Source: "es", NextAttemptAt: at(50)},
		{MessageID: reply.ID, Language: "es", Source: "en", NextAttemptAt: at(50)},
		{MessageID: sys.ID + 99999, Language: "fr", Source: "en", NextAttemptAt: at(50)},
	})
	noErr(t, "QueueTranslations", err)
	wantEqual(t, "QueueTranslations count", n, 1)
	n, err = queue(nil)
	noErr(t, "QueueTranslations of nothing", err)
	wantEqual(t, "QueueTranslations of nothing", n, 0)
	wantEqual(t, "events of queued translations", l.next(t, pid), []kindOf{})
	trs, err = s.Translations(ctx, []int64{first.ID})
	noErr(t, "Translations", err)
	if len(trs) != 2 || trs[0].Language != "en" || trs[0].State != concierge.TranslationFailed {
		t.Errorf("translations of the first message after QueueTranslations = %+v, want en failed kept", trs)
	}
	jobs, err = s.ClaimTranslations(ctx, at(50), time.Minute, 10)
	noErr(t, "ClaimTranslations of a queued translation", err)
	wantEqual(t, "the queued job", jobs, []concierge.TranslationJob{
		{MessageID: first.ID, ConversationID: c.ID, PropertyID: pid, Text: first.Content, Source: "es", Target: "fr", Attempts: 1}})
	noErr(t, "FinishTranslation of a queued job", concierge.NewTranslations(s).Finish(ctx, first.ID, "fr", concierge.TranslationOutcome{
		State: concierge.TranslationDone, Content: "Je veux plus de serviettes", At: at(51)}))
	wantEqual(t, "events of a queued job done", l.next(t, pid), []kindOf{{concierge.EventMessageTranslated, c.ID, first.ID}})

	testTranslationClaimsConcurrent(t, s, pl, st)
	testTranslationCache(t, s)
	testGlossary(t, s, pid)
}

// sortedByMessage orders translations by message id then language.
// wantQueue checks the store's TranslationQueue.
func wantQueue(t *testing.T, s concierge.Store, pending int, oldest time.Time) {
	t.Helper()
	q, err := s.TranslationQueue(t.Context())
	noErr(t, "TranslationQueue", err)
	if q.Pending != pending || !q.Oldest.Equal(oldest) {
		t.Errorf("TranslationQueue = %d pending, oldest %v; want %d, %v", q.Pending, q.Oldest, pending, oldest)
	}
}

func sortedByMessage(trs []concierge.Translation) []concierge.Translation {
	out := append([]concierge.Translation(nil), trs...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j].MessageID < out[i].MessageID || (out[j].MessageID == out[i].MessageID && out[j].Language < out[i].Language) {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// testTranslationClaimsConcurrent checks that concurrent claimants never share a job.
func testTranslationClaimsConcurrent(t *testing.T, s concierge.Store, pl place, st concierge.Stay) {
	ctx := t.Context()
	c := conversation(pl.Outlet, &st.ID, nil)
	noErr(t, "CreateConversation", concierge.NewConversations(s).Create(ctx, &c, nil))
	const n = 20
	for i := range n {
		m := message(concierge.MessageGuest, 50)
		m.ConversationID, m.TranslateTo = c.ID, "en"
		noErr(t, "AddMessage", concierge.NewConversations(s).AddMessage(ctx, &m, concierge.ConversationOpen, at(50+i)))
	}
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				jobs, err := s.ClaimTranslations(ctx, at(60), time.Hour, 3)
				if err != nil {
					t.Errorf("ClaimTranslations: %v", err)
					return
				}
				if len(jobs) == 0 {
					return
				}
				mu.Lock()
				for _, j := range jobs {
					seen[j.MessageID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != n {
		t.Errorf("concurrent claims took %d distinct jobs, want %d", len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("job of message %d claimed %d times", id, k)
		}
	}
}

func testTranslationCache(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	_, err := s.CachedTranslation(ctx, "es", "en", "hola")
	wantErr(t, "CachedTranslation of an unknown text", err, concierge.ErrNotFound)
	noErr(t, "CacheTranslation", s.CacheTranslation(ctx, "es", "en", "hola", "hello", t0))
	long := strings.Repeat("más toallas ", 400)
	noErr(t, "CacheTranslation of a long text", s.CacheTranslation(ctx, "es", "en", long, "more towels", t0))
	for _, tc := range []struct{ src, dst, text, want string }{
		{"es", "en", "hola", "hello"}, {"es", "en", long, "more towels"},
	} {
		got, err := s.CachedTranslation(ctx, tc.src, tc.dst, tc.text)
		noErr(t, "CachedTranslation", err)
		if got != tc.want {
			t.Errorf("CachedTranslation(%s→%s) = %q, want %q", tc.src, tc.dst, got, tc.want)
		}
	}
	for _, tc := range []struct{ src, dst, text string }{{"en", "es", "hola"}, {"es", "fr", "hola"}, {"es", "en", "Hola"}} {
		_, err := s.CachedTranslation(ctx, tc.src, tc.dst, tc.text)
		wantErr(t, "CachedTranslation under another key", err, concierge.ErrNotFound)
	}
	noErr(t, "CacheTranslation replacing", s.CacheTranslation(ctx, "es", "en", "hola", "hi", at(1)))
	got, err := s.CachedTranslation(ctx, "es", "en", "hola")
	noErr(t, "CachedTranslation", err)
	if got != "hi" {
		t.Errorf("replaced cache entry = %q, want hi", got)
	}
}

func testGlossary(t *testing.T, s concierge.Store, pid int64) {
	ctx := t.Context()
	other := mustProperty(t, s, code("GL"))
	terms, err := s.GlossaryTerms(ctx, pid)
	noErr(t, "GlossaryTerms", err)
	wantEqual(t, "an empty glossary", terms, nil)
	for _, term := range []string{"Sol y Mar", "Paella Valenciana", "Ñandú Bar"} {
		created, err := s.PutGlossaryTerm(ctx, &concierge.GlossaryTerm{PropertyID: pid, Term: term, CreatedAt: t0})
		noErr(t, "PutGlossaryTerm", err)
		if !created {
			t.Errorf("PutGlossaryTerm(%q) created = false, want true", term)
		}
	}
	created, err := s.PutGlossaryTerm(ctx, &concierge.GlossaryTerm{PropertyID: pid, Term: "SOL Y MAR", CreatedAt: at(1)})
	noErr(t, "PutGlossaryTerm of a term in another case", err)
	if created {
		t.Error("PutGlossaryTerm of a term already there (other case) created = true")
	}
	_, err = s.PutGlossaryTerm(ctx, &concierge.GlossaryTerm{PropertyID: other.ID, Term: "Sol y Mar", CreatedAt: t0})
	noErr(t, "PutGlossaryTerm at another property", err)
	terms, err = s.GlossaryTerms(ctx, pid)
	noErr(t, "GlossaryTerms", err)
	wantEqual(t, "glossary by term", terms, []concierge.GlossaryTerm{
		{PropertyID: pid, Term: "Paella Valenciana", CreatedAt: t0},
		{PropertyID: pid, Term: "Sol y Mar", CreatedAt: t0},
		{PropertyID: pid, Term: "Ñandú Bar", CreatedAt: t0},
	})
	noErr(t, "DeleteGlossaryTerm (other case)", s.DeleteGlossaryTerm(ctx, pid, "sol Y mar"))
	err = s.DeleteGlossaryTerm(ctx, pid, "Sol y Mar")
	if !errors.Is(err, concierge.ErrNotFound) {
		t.Errorf("DeleteGlossaryTerm of a deleted term: %v, want ErrNotFound", err)
	}
	terms, err = s.GlossaryTerms(ctx, other.ID)
	noErr(t, "GlossaryTerms of the other property", err)
	if len(terms) != 1 {
		t.Errorf("the other property's glossary has %d terms, want 1 (deletes stay per property)", len(terms))
	}
}
