package concierge

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"
)

// MaxMessageLength is the most characters a message may hold after trimming (SPEC §10).
const MaxMessageLength = 4000

// MaxPageLength is the longest page any list returns (SPEC §10).
const MaxPageLength = 200

// CreateConversationInput is a guest's request to open a conversation (SPEC §4.2, §4.3).
type CreateConversationInput struct {
	Message          string
	ConversationType string
	OutletCode       string
	OrderCode        string
	// OrderForm is the non-verified guest's order-form dictionary: a JSON object, or nil.
	OrderForm json.RawMessage
	// NonVerified selects the rules of NonVerifiedGuestConversations.
	NonVerified bool
}

// GuestConversation is a conversation as a guest sees it, with its messages.
type GuestConversation struct {
	ConversationDetail
	Messages []GuestMessage
}

// checkMessageContent validates message text: valid UTF-8, no NUL, at most MaxMessageLength
// characters after trimming. It returns the trimmed text.
func checkMessageContent(v *Validation, field, content string) string {
	if !utf8.ValidString(content) {
		v.Add(field, "must be valid UTF-8")
		return ""
	}
	if strings.ContainsRune(content, 0) {
		v.Add(field, "must not contain NUL characters")
		return ""
	}
	content = strings.TrimSpace(content)
	if n := utf8.RuneCountInString(content); n > MaxMessageLength {
		v.Add(field, "must be at most 4000 characters")
	}
	return content
}

// normalizeConversationType accepts "" and "guest", case-insensitively.
func normalizeConversationType(v *Validation, t string) string {
	switch {
	case strings.TrimSpace(t) == "":
		return ""
	case strings.EqualFold(strings.TrimSpace(t), "guest"):
		return "guest"
	}
	v.Add("ConversationType", `must be "" or "guest"`)
	return ""
}

// orderFormNames reads firstName / lastName (any key case) from an order-form dictionary.
func orderFormNames(form json.RawMessage) (first, last string) {
	if len(form) == 0 {
		return "", ""
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(form, &m) != nil {
		return "", ""
	}
	for k, raw := range m {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			continue
		}
		s = strings.TrimSpace(s)
		switch strings.ToLower(k) {
		case "firstname":
			first = s
		case "lastname":
			last = s
		}
	}
	return first, last
}

// CreateConversation opens a conversation for the session's guest. Errors, in the order they are
// checked: ValidationFailed; GuestNotVerified (a verified session is needed, or for the
// non-verified call at least a guest identity, and a verified one for OrderCode); OutletNotFound;
// OutletNotAvailable; NoOutletAvailable; OrderNotFound (unknown, or another stay's order).
func (s *Service) CreateConversation(ctx context.Context, gs *GuestSession, in CreateConversationInput) (*GuestConversation, error) {
	var v Validation
	content := checkMessageContent(&v, "Message", in.Message)
	convType := normalizeConversationType(&v, in.ConversationType)
	checkShortText(&v, "OutletCode", in.OutletCode, false)
	checkShortText(&v, "OrderCode", in.OrderCode, false)
	if err := v.Err(); err != nil {
		return nil, err
	}
	switch {
	case !in.NonVerified && !gs.Session.Verified():
		return nil, Errorf(CodeGuestNotVerified, "This call needs a guest verified by room number and last name.")
	case in.NonVerified && gs.Owner().Empty():
		return nil, Errorf(CodeGuestNotVerified, "This call needs a guest identity: initialise the session with a guest identifier or a room.")
	case strings.TrimSpace(in.OrderCode) != "" && !gs.Session.Verified():
		return nil, Errorf(CodeGuestNotVerified, "Linking an order needs a guest verified by room number and last name.")
	}

	if err := s.checkGuestQuotas(ctx, gs, 0); err != nil {
		return nil, err
	}
	prop := gs.Property
	outlet, err := s.chooseOutlet(ctx, prop, strings.TrimSpace(in.OutletCode), in.NonVerified)
	if err != nil {
		return nil, err
	}
	var order *Order
	if code := strings.TrimSpace(in.OrderCode); code != "" {
		o, err := s.store.OrderByCode(ctx, prop.ID, code)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, s.internal(ctx, "order by code", err)
		}
		if err != nil || o.StayID == nil || *o.StayID != *gs.Session.StayID {
			return nil, Errorf(CodeOrderNotFound, "There is no order '%s' for this stay.", code)
		}
		order = &o
	}
	sc, err := s.store.ServiceCenterByID(ctx, outlet.ServiceCenterID)
	if err != nil {
		return nil, s.internal(ctx, "service center by id", err)
	}

	now := s.now()
	first, last := orderFormNames(in.OrderForm)
	if first == "" && last == "" && gs.Stay != nil {
		first, last = gs.Stay.FirstName, gs.Stay.LastName
	}
	conv := Conversation{
		Code:           NewCode("C"),
		PropertyID:     prop.ID,
		OutletID:       outlet.ID,
		StayID:         gs.Session.StayID,
		GuestID:        gs.Session.GuestID,
		Subject:        outlet.Name,
		Status:         ConversationOpen,
		Type:           convType,
		GuestFirstName: first,
		GuestLastName:  last,
		GuestLanguage:  gs.Session.Language,
		CreatedAt:      now,
		UpdatedAt:      now,
	}
	if len(in.OrderForm) > 0 {
		conv.OrderForm = in.OrderForm
	}
	if order != nil {
		conv.OrderID = &order.ID
		conv.Subject += " – Order " + order.Code
	}
	var msg *Message
	if content != "" {
		msg = &Message{
			Code:      NewCode("M"),
			Type:      MessageGuest,
			Content:   content,
			Language:  gs.Session.Language,
			CreatedAt: now,
		}
		msg.TranslateTo = s.translationTarget(msg.Language, sc.StaffLanguage)
		if convType == "guest" {
			msg.AuthorFirstName, msg.AuthorLastName = first, last
		}
	}
	if err := s.conversations.Create(ctx, &conv, msg); err != nil {
		return nil, s.internal(ctx, "create conversation", err)
	}
	s.rememberOwner(conv) // the live-event paths need not read it back (conversation_owner.go)
	if msg != nil {
		pendingTranslation(msg)
	}
	out := &GuestConversation{ConversationDetail: ConversationDetail{
		Conversation:  conv,
		Outlet:        outlet,
		ServiceCenter: sc,
		Order:         order,
		PropertyCode:  prop.Code,
	}}
	if gs.Stay != nil {
		out.RoomNumber = gs.Stay.RoomNumber
	}
	if msg != nil {
		out.Messages = []GuestMessage{{Message: *msg, ConversationCode: conv.Code, ServiceCenterName: sc.Name}}
	}
	return out, nil
}

