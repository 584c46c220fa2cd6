package v40

import "concierge/internal/concierge"

// conversationContent wraps a conversation: {"conversation": {...}}.
type conversationContent struct {
	Conversation conversationShape `json:"conversation"`
}

// conversationFields are a conversation's fields on the guest wire (SPEC §4.2), keys in
// order. Absent optional values are empty strings, never null.
type conversationFields struct {
	Code               string `json:"code"`
	Subject            string `json:"subject"`
	OutletCode         string `json:"outletCode"`
	OrderCode          string `json:"orderCode"`
	OutletName         string `json:"outletName"`
	PropertyCode       string `json:"propertyCode"`
	RoomNumber         string `json:"roomNumber"`
	GuestFirstName     string `json:"guestFirstName"`
	GuestLastName      string `json:"guestLastName"`
	GuestLanguageCode  string `json:"guestLanguageCode"`
	ConversationStatus string `json:"conversationStatus"`
	ConversationType   string `json:"conversationType"`
}

// conversationShape is a conversation with its messages (SPEC §4.2).
type conversationShape struct {
	conversationFields
	Messages []messageShape `json:"messages"`
}

// messageShape is a message on the guest wire (SPEC §4.2), keys in order.
type messageShape struct {
	CreateDate        string `json:"createDate"`
	Code              string `json:"code"`
	IsRead            bool   `json:"isRead"`
	ServiceCenterName string `json:"serviceCenterName"`
	MessageType       string `json:"messageType"`
	Content           string `json:"content"`
	FirstName         string `json:"firstName"`
	LastName          string `json:"lastName"`
	LanguageCode      string `json:"languageCode"`
	IsTranslated      bool   `json:"isTranslated"`
	ConversationID    int64  `json:"conversationId"`
}

// conversationListShape is a conversation in a guest's list (SPEC §4.4): its fields without
// messages, plus unreadCount and lastMessageDate.
type conversationListShape struct {
	conversationFields
	UnreadCount     int    `json:"unreadCount"`
	LastMessageDate string `json:"lastMessageDate"`
}

func conversationListShapeOf(c concierge.GuestConversationSummary) conversationListShape {
	return conversationListShape{
		conversationFields: conversationFieldsOf(c.ConversationDetail),
		UnreadCount:        c.UnreadCount,
		LastMessageDate:    formatDate(c.LastMessageAt),
	}
}

func conversationFieldsOf(c concierge.ConversationDetail) conversationFields {
	f := conversationFields{
		Code:               c.Code,
		Subject:            c.Subject,
		OutletCode:         c.Outlet.Code,
		OutletName:         c.Outlet.Name,
		PropertyCode:       c.PropertyCode,
		RoomNumber:         c.RoomNumber,
		GuestFirstName:     c.GuestFirstName,
		GuestLastName:      c.GuestLastName,
		GuestLanguageCode:  c.GuestLanguage,
		ConversationStatus: string(c.Status),
		ConversationType:   c.Type,
	}
	if c.Order != nil {
		f.OrderCode = c.Order.Code
	}
	return f
}

func conversationShapeOf(c *concierge.GuestConversation) conversationShape {
	s := conversationShape{conversationFields: conversationFieldsOf(c.ConversationDetail),
		Messages: make([]messageShape, 0, len(c.Messages))}
	for _, m := range c.Messages {
		s.Messages = append(s.Messages, messageShapeOf(m))
	}
	return s
}

// messageShapeOf renders a message for its guest: the translation into the guest's language
// when there is one (isTranslated true, languageCode the translation's), else the original.
func messageShapeOf(m concierge.GuestMessage) messageShape {
	content, lang := m.Content, m.Language
	if m.Shown != nil {
		content, lang = m.Shown.Content, m.Shown.Language
	}
	return messageShape{
		CreateDate:        formatDate(m.CreatedAt),
		Code:              m.Code,
		IsRead:            m.ReadAt != nil,
		ServiceCenterName: m.ServiceCenterName,
		MessageType:       string(m.Type),
		Content:           content,
		FirstName:         m.AuthorFirstName,
		LastName:          m.AuthorLastName,
		LanguageCode:      lang,
		IsTranslated:      m.Shown != nil,
		ConversationID:    m.ConversationID,
	}
}
