package staffapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"concierge/internal/concierge"
)

// The staff inbox and conversation routes (SPEC §5 "inbox", "conversation", "act").

// conversationSummaryJSON is a conversation as the inbox lists it.
type conversationSummaryJSON struct {
	Code              string        `json:"code"`
	ID                int64         `json:"id"`
	Status            string        `json:"status"`
	Type              string        `json:"type"`
	Subject           string        `json:"subject"`
	PropertyCode      string        `json:"propertyCode"`
	ServiceCenterCode string        `json:"serviceCenterCode"`
	OutletCode        string        `json:"outletCode"`
	OutletName        string        `json:"outletName"`
	RoomNumber        string        `json:"roomNumber"`
	GuestFirstName    string        `json:"guestFirstName"`
	GuestLastName     string        `json:"guestLastName"`
	GuestLanguageCode string        `json:"guestLanguageCode"`
	Assignee          *assigneeJSON `json:"assignee"` // null when unassigned
	UnreadCount       int           `json:"unreadCount"`
	LastMessageAt     *string       `json:"lastMessageAt"` // null without messages
	// LastMessage is the latest message, Notes included, its content shortened; null without
	// messages.
	LastMessage *lastMessageJSON `json:"lastMessage"`
	CreatedAt   string           `json:"createdAt"`
	UpdatedAt   string           `json:"updatedAt"`
}

// lastMessageJSON is the last message of a conversation as the inbox shows it.
type lastMessageJSON struct {
	Code         string     `json:"code"`
	Type         string     `json:"type"`
	Content      string     `json:"content"`      // the original, shortened by the service
	LanguageCode string     `json:"languageCode"` // the original's
	CreatedAt    string     `json:"createdAt"`
	Author       authorJSON `json:"author"`
}

func lastMessageOf(m *concierge.InboxMessage) *lastMessageJSON {
	if m == nil {
		return nil
	}
	return &lastMessageJSON{Code: m.Code, Type: string(m.Type), Content: m.Content, LanguageCode: m.Language,
		CreatedAt: formatTime(m.CreatedAt),
		Author:    authorJSON{FirstName: m.AuthorFirstName, LastName: m.AuthorLastName, Username: optionalString(m.AuthorUsername)}}
}

