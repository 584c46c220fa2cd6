package api

import "encoding/json"

// LoginRequest logs a staff user in (POST /api/v1/auth/login).
type LoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// Login is the answer of a login: a bearer token, when it expires, and who it belongs to.
type Login struct {
	Token     string `json:"token"`
	ExpiresAt string `json:"expiresAt"`
	User      User   `json:"user"`
}

// Me describes the caller (GET /api/v1/me): a staff login (Kind "user") or an API key
// (Kind "apiKey").
type Me struct {
	Kind      string  `json:"kind"`
	User      *User   `json:"user,omitempty"`
	ExpiresAt string  `json:"expiresAt,omitempty"`
	APIKey    *APIKey `json:"apiKey,omitempty"`
}

// User is a logged-in staff user with what they may see: service centers as
// "PROPERTY/CENTER" and property codes.
type User struct {
	ID             int64    `json:"id"`
	Username       string   `json:"username"`
	DisplayName    string   `json:"displayName"`
	Role           string   `json:"role"`
	ServiceCenters []string `json:"serviceCenters"`
	Properties     []string `json:"properties"`
}

// StaffRef names a staff user: who a conversation is assigned to.
type StaffRef struct {
	Username    string `json:"username"`
	DisplayName string `json:"displayName"`
}

// ConversationSummary is a conversation in an inbox page (GET /api/v1/conversations).
type ConversationSummary struct {
	Code              string       `json:"code"`
	ID                int64        `json:"id"`
	Status            string       `json:"status"`
	Type              string       `json:"type"`
	Subject           string       `json:"subject"`
	PropertyCode      string       `json:"propertyCode"`
	ServiceCenterCode string       `json:"serviceCenterCode"`
	OutletCode        string       `json:"outletCode"`
	OutletName        string       `json:"outletName"`
	RoomNumber        string       `json:"roomNumber"`
	GuestFirstName    string       `json:"guestFirstName"`
	GuestLastName     string       `json:"guestLastName"`
	GuestLanguageCode string       `json:"guestLanguageCode"`
	Assignee          *StaffRef    `json:"assignee"`
	UnreadCount       int          `json:"unreadCount"`
	LastMessageAt     *string      `json:"lastMessageAt"`
	LastMessage       *LastMessage `json:"lastMessage"`
	CreatedAt         string       `json:"createdAt"`
	UpdatedAt         string       `json:"updatedAt"`
}

// LastMessage is an inbox item's latest message, notes included, its content shortened.
type LastMessage struct {
	Code         string `json:"code"`
	Type         string `json:"type"`
	Content      string `json:"content"`
	LanguageCode string `json:"languageCode"`
	CreatedAt    string `json:"createdAt"`
	Author       Author `json:"author"`
}

// ConversationList is a page of the inbox; NextCursor is empty on the last page.
type ConversationList struct {
	Conversations []ConversationSummary `json:"conversations"`
	NextCursor    string                `json:"nextCursor"`
}

// InboxCounts are the unread and open counts of the caller's service centers.
type InboxCounts struct {
	ServiceCenters []ServiceCenterCounts `json:"serviceCenters"`
}

// ServiceCenterCounts are one service center's counts.
type ServiceCenterCounts struct {
	Code                string `json:"code"`
	Name                string `json:"name"`
	PropertyCode        string `json:"propertyCode"`
	Unread              int    `json:"unread"`
	UnreadConversations int    `json:"unreadConversations"`
	Open                int    `json:"open"`
}

// CodeName is an object named by its code, with its display name.
type CodeName struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// ConversationCenter is the service center that answers a conversation.
type ConversationCenter struct {
	Code              string `json:"code"`
	Name              string `json:"name"`
	StaffLanguageCode string `json:"staffLanguageCode"`
}

// ConversationStay is the stay of a verified guest's conversation.
type ConversationStay struct {
	RoomNumber       string `json:"roomNumber"`
	FirstName        string `json:"firstName"`
	LastName         string `json:"lastName"`
	LanguageCode     string `json:"languageCode"`
	Arrival          string `json:"arrival"`
	Departure        string `json:"departure"`
	BookingReference string `json:"bookingReference"`
}

// OrderRef is the order a conversation is about, with its status.
type OrderRef struct {
	Code   string `json:"code"`
	Status string `json:"status"`
}

