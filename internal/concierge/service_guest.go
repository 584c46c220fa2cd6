package concierge

import (
	"context"
	"errors"
	"strings"
	"time"
)

// GuestConversationSummary is a conversation in a guest's list: its wire fields and counts.
type GuestConversationSummary struct {
	ConversationDetail
	UnreadCount   int
	LastMessageAt time.Time
}

// conversationNotFound is the one answer for a conversation that does not exist or is not the
// caller's: the two are never told apart.
func conversationNotFound(code string) error {
	return Errorf(CodeConversationNotFound, "There is no conversation '%s'.", code)
}

// ownedConversation loads the conversation with code if the session's guest owns it:
// ConversationNotFound otherwise (and for anonymous sessions).
func (s *Service) ownedConversation(ctx context.Context, gs *GuestSession, code string) (Conversation, error) {
	code = strings.TrimSpace(code)
	if code == "" || len(code) > maxIdentifierLength {
		return Conversation{}, conversationNotFound(code)
	}
	c, err := s.store.ConversationByCode(ctx, strings.ToUpper(code))
	if errors.Is(err, ErrNotFound) {
		return Conversation{}, conversationNotFound(code)
	}
	if err != nil {
		return Conversation{}, s.internal(ctx, "conversation by code", err)
	}
	if !gs.Owns(c) {
		return Conversation{}, conversationNotFound(code)
	}
	return c, nil
}

// detail loads what the wire shapes need about a conversation: outlet, service center, order,
// room number and property code. outlets are the property's (nil: read from the store); they
// are not modified.
func (s *Service) detail(ctx context.Context, prop Property, c Conversation, outlets []Outlet) (ConversationDetail, error) {
	return s.detailWith(ctx, prop, c, outlets, nil)
}

// guestDetail is detail for a conversation gs owns: the session's stay, already loaded by
// Authenticate, is not read again.
func (s *Service) guestDetail(ctx context.Context, gs *GuestSession, c Conversation, outlets []Outlet) (ConversationDetail, error) {
	return s.detailWith(ctx, gs.Property, c, outlets, gs.Stay)
}

// detailWith is detail, with the conversation's stay taken from known when it is that stay.
func (s *Service) detailWith(ctx context.Context, prop Property, c Conversation, outlets []Outlet, known *Stay) (ConversationDetail, error) {
	d := ConversationDetail{Conversation: c, PropertyCode: prop.Code}
	if err := s.withRouting(ctx, &d, prop.ID, outlets); err != nil {
		return d, err
	}
	if err := s.withOrder(ctx, &d); err != nil {
		return d, err
	}
	if c.StayID != nil && known != nil && known.ID == *c.StayID {
		d.RoomNumber = known.RoomNumber
	} else if c.StayID != nil {
		st, err := s.store.StayByID(ctx, *c.StayID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return d, s.internal(ctx, "stay by id", err)
		}
		d.RoomNumber = st.RoomNumber
	}
	return d, nil
}

// withRouting sets the outlet and service center of the conversation d. outlets are the
// property's (its id: propertyID; nil: read from the store); they are not modified. Errors:
// InternalError.
func (s *Service) withRouting(ctx context.Context, d *ConversationDetail, propertyID int64, outlets []Outlet) error {
	if outlets == nil {
		var err error
		if outlets, err = s.store.OutletsByProperty(ctx, propertyID); err != nil {
			return s.internal(ctx, "outlets by property", err)
		}
	}
	for _, o := range outlets {
		if o.ID == d.OutletID {
			d.Outlet = o
		}
	}
	sc, err := s.store.ServiceCenterByID(ctx, d.Outlet.ServiceCenterID)
	if err != nil {
		return s.internal(ctx, "service center by id", err)
	}
	d.ServiceCenter = sc
	return nil
}

// withOrder sets the order linked to the conversation d, if it has one that still exists.
// Errors: InternalError.
func (s *Service) withOrder(ctx context.Context, d *ConversationDetail) error {
	if d.OrderID == nil {
		return nil
	}
	o, err := s.store.OrderByID(ctx, *d.OrderID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return s.internal(ctx, "order by id", err)
	}
	if err == nil {
		d.Order = &o
	}
	return nil
}

// forGuest turns stored messages into what the guest sees: never Notes; staff names hidden
// when the property hides them.
func forGuest(prop Property, d ConversationDetail, msgs []Message) []GuestMessage {
	out := make([]GuestMessage, 0, len(msgs))
	for _, m := range msgs {
		if m.Type == MessageNote {
			continue
		}
		if m.Type == MessageStaff && prop.HideStaffNames {
			m.AuthorFirstName, m.AuthorLastName = "", ""
		}
		out = append(out, GuestMessage{Message: m, ConversationCode: d.Code, ServiceCenterName: d.ServiceCenter.Name})
	}
	return out
}