// conversationListJSON is a page of the inbox; nextCursor is "" on the last page.
type conversationListJSON struct {
	Conversations []conversationSummaryJSON `json:"conversations"`
	NextCursor    string                    `json:"nextCursor"`
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

func summaryOf(it concierge.InboxItem) conversationSummaryJSON {
	return conversationSummaryJSON{
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
	out := conversationListJSON{Conversations: make([]conversationSummaryJSON, 0, len(items))}
	for _, it := range items {
		out.Conversations = append(out.Conversations, summaryOf(it))
	}
	if more {
		last := items[len(items)-1]
		out.NextCursor = encodeInboxCursor(concierge.InboxPosition{UpdatedAt: last.UpdatedAt, ID: last.ID})
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// serviceCenterCountsJSON is a service center with its inbox counters.
type serviceCenterCountsJSON struct {
	Code                string `json:"code"`
	Name                string `json:"name"`
	PropertyCode        string `json:"propertyCode"`
	Unread              int    `json:"unread"`
	UnreadConversations int    `json:"unreadConversations"`
	Open                int    `json:"open"`
}

type inboxCountsJSON struct {
	ServiceCenters []serviceCenterCountsJSON `json:"serviceCenters"`
}

// inboxCounts answers the unread and open counters of every service center the caller may see
// (GET /api/v1/inbox/counts).
func (h *Handler) inboxCounts(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	counts, err := h.svc.InboxCounts(r.Context(), p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := inboxCountsJSON{ServiceCenters: make([]serviceCenterCountsJSON, 0, len(counts))}
	for _, c := range counts {
		out.ServiceCenters = append(out.ServiceCenters, serviceCenterCountsJSON{Code: c.Code, Name: c.Name,
			PropertyCode: c.PropertyCode, Unread: c.UnreadMessages, UnreadConversations: c.UnreadConversations, Open: c.Open})
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// codeNameJSON is an object named by code, with its name.
type codeNameJSON struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

type serviceCenterJSON struct {
	Code              string `json:"code"`
	Name              string `json:"name"`
	StaffLanguageCode string `json:"staffLanguageCode"`
}

type stayJSON struct {
	RoomNumber       string `json:"roomNumber"`
	FirstName        string `json:"firstName"`
	LastName         string `json:"lastName"`
	LanguageCode     string `json:"languageCode"`
	Arrival          string `json:"arrival"`
	Departure        string `json:"departure"`
	BookingReference string `json:"bookingReference"`
}

type orderJSON struct {
	Code   string `json:"code"`
	Status string `json:"status"`
}

// assigneeJSON is the staff user a conversation is assigned to: the same shape in the inbox,
// the conversation and its events.
type assigneeJSON struct {
	Username    string `json:"username"`
	DisplayName string `json:"displayName"`
}

// assigneeOf is the assignee of that username and display name; nil when username is empty.
func assigneeOf(username, displayName string) *assigneeJSON {
	if username == "" {
		return nil
	}
	return &assigneeJSON{Username: username, DisplayName: displayName}
}

// conversationJSON is a conversation as staff see it, in full.
type conversationJSON struct {
	Code              string            `json:"code"`
	ID                int64             `json:"id"`
	Status            string            `json:"status"`
	Type              string            `json:"type"`
	Subject           string            `json:"subject"`
	PropertyCode      string            `json:"propertyCode"`
	ServiceCenterCode string            `json:"serviceCenterCode"`
	OutletCode        string            `json:"outletCode"`
	Outlet            codeNameJSON      `json:"outlet"`
	ServiceCenter     serviceCenterJSON `json:"serviceCenter"`
	RoomNumber        string            `json:"roomNumber"`
	GuestFirstName    string            `json:"guestFirstName"`
	GuestLastName     string            `json:"guestLastName"`
	GuestLanguageCode string            `json:"guestLanguageCode"`
	Stay              *stayJSON         `json:"stay"`            // null for a non-verified guest
	GuestIdentifier   *string           `json:"guestIdentifier"` // the non-verified guest's, else null
	Order             *orderJSON        `json:"order"`
	OrderForm         json.RawMessage   `json:"orderForm"` // the stored JSON object, or null
	Assignee          *assigneeJSON     `json:"assignee"`
	UnreadCount       int               `json:"unreadCount"`
	LastMessageAt     *string           `json:"lastMessageAt"`
	CreatedAt         string            `json:"createdAt"`
	UpdatedAt         string            `json:"updatedAt"`
}

func conversationOf(c *concierge.StaffConversation) conversationJSON {
	out := conversationJSON{
		Code: c.Code, ID: c.ID, Status: string(c.Status), Type: c.Type, Subject: c.Subject,
		PropertyCode: c.PropertyCode, ServiceCenterCode: c.ServiceCenter.Code, OutletCode: c.Outlet.Code,
		Outlet:        codeNameJSON{Code: c.Outlet.Code, Name: c.Outlet.Name},
		ServiceCenter: serviceCenterJSON{Code: c.ServiceCenter.Code, Name: c.ServiceCenter.Name, StaffLanguageCode: c.ServiceCenter.StaffLanguage},
		RoomNumber:    c.RoomNumber, GuestFirstName: c.GuestFirstName, GuestLastName: c.GuestLastName,
		GuestLanguageCode: c.GuestLanguage, OrderForm: json.RawMessage("null"), UnreadCount: c.UnreadCount,
		LastMessageAt: zeroableTime(c.LastMessageAt),
		CreatedAt:     formatTime(c.CreatedAt), UpdatedAt: formatTime(c.UpdatedAt),
	}
	if c.Stay != nil {
		out.Stay = &stayJSON{RoomNumber: c.Stay.RoomNumber, FirstName: c.Stay.FirstName, LastName: c.Stay.LastName,
			LanguageCode: c.Stay.Language, Arrival: string(c.Stay.Arrival), Departure: string(c.Stay.Departure),
			BookingReference: c.Stay.BookingReference}
	}
	if c.Guest != nil {
		out.GuestIdentifier = &c.Guest.Identifier
	}
	if c.Order != nil {
		out.Order = &orderJSON{Code: c.Order.Code, Status: string(c.Order.Status)}
	}
	if len(c.OrderForm) > 0 && json.Valid(c.OrderForm) {
		out.OrderForm = c.OrderForm
	}
	if c.Assignee != nil {
		out.Assignee = assigneeOf(c.Assignee.Username, c.Assignee.DisplayName)
	}
	return out
}

// authorJSON names who wrote a message: the names shown to readers, and for Staff messages and
// Notes the staff user's username (null otherwise, or when the user was removed).
type authorJSON struct {
	FirstName string  `json:"firstName"`
	LastName  string  `json:"lastName"`
	Username  *string `json:"username"`
}

// messageJSON is a message as staff see it.
type messageJSON struct {
	Code             string            `json:"code"`
	ConversationCode string            `json:"conversationCode"`
	Seq              int64             `json:"seq"`
	Type             string            `json:"type"`
	Content          string            `json:"content"`      // the original
	LanguageCode     string            `json:"languageCode"` // the original's
	Translations     map[string]string `json:"translations"` // language → text
	CreatedAt        string            `json:"createdAt"`
	Author           authorJSON        `json:"author"`
	IsRead           bool              `json:"isRead"`
	ReadAt           *string           `json:"readAt"`

	// TranslationStates is where each translation of the message stands (language → pending,
	// done, failed, unsupported), so staff see a translation that is late or will not come.
	TranslationStates map[string]string `json:"translationStates"`
}

func messageOf(m concierge.StaffMessage) messageJSON {
	out := messageJSON{
		Code: m.Code, ConversationCode: m.ConversationCode, Seq: m.Seq, Type: string(m.Type), Content: m.Content,
		LanguageCode: m.Language, Translations: map[string]string{}, TranslationStates: map[string]string{},
		CreatedAt: formatTime(m.CreatedAt),
		Author:    authorJSON{FirstName: m.AuthorFirstName, LastName: m.AuthorLastName, Username: optionalString(m.AuthorUsername)},
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

// conversationDetailJSON is the answer of GET /api/v1/conversations/{code}.
type conversationDetailJSON struct {
	Conversation conversationJSON `json:"conversation"`
	Messages     []messageJSON    `json:"messages"`
}

// getConversation answers one conversation with all its messages, Notes included.
func (h *Handler) getConversation(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	c, err := h.svc.StaffConversation(r.Context(), p, r.PathValue("code"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := conversationDetailJSON{Conversation: conversationOf(c), Messages: make([]messageJSON, 0, len(c.Messages))}
	for _, m := range c.Messages {
		out.Messages = append(out.Messages, messageOf(m))
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// addMessageRequest is the body of POST /api/v1/conversations/{code}/messages.
type addMessageRequest struct {
	Content string
	Type    string
}

// addMessage writes a staff reply or note and answers it (201).
func (h *Handler) addMessage(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req addMessageRequest
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

// readRequest is the body of POST /api/v1/conversations/{code}/read (optional).
type readRequest struct {
	UpToMessageCode string
}

// readConversation marks the guest's messages read by staff and answers the conversation.
func (h *Handler) readConversation(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req readRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := h.svc.MarkStaffRead(r.Context(), p, r.PathValue("code"), req.UpToMessageCode)
	h.answerConversation(w, r, c, err)
}

// assignRequest is the body of POST /api/v1/conversations/{code}/assign; a null or empty
// username unassigns.
type assignRequest struct {
	Username *string
}

// assignConversation assigns (or unassigns) a conversation and answers it.
func (h *Handler) assignConversation(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req assignRequest
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

// moveRequest is the body of POST /api/v1/conversations/{code}/move.
type moveRequest struct {
	OutletCode string
}

// moveConversation moves a conversation to another outlet and answers it.
func (h *Handler) moveConversation(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req moveRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := h.svc.MoveConversation(r.Context(), p, r.PathValue("code"), req.OutletCode)
	h.answerConversation(w, r, c, err)
}
