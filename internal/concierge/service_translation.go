package concierge

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxGlossaryTermLength is the most characters a glossary term may hold.
const MaxGlossaryTermLength = 100

// translationTarget returns the language a message written in from must be translated to for
// a reader of language to, or "" when none is needed: translation is off, either language is
// unknown, or both are the same language (es-MX reads es).
func (s *Service) translationTarget(from, to string) string {
	if !s.translation {
		return ""
	}
	f, ok1 := NormalizeLanguage(from)
	t, ok2 := NormalizeLanguage(to)
	if !ok1 || !ok2 || f == t {
		return ""
	}
	return t
}

// translationsForMove returns, for a conversation about to move to an outlet of service
// center scID, the translations of its Guest messages into that center's staff language:
// those written in another language (Conversations.Move skips the ones it already has). None
// when translation is off; a failure to read is logged, and the move goes on without them.
func (s *Service) translationsForMove(ctx context.Context, conversationID, scID int64, now time.Time) []Translation {
	if !s.translation {
		return nil
	}
	sc, err := s.store.ServiceCenterByID(ctx, scID)
	if err != nil {
		s.logger.ErrorContext(ctx, "translations for move: service center", "conversation_id", conversationID, "err", err)
		return nil
	}
	msgs, err := s.store.ConversationMessages(ctx, conversationID, false)
	if err != nil {
		s.logger.ErrorContext(ctx, "translations for move: messages", "conversation_id", conversationID, "err", err)
		return nil
	}
	var jobs []Translation
	for _, m := range msgs {
		if m.Type != MessageGuest {
			continue
		}
		if to := s.translationTarget(m.Language, sc.StaffLanguage); to != "" {
			jobs = append(jobs, Translation{MessageID: m.ID, Language: to, Source: m.Language,
				State: TranslationPending, NextAttemptAt: now, UpdatedAt: now})
		}
	}
	return jobs
}

// pendingTranslation is what a just-written message shows of its queued translation.
func pendingTranslation(m *Message) {
	if m.TranslateTo != "" {
		m.Translations = []Translation{{MessageID: m.ID, Language: m.TranslateTo, Source: m.Language,
			State: TranslationPending, NextAttemptAt: m.CreatedAt, UpdatedAt: m.CreatedAt}}
	}
}

// guestLanguage is the language a conversation's guest reads (SPEC §7): the language of the
// session that opened it (itself the session's choice, then the stay's, then the property's),
// else the stay's, else the property's default.
func (s *Service) guestLanguage(ctx context.Context, c Conversation) (string, error) {
	if c.GuestLanguage != "" {
		return c.GuestLanguage, nil
	}
	if c.StayID != nil {
		st, err := s.store.StayByID(ctx, *c.StayID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return "", s.internal(ctx, "stay by id", err)
		}
		if err == nil && st.Language != "" {
			return st.Language, nil
		}
	}
	prop, err := s.store.PropertyByID(ctx, c.PropertyID)
	if err != nil {
		return "", s.internal(ctx, "property by id", err)
	}
	return prop.DefaultLanguage, nil
}

// withTranslations loads the translations of msgs into them.
func (s *Service) withTranslations(ctx context.Context, msgs []Message) error {
	if len(msgs) == 0 {
		return nil
	}
	ids := make([]int64, len(msgs))
	for i, m := range msgs {
		ids[i] = m.ID
	}
	trs, err := s.store.Translations(ctx, ids)
	if err != nil {
		return s.internal(ctx, "translations", err)
	}
	if len(trs) == 0 {
		return nil
	}
	byMsg := map[int64][]Translation{}
	for _, t := range trs {
		byMsg[t.MessageID] = append(byMsg[t.MessageID], t)
	}
	for i := range msgs {
		msgs[i].Translations = byMsg[msgs[i].ID]
	}
	return nil
}

// withGuestTranslations loads the translations of guest messages and picks the one each
// shows to a guest reading lang.
func (s *Service) withGuestTranslations(ctx context.Context, gms []GuestMessage, lang string) error {
	msgs := make([]Message, len(gms))
	for i := range gms {
		msgs[i] = gms[i].Message
	}
	if err := s.withTranslations(ctx, msgs); err != nil {
		return err
	}
	for i := range gms {
		gms[i].Message = msgs[i]
		showFor(&gms[i], lang)
	}
	return nil
}

// showFor sets what a guest reading lang sees of a message (SPEC §4.4): the done translation
// into lang of a Staff or System message written in another language; otherwise (their own
// messages, no translation yet) the original.
func showFor(gm *GuestMessage, lang string) {
	gm.Shown = nil
	if gm.Type == MessageGuest || gm.Type == MessageNote {
		return
	}
	want, ok := NormalizeLanguage(lang)
	if !ok {
		return
	}
	if orig, ok := NormalizeLanguage(gm.Language); ok && orig == want {
		return
	}
	for i, t := range gm.Translations {
		if t.State == TranslationDone && t.Language == want {
			gm.Shown = &gm.Translations[i]
			return
		}
	}
}