// Conversation is one conversation as staff see it.
type Conversation struct {
	Code              string             `json:"code"`
	ID                int64              `json:"id"`
	Status            string             `json:"status"`
	Type              string             `json:"type"`
	Subject           string             `json:"subject"`
	PropertyCode      string             `json:"propertyCode"`
	ServiceCenterCode string             `json:"serviceCenterCode"`
	OutletCode        string             `json:"outletCode"`
	Outlet            CodeName           `json:"outlet"`
	ServiceCenter     ConversationCenter `json:"serviceCenter"`
	RoomNumber        string             `json:"roomNumber"`
	GuestFirstName    string             `json:"guestFirstName"`
	GuestLastName     string             `json:"guestLastName"`
	GuestLanguageCode string             `json:"guestLanguageCode"`
	Stay              *ConversationStay  `json:"stay"`
	GuestIdentifier   *string            `json:"guestIdentifier"`
	Order             *OrderRef          `json:"order"`
	OrderForm         json.RawMessage    `json:"orderForm"`
	Assignee          *StaffRef          `json:"assignee"`
	UnreadCount       int                `json:"unreadCount"`
	LastMessageAt     *string            `json:"lastMessageAt"`
	CreatedAt         string             `json:"createdAt"`
	UpdatedAt         string             `json:"updatedAt"`
}

// Author is who wrote a message: a staff user's display name split in two with their username,
// or the guest's names (Username null).
type Author struct {
	FirstName string  `json:"firstName"`
	LastName  string  `json:"lastName"`
	Username  *string `json:"username"`
}

// Message is a message as staff see it: the original with its translations.
type Message struct {
	Code              string            `json:"code"`
	ConversationCode  string            `json:"conversationCode"`
	Seq               int64             `json:"seq"`
	Type              string            `json:"type"`
	Content           string            `json:"content"`
	LanguageCode      string            `json:"languageCode"`
	Translations      map[string]string `json:"translations"`
	CreatedAt         string            `json:"createdAt"`
	Author            Author            `json:"author"`
	IsRead            bool              `json:"isRead"`
	ReadAt            *string           `json:"readAt"`
	TranslationStates map[string]string `json:"translationStates"`
}

// ConversationDetail is a conversation with all its messages, notes included.
type ConversationDetail struct {
	Conversation Conversation `json:"conversation"`
	Messages     []Message    `json:"messages"`
}

// AddMessageRequest is a staff reply (Type "Staff") or an internal note (Type "Note").
type AddMessageRequest struct {
	Content string `json:"content"`
	Type    string `json:"type"`
}

// ReadRequest marks a conversation's guest messages read, up to one message when given.
type ReadRequest struct {
	UpToMessageCode string `json:"upToMessageCode,omitempty"`
}

// AssignRequest assigns a conversation to a staff user; a null or empty Username unassigns it.
type AssignRequest struct {
	Username *string `json:"username"`
}

// MoveRequest moves a conversation to another outlet of its property.
type MoveRequest struct {
	OutletCode string `json:"outletCode"`
}

// EventTicket is a single-use ticket for the staff WebSocket (POST /api/v1/events/ticket): the
// browser opens /api/v1/events/ws?ticket=… before ExpiresAt, on the same node.
type EventTicket struct {
	Ticket    string `json:"ticket"`
	ExpiresAt string `json:"expiresAt"`
}

// StaffEvent is the data of a staff live event (SPEC §6) and of a webhook delivery's kind.
type StaffEvent struct {
	Kind             string        `json:"kind"`
	ConversationCode string        `json:"conversationCode"`
	Message          *Message      `json:"message,omitempty"`
	Conversation     *Conversation `json:"conversation,omitempty"`
	Order            *OrderRef     `json:"order,omitempty"`
}

// WebhookBody is what a webhook endpoint receives for one event.
type WebhookBody struct {
	DeliveryID       string        `json:"deliveryId"`
	Kind             string        `json:"kind"`
	Seq              int64         `json:"seq"`
	CreatedAt        string        `json:"createdAt"`
	Property         string        `json:"property"`
	ConversationCode string        `json:"conversationCode"`
	Message          *Message      `json:"message,omitempty"`
	Conversation     *Conversation `json:"conversation,omitempty"`
	Order            *OrderRef     `json:"order,omitempty"`
}