// chooseOutlet applies the outlet rule of SPEC §4.2 / §4.3 to the property's outlets.
func (s *Service) chooseOutlet(ctx context.Context, prop Property, code string, nonVerified bool) (Outlet, error) {
	outlets, err := s.store.OutletsByProperty(ctx, prop.ID)
	if err != nil {
		return Outlet{}, s.internal(ctx, "outlets by property", err)
	}
	if code == "" {
		o, ok := FirstAvailableOutlet(outlets, nonVerified, s.now(), s.location(prop))
		if !ok {
			return Outlet{}, Errorf(CodeNoOutletAvailable, "No outlet of this property can take the conversation.")
		}
		return o, nil
	}
	for _, o := range outlets {
		if !strings.EqualFold(o.Code, code) {
			continue
		}
		if !o.AllowGuestMessages {
			return Outlet{}, Errorf(CodeOutletNotAvailable, "The outlet '%s' does not take guest messages.", o.Code)
		}
		if nonVerified && !o.AllowNonVerifiedGuests {
			return Outlet{}, Errorf(CodeOutletNotAvailable, "The outlet '%s' does not take messages from non-verified guests.", o.Code)
		}
		return o, nil
	}
	return Outlet{}, Errorf(CodeOutletNotFound, "There is no outlet '%s' at this property.", code)
}

// OutletInfo is an outlet as guests see it, with whether it is open now.
type OutletInfo struct {
	Outlet
	IsOpen bool
}

// Outlets lists the session property's outlets in sort order, or only the one with code when
// code is not empty (OutletNotFound when there is none).
func (s *Service) Outlets(ctx context.Context, gs *GuestSession, code string) ([]OutletInfo, error) {
	outlets, err := s.store.OutletsByProperty(ctx, gs.Property.ID)
	if err != nil {
		return nil, s.internal(ctx, "outlets by property", err)
	}
	outlets = slices.Clone(outlets) // the store's slice may be shared (Store.OutletsByProperty)
	SortOutlets(outlets)
	now, loc := s.now(), s.location(gs.Property)
	code = strings.TrimSpace(code)
	out := make([]OutletInfo, 0, len(outlets))
	for _, o := range outlets {
		if code != "" && !strings.EqualFold(o.Code, code) {
			continue
		}
		out = append(out, OutletInfo{Outlet: o, IsOpen: o.IsOpen(now, loc)})
	}
	if code != "" && len(out) == 0 {
		return nil, Errorf(CodeOutletNotFound, "There is no outlet '%s' at this property.", code)
	}
	return out, nil
}

// GuestMessages lists every message the session's guest may see, across their conversations.
// GuestNotVerified for an anonymous session (it has no conversations).
func (s *Service) GuestMessages(ctx context.Context, gs *GuestSession, page Page) ([]GuestMessage, int, error) {
	if gs.Owner().Empty() {
		return nil, 0, Errorf(CodeGuestNotVerified, "This call needs a guest identity.")
	}
	msgs, total, err := s.store.GuestMessages(ctx, gs.Owner(), page)
	if err != nil {
		return nil, 0, s.internal(ctx, "guest messages", err)
	}
	if err := s.withGuestTranslations(ctx, msgs, gs.Session.Language); err != nil {
		return nil, 0, err
	}
	return msgs, total, nil
}