// checkGlossaryTerm validates a glossary term and returns it trimmed: required, valid UTF-8,
// at most MaxGlossaryTermLength characters, no control characters, no "[[" (the placeholder's
// mark).
func checkGlossaryTerm(v *Validation, term string) string {
	if !utf8.ValidString(term) {
		v.Add("term", "must be valid UTF-8")
		return ""
	}
	term = strings.TrimSpace(term)
	switch {
	case term == "":
		v.Add("term", "is required")
	case utf8.RuneCountInString(term) > MaxGlossaryTermLength:
		v.Add("term", "must be at most 100 characters")
	case strings.IndexFunc(term, unicode.IsControl) >= 0:
		v.Add("term", "must not contain control characters")
	case strings.Contains(term, "[[") || strings.Contains(term, "]]"):
		v.Add("term", `must not contain "[[" or "]]"`)
	}
	return term
}

// glossaryProperty resolves the property whose glossary p manages: Forbidden unless p is an
// admin or a manager; PropertyNotFound when it is unknown or not p's.
func (s *Service) glossaryProperty(ctx context.Context, p *Principal, code string) (Property, error) {
	if p == nil || (p.Role != RoleAdmin && p.Role != RoleManager) {
		return Property{}, Errorf(CodeForbidden, "Only managers and administrators may manage the glossary.")
	}
	return s.visibleProperty(ctx, p, code)
}

// GlossaryTerms lists the glossary of the property with code: the terms kept verbatim in
// translations, by term. Errors: Forbidden (agents); PropertyNotFound.
func (s *Service) GlossaryTerms(ctx context.Context, p *Principal, propertyCode string) ([]GlossaryTerm, error) {
	prop, err := s.glossaryProperty(ctx, p, propertyCode)
	if err != nil {
		return nil, err
	}
	terms, err := s.store.GlossaryTerms(ctx, prop.ID)
	if err != nil {
		return nil, s.internal(ctx, "glossary terms", err)
	}
	return terms, nil
}

// PutGlossaryTerm adds a term to the glossary of the property with code and reports whether it
// was new (a term already there in any case is kept as it was). Errors, in this order:
// Forbidden (agents); ValidationFailed (field term: see checkGlossaryTerm); PropertyNotFound.
func (s *Service) PutGlossaryTerm(ctx context.Context, p *Principal, propertyCode, term string) (GlossaryTerm, bool, error) {
	if p == nil || (p.Role != RoleAdmin && p.Role != RoleManager) {
		return GlossaryTerm{}, false, Errorf(CodeForbidden, "Only managers and administrators may manage the glossary.")
	}
	var v Validation
	term = checkGlossaryTerm(&v, term)
	if err := v.Err(); err != nil {
		return GlossaryTerm{}, false, err
	}
	prop, err := s.glossaryProperty(ctx, p, propertyCode)
	if err != nil {
		return GlossaryTerm{}, false, err
	}
	g := GlossaryTerm{PropertyID: prop.ID, Term: term, CreatedAt: s.now()}
	created, err := s.store.PutGlossaryTerm(ctx, &g)
	if err != nil {
		return GlossaryTerm{}, false, s.internal(ctx, "put glossary term", err)
	}
	if !created {
		terms, err := s.store.GlossaryTerms(ctx, prop.ID)
		if err != nil {
			return GlossaryTerm{}, false, s.internal(ctx, "glossary terms", err)
		}
		for _, t := range terms {
			if strings.EqualFold(t.Term, term) {
				g = t
			}
		}
	} else {
		s.logger.InfoContext(ctx, "glossary term added", "property", prop.Code, "by", p.String())
	}
	return g, created, nil
}

// DeleteGlossaryTerm removes a term (any case) from the glossary of the property with code.
// Errors: Forbidden (agents); PropertyNotFound; GlossaryTermNotFound.
func (s *Service) DeleteGlossaryTerm(ctx context.Context, p *Principal, propertyCode, term string) error {
	prop, err := s.glossaryProperty(ctx, p, propertyCode)
	if err != nil {
		return err
	}
	term = strings.TrimSpace(term)
	err = s.store.DeleteGlossaryTerm(ctx, prop.ID, term)
	if errors.Is(err, ErrNotFound) || (err == nil && term == "") {
		return Errorf(CodeGlossaryTermNotFound, "The glossary of '%s' has no term '%s'.", prop.Code, term)
	}
	if err != nil {
		return s.internal(ctx, "delete glossary term", err)
	}
	s.logger.InfoContext(ctx, "glossary term removed", "property", prop.Code, "by", p.String())
	return nil
}
