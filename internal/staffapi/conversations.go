package staffapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"concierge/api"
	"concierge/internal/concierge"
)

// The staff inbox and conversation routes (SPEC §5 "inbox", "conversation", "act").

// lastMessageOf renders an inbox item's latest message (its content already shortened by the
// service); nil without messages.
func lastMessageOf(m *concierge.InboxMessage) *api.LastMessage {
	if m == nil {
		return nil
	}
	return &api.LastMessage{Code: m.Code, Type: string(m.Type), Content: m.Content, LanguageCode: m.Language,
		CreatedAt: formatTime(m.CreatedAt),
		Author:    api.Author{FirstName: m.AuthorFirstName, LastName: m.AuthorLastName, Username: optionalString(m.AuthorUsername)}}
}

// zeroableTime renders a time that is zero when absent: null then.
func zeroableTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := formatTime(t)
	return &s
}

func optionalString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// summaryOf renders a conversation as the inbox lists it.
func summaryOf(it concierge.InboxItem) api.ConversationSummary {
	return api.ConversationSummary{
		Code: it.Code, ID: it.ID, Status: string(it.Status), Type: it.Type, Subject: it.Subject,
		PropertyCode: it.PropertyCode, ServiceCenterCode: it.ServiceCenterCode, OutletCode: it.OutletCode,
		OutletName: it.OutletName, RoomNumber: it.RoomNumber, GuestFirstName: it.GuestFirstName, GuestLastName: it.GuestLastName,
		GuestLanguageCode: it.GuestLanguage, Assignee: assigneeOf(it.AssigneeUsername, it.AssigneeName),
		UnreadCount: it.UnreadCount, LastMessageAt: zeroableTime(it.LastMessageAt),
		LastMessage: lastMessageOf(it.LastMessage),
		CreatedAt:   formatTime(it.CreatedAt), UpdatedAt: formatTime(it.UpdatedAt),
	}
}

