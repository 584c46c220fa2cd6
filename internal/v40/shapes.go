package v40

import (
	"concierge/api"
	"concierge/internal/concierge"
)

// The guest wire's shapes are the api package's Guest* types, keys in the order of SPEC §4.2;
// absent optional values are empty strings, never null. These functions render the domain's
// values in them.

// conversationListShapeOf renders a conversation in a guest's list (SPEC §4.4): its fields
// without messages, plus unreadCount and lastMessageDate.
func conversationListShapeOf(c concierge.GuestConversationSummary) api.GuestConversationSummary {
	return api.GuestConversationSummary{
		GuestConversationFields: conversationFieldsOf(c.ConversationDetail),
		UnreadCount:             c.UnreadCount,
		LastMessageDate:         formatDate(c.LastMessageAt),
	}
}

// conversationFieldsOf renders a conversation's fields on the guest wire (SPEC §4.2).
func conversationFieldsOf(c concierge.ConversationDetail) api.GuestConversationFields {
	f := api.GuestConversationFields{
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

// conversationShapeOf renders a conversation with every message its guest may see (SPEC §4.2).
func conversationShapeOf(c *concierge.GuestConversation) api.GuestConversation {
	s := api.GuestConversation{GuestConversationFields: conversationFieldsOf(c.ConversationDetail),
		Messages: make([]api.GuestMessage, 0, len(c.Messages))}
	for _, m := range c.Messages {
		s.Messages = append(s.Messages, messageShapeOf(m))
	}
	return s
}

// messageShapeOf renders a message for its guest: the translation into the guest's language
// when there is one (isTranslated true, languageCode the translation's), else the original.
func messageShapeOf(m concierge.GuestMessage) api.GuestMessage {
	content, lang := m.Content, m.Language
	if m.Shown != nil {
		content, lang = m.Shown.Content, m.Shown.Language
	}
	return api.GuestMessage{
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
