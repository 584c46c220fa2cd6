package concierge

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits of the staff inbox.
const (
	// DefaultInboxLimit is the page length of the inbox when the caller gives none.
	DefaultInboxLimit = 50
	// maxSearchLength bounds the inbox search text (characters).
	maxSearchLength = 200
	// maxSearchTerms bounds the words of an inbox search.
	maxSearchTerms = 10
	// InboxPreviewLength is how many characters of its last message the inbox shows; a
	// longer message is cut there (on a character boundary) and ends with "…".
	InboxPreviewLength = 200
)

// InboxFilter is what a staff caller asks of the inbox. Every field is optional; strings are
// as the caller sent them and are checked by Service.Inbox.
type InboxFilter struct {
	Property      string // property code
	ServiceCenter string // service center code
	Outlet        string // outlet code
	Status        string // "Open" or "Closed", any case
	Assignee      string // "me", "nobody" or "anyone" (the default), any case
	Unread        string // "true" or "false"
	Q             string // full-text search over message text
	After         *InboxPosition
	Limit         int // 1 to MaxPageLength; 0: DefaultInboxLimit
}

// StaffMessage is a message as staff see it, with its conversation's code and the username of
// its staff author.
type StaffMessage struct {
	Message
	ConversationCode string
	AuthorUsername   string // the staff user who wrote a Staff message or Note; "" otherwise
}

// StaffConversation is a conversation as staff see it: where it is, who it belongs to, who it
// is assigned to, its counters, and (from StaffConversation only) its messages with Notes.
type StaffConversation struct {
	ConversationDetail
	Stay          *Stay      // the verified guest's stay, if any
	Guest         *Guest     // the non-verified identity, if any
	Assignee      *StaffUser // nil when unassigned
	UnreadCount   int        // Guest messages not read by staff
	LastMessageAt time.Time  // creation time of the last message (any type) in sequence order; zero when none
	Messages      []StaffMessage
}

// scopeOf returns the inbox scope of a principal: admins all, managers their properties,
// agents their service centers, any other role nothing.
func scopeOf(p *Principal) InboxScope {
	if p == nil {
		return InboxScope{}
	}
	switch p.Role {
	case RoleAdmin:
		return InboxScope{All: true}
	case RoleManager:
		return InboxScope{PropertyIDs: p.PropertyIDs}
	case RoleAgent:
		return InboxScope{ServiceCenterIDs: p.ServiceCenterIDs()}
	}
	return InboxScope{}
}

// searchTerms splits a search text into words (letters and digits), lower-cased.
func searchTerms(q string) []string {
	return strings.FieldsFunc(strings.ToLower(q), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
	})
}