// GuestConversations lists the session guest's conversations, most recently active first,
// optionally only those with status ("Open" or "Closed", any case; ValidationFailed otherwise).
// GuestNotVerified for an anonymous session.
func (s *Service) GuestConversations(ctx context.Context, gs *GuestSession, status string, page Page) ([]GuestConversationSummary, int, error) {
	var st ConversationStatus
	if strings.TrimSpace(status) != "" {
		var ok bool
		if st, ok = ParseConversationStatus(strings.TrimSpace(status)); !ok {
			var v Validation
			v.Add("Status", `must be "Open" or "Closed"`)
			return nil, 0, v.Err()
		}
	}
	if gs.Owner().Empty() {
		return nil, 0, Errorf(CodeGuestNotVerified, "This call needs a guest identity.")
	}
	list, total, err := s.store.GuestConversations(ctx, gs.Owner(), st, page)
	if err != nil {
		return nil, 0, s.internal(ctx, "guest conversations", err)
	}
	outlets, err := s.store.OutletsByProperty(ctx, gs.Property.ID)
	if err != nil {
		return nil, 0, s.internal(ctx, "outlets by property", err)
	}
	out := make([]GuestConversationSummary, 0, len(list))
	for _, c := range list {
		d, err := s.guestDetail(ctx, gs, c.Conversation, outlets)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, GuestConversationSummary{ConversationDetail: d, UnreadCount: c.UnreadCount, LastMessageAt: c.LastMessageAt})
	}
	return out, total, nil
}

// GuestConversation returns one of the session guest's conversations with every message the
// guest may see. ConversationNotFound when it does not exist or is not theirs.
func (s *Service) GuestConversation(ctx context.Context, gs *GuestSession, code string) (*GuestConversation, error) {
	c, err := s.ownedConversation(ctx, gs, code)
	if err != nil {
		return nil, err
	}
	d, err := s.guestDetail(ctx, gs, c, nil)
	if err != nil {
		return nil, err
	}
	msgs, err := s.store.ConversationMessages(ctx, c.ID, false)
	if err != nil {
		return nil, s.internal(ctx, "conversation messages", err)
	}
	gms := forGuest(gs.Property, d, msgs)
	if err := s.withGuestTranslations(ctx, gms, gs.Session.Language); err != nil {
		return nil, err
	}
	return &GuestConversation{ConversationDetail: d, Messages: gms}, nil
}

// AddGuestMessage adds the guest's message to one of their conversations, reopening it when it
// was closed. conversationType "" or "guest" decides whether the message carries the guest's
// names; when absent (nil) the conversation's own type decides. Errors: ValidationFailed (blank,
// too long, NUL, bad type), ConversationNotFound.
func (s *Service) AddGuestMessage(ctx context.Context, gs *GuestSession, code, content string, conversationType *string) (*GuestMessage, error) {
	var v Validation
	content = checkMessageContent(&v, "Message", content)
	if content == "" && len(v.Fields) == 0 {
		v.Add("Message", "is required")
	}
	var convType string
	if conversationType != nil {
		convType = normalizeConversationType(&v, *conversationType)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	c, err := s.ownedConversation(ctx, gs, code)
	if err != nil {
		return nil, err
	}
	if err := s.checkGuestQuotas(ctx, gs, c.ID); err != nil {
		return nil, err
	}
	if conversationType == nil {
		convType = c.Type
	}
	d, err := s.guestDetail(ctx, gs, c, nil)
	if err != nil {
		return nil, err
	}
	now := s.now()
	m := Message{Code: NewCode("M"), ConversationID: c.ID, Type: MessageGuest, Content: content,
		Language: gs.Session.Language, CreatedAt: now}
	m.TranslateTo = s.translationTarget(m.Language, d.ServiceCenter.StaffLanguage)
	if convType == "guest" {
		m.AuthorFirstName, m.AuthorLastName = c.GuestFirstName, c.GuestLastName
		if m.AuthorFirstName == "" && m.AuthorLastName == "" && gs.Stay != nil {
			m.AuthorFirstName, m.AuthorLastName = gs.Stay.FirstName, gs.Stay.LastName
		}
	}
	if err := s.conversations.AddMessage(ctx, &m, ConversationOpen, now); err != nil {
		return nil, s.internal(ctx, "add message", err)
	}
	pendingTranslation(&m)
	gm := GuestMessage{Message: m, ConversationCode: c.Code, ServiceCenterName: d.ServiceCenter.Name}
	return &gm, nil
}

// MarkGuestRead marks the Staff and System messages of one of the guest's conversations read by
// the guest, all of them or those up to and including the message upToCode. Errors:
// ConversationNotFound; ValidationFailed when upToCode names no message the guest can see in
// that conversation.
func (s *Service) MarkGuestRead(ctx context.Context, gs *GuestSession, code, upToCode string) error {
	c, err := s.ownedConversation(ctx, gs, code)
	if err != nil {
		return err
	}
	var upTo int64
	if upToCode = strings.TrimSpace(upToCode); upToCode != "" {
		msgs, err := s.store.ConversationMessages(ctx, c.ID, false)
		if err != nil {
			return s.internal(ctx, "conversation messages", err)
		}
		for _, m := range msgs {
			if strings.EqualFold(m.Code, upToCode) {
				upTo = m.Seq
			}
		}
		if upTo == 0 {
			var v Validation
			v.Add("UpToMessageCode", "is not a message of this conversation")
			return v.Err()
		}
	}
	if _, err := s.conversations.MarkRead(ctx, c.Ref(), []MessageType{MessageStaff, MessageSystem}, upTo, s.now()); err != nil {
		return s.internal(ctx, "mark read", err)
	}
	return nil
}

// CloseGuestConversation closes one of the guest's conversations (closing a closed one changes
// nothing). ConversationNotFound when it is not theirs.
func (s *Service) CloseGuestConversation(ctx context.Context, gs *GuestSession, code string) error {
	c, err := s.ownedConversation(ctx, gs, code)
	if err != nil {
		return err
	}
	if c.Status == ConversationClosed {
		return nil
	}
	if err := s.conversations.SetStatus(ctx, c.Ref(), ConversationClosed, s.now()); err != nil {
		return s.internal(ctx, "set conversation status", err)
	}
	return nil
}