// listConversations answers a page of the caller's inbox (GET /api/v1/conversations): query
// property, serviceCenter, outlet, status, assignee, unread, q, cursor, limit (1–200, default 50).
func (h *Handler) listConversations(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	q := r.URL.Query()
	after, err := decodeInboxCursor(q.Get("cursor"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := concierge.InboxFilter{Property: q.Get("property"), ServiceCenter: q.Get("serviceCenter"),
		Outlet: q.Get("outlet"), Status: q.Get("status"), Assignee: q.Get("assignee"), Unread: q.Get("unread"),
		Q: q.Get("q"), After: after}
	if s := q.Get("limit"); s != "" {
		if f.Limit, err = strconv.Atoi(s); err != nil || f.Limit < 1 {
			f.Limit = -1 // the service answers ValidationFailed (limit)
		}
	}
	items, more, err := h.svc.Inbox(r.Context(), p, f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := api.ConversationList{Conversations: make([]api.ConversationSummary, 0, len(items))}
	for _, it := range items {
		out.Conversations = append(out.Conversations, summaryOf(it))
	}
	if more {
		last := items[len(items)-1]
		out.NextCursor = encodeInboxCursor(concierge.InboxPosition{UpdatedAt: last.UpdatedAt, ID: last.ID})
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// inboxCounts answers the unread and open counters of every service center the caller may see
// (GET /api/v1/inbox/counts).
func (h *Handler) inboxCounts(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	counts, err := h.svc.InboxCounts(r.Context(), p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := api.InboxCounts{ServiceCenters: make([]api.ServiceCenterCounts, 0, len(counts))}
	for _, c := range counts {
		out.ServiceCenters = append(out.ServiceCenters, api.ServiceCenterCounts{Code: c.Code, Name: c.Name,
			PropertyCode: c.PropertyCode, Unread: c.UnreadMessages, UnreadConversations: c.UnreadConversations, Open: c.Open})
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// assigneeOf is the assignee of that username and display name; nil when username is empty.
func assigneeOf(username, displayName string) *api.StaffRef {
	if username == "" {
		return nil
	}
	return &api.StaffRef{Username: username, DisplayName: displayName}
}

// conversationOf renders a conversation as staff see it, in full: stay null for a
// non-verified guest, guestIdentifier null for a verified one, orderForm the stored JSON object
// or null.
func conversationOf(c *concierge.StaffConversation) api.Conversation {
	out := api.Conversation{
		Code: c.Code, ID: c.ID, Status: string(c.Status), Type: c.Type, Subject: c.Subject,
		PropertyCode: c.PropertyCode, ServiceCenterCode: c.ServiceCenter.Code, OutletCode: c.Outlet.Code,
		Outlet:        api.CodeName{Code: c.Outlet.Code, Name: c.Outlet.Name},
		ServiceCenter: api.ConversationCenter{Code: c.ServiceCenter.Code, Name: c.ServiceCenter.Name, StaffLanguageCode: c.ServiceCenter.StaffLanguage},
		RoomNumber:    c.RoomNumber, GuestFirstName: c.GuestFirstName, GuestLastName: c.GuestLastName,
		GuestLanguageCode: c.GuestLanguage, OrderForm: json.RawMessage("null"), UnreadCount: c.UnreadCount,
		LastMessageAt: zeroableTime(c.LastMessageAt),
		CreatedAt:     formatTime(c.CreatedAt), UpdatedAt: formatTime(c.UpdatedAt),
	}
	if c.Stay != nil {
		out.Stay = &api.ConversationStay{RoomNumber: c.Stay.RoomNumber, FirstName: c.Stay.FirstName, LastName: c.Stay.LastName,
			LanguageCode: c.Stay.Language, Arrival: string(c.Stay.Arrival), Departure: string(c.Stay.Departure),
			BookingReference: c.Stay.BookingReference}
	}
	if c.Guest != nil {
		out.GuestIdentifier = &c.Guest.Identifier
	}
	if c.Order != nil {
		out.Order = &api.OrderRef{Code: c.Order.Code, Status: string(c.Order.Status)}
	}
	if len(c.OrderForm) > 0 && json.Valid(c.OrderForm) {
		out.OrderForm = c.OrderForm
	}
	if c.Assignee != nil {
		out.Assignee = assigneeOf(c.Assignee.Username, c.Assignee.DisplayName)
	}
	return out
}

// messageOf renders a message as staff see it: the original, its finished translations
// (language → text) and where each translation stands (pending, done, failed, unsupported),
// so staff see a translation that is late or will not come. The author's username is null
// for guest and system messages, or when the user was removed.
func messageOf(m concierge.StaffMessage) api.Message {
	out := api.Message{
		Code: m.Code, ConversationCode: m.ConversationCode, Seq: m.Seq, Type: string(m.Type), Content: m.Content,
		LanguageCode: m.Language, Translations: map[string]string{}, TranslationStates: map[string]string{},
		CreatedAt: formatTime(m.CreatedAt),
		Author:    api.Author{FirstName: m.AuthorFirstName, LastName: m.AuthorLastName, Username: optionalString(m.AuthorUsername)},
		IsRead:    m.ReadAt != nil, ReadAt: formatOptionalTime(m.ReadAt),
	}
	for _, t := range m.Translations {
		out.TranslationStates[t.Language] = string(t.State)
		if t.State == concierge.TranslationDone {
			out.Translations[t.Language] = t.Content
		}
	}
	return out
}

// getConversation answers one conversation with all its messages, Notes included.
func (h *Handler) getConversation(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	c, err := h.svc.StaffConversation(r.Context(), p, r.PathValue("code"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := api.ConversationDetail{Conversation: conversationOf(c), Messages: make([]api.Message, 0, len(c.Messages))}
	for _, m := range c.Messages {
		out.Messages = append(out.Messages, messageOf(m))
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// addMessage writes a staff reply or note and answers it (201).
func (h *Handler) addMessage(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req api.AddMessageRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	m, err := h.svc.AddStaffMessage(r.Context(), p, r.PathValue("code"), req.Type, req.Content)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusCreated, messageOf(*m))
}

// answerConversation answers the conversation an act returned, or its error.
func (h *Handler) answerConversation(w http.ResponseWriter, r *http.Request, c *concierge.StaffConversation, err error) {
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, conversationOf(c))
}

// closeConversation closes a conversation and answers it.
func (h *Handler) closeConversation(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	c, err := h.svc.SetStaffConversationStatus(r.Context(), p, r.PathValue("code"), concierge.ConversationClosed)
	h.answerConversation(w, r, c, err)
}

// reopenConversation reopens a conversation and answers it.
func (h *Handler) reopenConversation(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	c, err := h.svc.SetStaffConversationStatus(r.Context(), p, r.PathValue("code"), concierge.ConversationOpen)
	h.answerConversation(w, r, c, err)
}

// readConversation marks the guest's messages read by staff and answers the conversation.
func (h *Handler) readConversation(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req api.ReadRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := h.svc.MarkStaffRead(r.Context(), p, r.PathValue("code"), req.UpToMessageCode)
	h.answerConversation(w, r, c, err)
}

// assignConversation assigns (or unassigns) a conversation and answers it.
func (h *Handler) assignConversation(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req api.AssignRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	username := ""
	if req.Username != nil {
		username = *req.Username
	}
	c, err := h.svc.AssignConversation(r.Context(), p, r.PathValue("code"), username)
	h.answerConversation(w, r, c, err)
}

// unassignConversation clears a conversation's assignee and answers it.
func (h *Handler) unassignConversation(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	c, err := h.svc.AssignConversation(r.Context(), p, r.PathValue("code"), "")
	h.answerConversation(w, r, c, err)
}

// moveConversation moves a conversation to another outlet and answers it.
func (h *Handler) moveConversation(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req api.MoveRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := h.svc.MoveConversation(r.Context(), p, r.PathValue("code"), req.OutletCode)
	h.answerConversation(w, r, c, err)
}