// inboxPreview shortens a message to InboxPreviewLength characters (runes), followed by "…"
// when it was longer.
func inboxPreview(s string) string {
	n := 0
	for i := range s {
		if n == InboxPreviewLength {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// Inbox lists a page of the conversations p may see that match f, most recently active first
// (last activity: the conversation's updated time, which messages, status changes, assignments
// and moves set and reading does not; then id), and reports whether more follow. Each item
// carries its last message (Notes included: staff see them), its content shortened by
// inboxPreview.
// Errors: ValidationFailed (fields property, serviceCenter, outlet, status, assignee, unread,
// q, limit; "me" needs a staff user, not an API key).
func (s *Service) Inbox(ctx context.Context, p *Principal, f InboxFilter) ([]InboxItem, bool, error) {
	var v Validation
	checkShortText(&v, "property", f.Property, false)
	checkShortText(&v, "serviceCenter", f.ServiceCenter, false)
	checkShortText(&v, "outlet", f.Outlet, false)
	q := InboxQuery{Scope: scopeOf(p), PropertyCode: strings.TrimSpace(f.Property),
		ServiceCenterCode: strings.TrimSpace(f.ServiceCenter), OutletCode: strings.TrimSpace(f.Outlet), After: f.After}
	if st := strings.TrimSpace(f.Status); st != "" {
		var ok bool
		if q.Status, ok = ParseConversationStatus(st); !ok {
			v.Add("status", `must be "Open" or "Closed"`)
		}
	}
	switch a := strings.ToLower(strings.TrimSpace(f.Assignee)); a {
	case "", "anyone":
		q.Assignee = AssigneeAnyone
	case "nobody":
		q.Assignee = AssigneeNobody
	case "me":
		if p == nil || p.User == nil {
			v.Add("assignee", `"me" needs a staff login; an API key is nobody's assignee`)
		} else {
			q.Assignee, q.AssigneeID = AssigneeUser, p.User.ID
		}
	default:
		v.Add("assignee", `must be "me", "nobody" or "anyone"`)
	}
	switch u := strings.ToLower(strings.TrimSpace(f.Unread)); u {
	case "":
	case "true", "false":
		b := u == "true"
		q.Unread = &b
	default:
		v.Add("unread", `must be "true" or "false"`)
	}
	switch {
	case !utf8.ValidString(f.Q) || strings.ContainsRune(f.Q, 0):
		v.Add("q", "must be valid UTF-8 without NUL characters")
	case utf8.RuneCountInString(f.Q) > maxSearchLength:
		v.Add("q", fmt.Sprintf("must be at most %d characters", maxSearchLength))
	case strings.TrimSpace(f.Q) != "":
		q.Terms = searchTerms(f.Q)
		switch {
		case len(q.Terms) == 0:
			v.Add("q", "must contain at least one word")
		case len(q.Terms) > maxSearchTerms:
			v.Add("q", fmt.Sprintf("must contain at most %d words", maxSearchTerms))
		}
	}
	limit := f.Limit
	if limit == 0 {
		limit = DefaultInboxLimit
	}
	if limit < 1 || limit > MaxPageLength {
		v.Add("limit", fmt.Sprintf("must be between 1 and %d", MaxPageLength))
	}
	if err := v.Err(); err != nil {
		return nil, false, err
	}
	q.Limit = limit + 1
	items, err := s.store.Inbox(ctx, q)
	if err != nil {
		return nil, false, s.internal(ctx, "inbox", err)
	}
	more := len(items) > limit
	if more {
		items = items[:limit]
	}
	for _, it := range items {
		if it.LastMessage != nil {
			it.LastMessage.Content = inboxPreview(it.LastMessage.Content)
		}
	}
	return items, more, nil
}

// InboxCounts lists the service centers p may see, by property code then code, with their
// unread and open counters. Errors: only InternalError.
func (s *Service) InboxCounts(ctx context.Context, p *Principal) ([]ServiceCenterCounts, error) {
	out, err := s.store.InboxCounts(ctx, scopeOf(p))
	if err != nil {
		return nil, s.internal(ctx, "inbox counts", err)
	}
	return out, nil
}

// visibleConversation loads the conversation with code (any case) with its detail as
// staffDetail reads it, if p may see it: ConversationNotFound otherwise, whether it does not
// exist or is not p's to see.
func (s *Service) visibleConversation(ctx context.Context, p *Principal, code string) (ConversationDetail, error) {
	code = strings.TrimSpace(code)
	if code == "" || len(code) > maxIdentifierLength {
		return ConversationDetail{}, conversationNotFound(code)
	}
	c, err := s.store.ConversationByCode(ctx, strings.ToUpper(code))
	if errors.Is(err, ErrNotFound) {
		return ConversationDetail{}, conversationNotFound(code)
	}
	if err != nil {
		return ConversationDetail{}, s.internal(ctx, "conversation by code", err)
	}
	if !p.CanSeeProperty(c.PropertyID) {
		return ConversationDetail{}, conversationNotFound(code)
	}
	d, err := s.staffDetail(ctx, c)
	if err != nil {
		return ConversationDetail{}, err
	}
	if !p.CanSeeServiceCenter(d.ServiceCenter.ID, c.PropertyID) {
		return ConversationDetail{}, conversationNotFound(code)
	}
	noteOwner(ctx, Owner{PropertyID: c.PropertyID, StayID: c.StayID, GuestID: c.GuestID})
	return d, nil
}

// staffDetail loads what staff need to find and authorise a conversation: its outlet,
// service center and property code. Order and RoomNumber are left empty: staffConversation,
// which renders them, reads them. Errors: InternalError.
func (s *Service) staffDetail(ctx context.Context, c Conversation) (ConversationDetail, error) {
	prop, err := s.store.PropertyByID(ctx, c.PropertyID)
	if err != nil {
		return ConversationDetail{}, s.internal(ctx, "property by id", err)
	}
	d := ConversationDetail{Conversation: c, PropertyCode: prop.Code}
	if err := s.withRouting(ctx, &d, c.PropertyID, nil); err != nil {
		return ConversationDetail{}, err
	}
	return d, nil
}

// staffConversation completes a conversation's staffDetail for staff: order, stay and room
// number, guest, assignee, counters and messages with Notes.
func (s *Service) staffConversation(ctx context.Context, d ConversationDetail) (*StaffConversation, error) {
	out := &StaffConversation{ConversationDetail: d}
	if err := s.withOrder(ctx, &out.ConversationDetail); err != nil {
		return nil, err
	}
	if d.StayID != nil {
		st, err := s.store.StayByID(ctx, *d.StayID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, s.internal(ctx, "stay by id", err)
		}
		if err == nil {
			out.Stay = &st
			out.RoomNumber = st.RoomNumber
		}
	}
	if d.GuestID != nil {
		g, err := s.store.GuestByID(ctx, *d.GuestID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, s.internal(ctx, "guest by id", err)
		}
		if err == nil {
			out.Guest = &g
		}
	}
	users := map[int64]*StaffUser{}
	user := func(id int64) (*StaffUser, error) {
		if u, done := users[id]; done {
			return u, nil
		}
		u, err := s.store.StaffUserByID(ctx, id)
		if errors.Is(err, ErrNotFound) {
			users[id] = nil
			return nil, nil
		}
		if err != nil {
			return nil, s.internal(ctx, "staff user by id", err)
		}
		users[id] = &u
		return &u, nil
	}
	if d.AssigneeID != nil {
		u, err := user(*d.AssigneeID)
		if err != nil {
			return nil, err
		}
		out.Assignee = u
	}
	msgs, err := s.store.ConversationMessages(ctx, d.ID, true)
	if err != nil {
		return nil, s.internal(ctx, "conversation messages", err)
	}
	if err := s.withTranslations(ctx, msgs); err != nil {
		return nil, err
	}
	out.Messages = make([]StaffMessage, 0, len(msgs))
	for _, m := range msgs {
		sm := StaffMessage{Message: m, ConversationCode: d.Code}
		if m.StaffUserID != nil && (m.Type == MessageStaff || m.Type == MessageNote) {
			u, err := user(*m.StaffUserID)
			if err != nil {
				return nil, err
			}
			if u != nil {
				sm.AuthorUsername = u.Username
			}
		}
		if m.Type == MessageGuest && m.ReadAt == nil {
			out.UnreadCount++
		}
		out.LastMessageAt = m.CreatedAt // msgs are in sequence order: the last one's time stays
		out.Messages = append(out.Messages, sm)
	}
	return out, nil
}

// StaffConversation returns a conversation p may see, with every message including Notes, its
// stay or non-verified guest, linked order, order-form details and assignee. Errors:
// ConversationNotFound when it does not exist or p may not see it.
func (s *Service) StaffConversation(ctx context.Context, p *Principal, code string) (*StaffConversation, error) {
	d, err := s.visibleConversation(ctx, p, code)
	if err != nil {
		return nil, err
	}
	return s.staffConversation(ctx, d)
}

// splitDisplayName splits a staff display name into the first and last names shown on a
// message: the first word, and the rest.
func splitDisplayName(name string) (first, last string) {
	fields := strings.Fields(name)
	if len(fields) == 0 {
		return "", ""
	}
	return fields[0], strings.Join(fields[1:], " ")
}

// AddStaffMessage writes a Staff reply (typ "Staff", shown to the guest) or an internal Note
// (typ "Note", never shown to guests) into a conversation p may see, and returns it. The
// message is in the staff language of the conversation's service center and carries the staff
// user's display name split in two (first word, rest), fixed at writing time. A reply reopens
// a Closed conversation; a note leaves its status as it is. Errors, in this order: Forbidden
// for an API key (messages need a person as author); ValidationFailed (type: "Staff" or
// "Note", any case; content: required, at most 4000 characters after trimming, valid UTF-8,
// no NUL); ConversationNotFound.
func (s *Service) AddStaffMessage(ctx context.Context, p *Principal, code, typ, content string) (*StaffMessage, error) {
	if p == nil || p.User == nil {
		return nil, Errorf(CodeForbidden, "Only a staff login can write messages; API keys cannot.")
	}
	var v Validation
	var mt MessageType
	switch {
	case strings.EqualFold(strings.TrimSpace(typ), string(MessageStaff)):
		mt = MessageStaff
	case strings.EqualFold(strings.TrimSpace(typ), string(MessageNote)):
		mt = MessageNote
	default:
		v.Add("type", `must be "Staff" or "Note"`)
	}
	content = checkMessageContent(&v, "content", content)
	if content == "" && !hasField(v, "content") {
		v.Add("content", "is required")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	d, err := s.visibleConversation(ctx, p, code)
	if err != nil {
		return nil, err
	}
	now := s.now()
	first, last := splitDisplayName(p.User.DisplayName)
	uid := p.User.ID
	m := Message{Code: NewCode("M"), ConversationID: d.ID, Type: mt, AuthorFirstName: first,
		AuthorLastName: last, StaffUserID: &uid, Content: content, Language: d.ServiceCenter.StaffLanguage,
		CreatedAt: now}
	status := d.Status
	if mt == MessageStaff {
		status = ConversationOpen
		guestLang, err := s.guestLanguage(ctx, d.Conversation)
		if err != nil {
			return nil, err
		}
		m.TranslateTo = s.translationTarget(m.Language, guestLang) // Notes are never translated
	}
	if err := s.conversations.AddMessage(ctx, &m, status, now); err != nil {
		return nil, s.internal(ctx, "add message", err)
	}
	pendingTranslation(&m)
	s.logger.InfoContext(ctx, "staff message", "conversation_id", d.ID, "message_id", m.ID, "type", string(mt), "by", p.String())
	return &StaffMessage{Message: m, ConversationCode: d.Code, AuthorUsername: p.User.Username}, nil
}

// hasField reports whether v already holds an error for field.
func hasField(v Validation, field string) bool {
	for _, f := range v.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// SetStaffConversationStatus closes (Closed) or reopens (Open) a conversation p may see and
// returns it; setting the status it already has changes nothing. Errors: ConversationNotFound.
func (s *Service) SetStaffConversationStatus(ctx context.Context, p *Principal, code string, status ConversationStatus) (*StaffConversation, error) {
	d, err := s.visibleConversation(ctx, p, code)
	if err != nil {
		return nil, err
	}
	if d.Status != status {
		now := s.now()
		if err := s.conversations.SetStatus(ctx, d.Ref(), status, now); err != nil {
			return nil, s.internal(ctx, "set conversation status", err)
		}
		d.Status, d.UpdatedAt = status, now
	}
	return s.staffConversation(ctx, d)
}

// MarkStaffRead marks the Guest messages of a conversation p may see as read by staff, all of
// them or those up to and including the message upToCode, and returns the conversation. Errors:
// ConversationNotFound; ValidationFailed (field upToMessageCode) when upToCode names no message
// of the conversation.
func (s *Service) MarkStaffRead(ctx context.Context, p *Principal, code, upToCode string) (*StaffConversation, error) {
	d, err := s.visibleConversation(ctx, p, code)
	if err != nil {
		return nil, err
	}
	var upTo int64
	if upToCode = strings.TrimSpace(upToCode); upToCode != "" {
		msgs, err := s.store.ConversationMessages(ctx, d.ID, true)
		if err != nil {
			return nil, s.internal(ctx, "conversation messages", err)
		}
		for _, m := range msgs {
			if strings.EqualFold(m.Code, upToCode) {
				upTo = m.Seq
			}
		}
		if upTo == 0 {
			var v Validation
			v.Add("upToMessageCode", "is not a message of this conversation")
			return nil, v.Err()
		}
	}
	if _, err := s.conversations.MarkRead(ctx, d.Ref(), []MessageType{MessageGuest}, upTo, s.now()); err != nil {
		return nil, s.internal(ctx, "mark read", err)
	}
	return s.staffConversation(ctx, d)
}

// principalOf returns the principal staff user u would have.
func (s *Service) principalOf(ctx context.Context, u StaffUser) (*Principal, error) {
	centers, err := s.store.ServiceCentersByIDs(ctx, u.ServiceCenterIDs)
	if err != nil {
		return nil, s.internal(ctx, "service centers by ids", err)
	}
	return NewStaffPrincipal(u, centers), nil
}

// AssignConversation assigns a conversation p may see to the staff user username (any case),
// or unassigns it when username is blank, and returns it; assigning the current assignee
// changes nothing. Any caller who may see the conversation may assign it. Errors:
// ConversationNotFound; ValidationFailed (field username) when username is too long or names
// no enabled staff user who may see the conversation (the cases are not told apart).
func (s *Service) AssignConversation(ctx context.Context, p *Principal, code, username string) (*StaffConversation, error) {
	var v Validation
	checkShortText(&v, "username", username, false)
	if err := v.Err(); err != nil {
		return nil, err
	}
	d, err := s.visibleConversation(ctx, p, code)
	if err != nil {
		return nil, err
	}
	var assignee *int64
	if name := strings.TrimSpace(username); name != "" {
		u, err := s.store.StaffUserByUsername(ctx, name)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, s.internal(ctx, "staff user by username", err)
		}
		ok := err == nil && u.DisabledAt == nil
		if ok {
			up, err := s.principalOf(ctx, u)
			if err != nil {
				return nil, err
			}
			ok = up.CanSeeServiceCenter(d.ServiceCenter.ID, d.PropertyID)
		}
		if !ok {
			v.Add("username", "is not a staff user who can see this conversation")
			return nil, v.Err()
		}
		assignee = &u.ID
	}
	if !sameAssignee(assignee, d.AssigneeID) {
		now := s.now()
		if err := s.conversations.Assign(ctx, d.Ref(), assignee, now); err != nil {
			return nil, s.internal(ctx, "set assignee", err)
		}
		d.AssigneeID, d.UpdatedAt = assignee, now
		var aid int64
		if assignee != nil {
			aid = *assignee
		}
		s.logger.InfoContext(ctx, "conversation assigned", "conversation_id", d.ID, "assignee_id", aid, "by", p.String())
	}
	return s.staffConversation(ctx, d)
}

func sameAssignee(a, b *int64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// MoveConversation moves a conversation p may see to another outlet (code, any case) of the
// same property, whose service center then answers it, and returns it. p must be able to see
// the target outlet's service center too. An assignee who may not see the target's service
// center is unassigned. Moving to the current outlet changes nothing. The subject is kept.
// Errors, in this order: ValidationFailed (field outletCode: required, short);
// ConversationNotFound; OutletNotFound when the property has no such outlet; Forbidden when p
// may not see the target's service center.
func (s *Service) MoveConversation(ctx context.Context, p *Principal, code, outletCode string) (*StaffConversation, error) {
	var v Validation
	checkShortText(&v, "outletCode", outletCode, true)
	if err := v.Err(); err != nil {
		return nil, err
	}
	d, err := s.visibleConversation(ctx, p, code)
	if err != nil {
		return nil, err
	}
	outlets, err := s.store.OutletsByProperty(ctx, d.PropertyID)
	if err != nil {
		return nil, s.internal(ctx, "outlets by property", err)
	}
	var target *Outlet
	for i := range outlets {
		if strings.EqualFold(outlets[i].Code, strings.TrimSpace(outletCode)) {
			target = &outlets[i]
		}
	}
	if target == nil {
		return nil, Errorf(CodeOutletNotFound, "There is no outlet '%s' at this conversation's property.", strings.TrimSpace(outletCode))
	}
	if !p.CanSeeServiceCenter(target.ServiceCenterID, d.PropertyID) {
		return nil, Errorf(CodeForbidden, "You may not move a conversation to the outlet '%s': its service center is not yours.", target.Code)
	}
	if target.ID == d.OutletID {
		return s.staffConversation(ctx, d)
	}
	unassign := false
	if d.AssigneeID != nil {
		u, err := s.store.StaffUserByID(ctx, *d.AssigneeID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, s.internal(ctx, "staff user by id", err)
		}
		unassign = err != nil
		if err == nil {
			up, err := s.principalOf(ctx, u)
			if err != nil {
				return nil, err
			}
			unassign = !up.CanSeeServiceCenter(target.ServiceCenterID, d.PropertyID)
		}
	}
	now := s.now()
	jobs := s.translationsForMove(ctx, d.ID, target.ServiceCenterID, now)
	if err := s.conversations.Move(ctx, d.Ref(), target.ID, unassign, now, jobs...); err != nil {
		return nil, s.internal(ctx, "set outlet", err)
	}
	s.logger.InfoContext(ctx, "conversation moved", "conversation_id", d.ID, "outlet_id", target.ID,
		"translations_asked", len(jobs), "by", p.String())
	d2, err := s.visibleConversation(ctx, p, d.Code)
	if err != nil {
		return nil, err
	}
	return s.staffConversation(ctx, d2)
}
