package concierge

import (
	"encoding/json"
	"strings"
	"time"
)

// ConversationStatus is Open or Closed.
type ConversationStatus string

// The conversation statuses.
const (
	ConversationOpen   ConversationStatus = "Open"
	ConversationClosed ConversationStatus = "Closed"
)

// ParseConversationStatus parses a status name case-insensitively.
func ParseConversationStatus(s string) (ConversationStatus, bool) {
	switch {
	case strings.EqualFold(s, string(ConversationOpen)):
		return ConversationOpen, true
	case strings.EqualFold(s, string(ConversationClosed)):
		return ConversationClosed, true
	}
	return "", false
}

// Conversation is a thread between a guest and an outlet's service center.
type Conversation struct {
	ID             int64  // integer id, unique; the wire's conversationId
	Code           string // opaque unique string
	PropertyID     int64
	OutletID       int64
	OrderID        *int64
	StayID         *int64
	GuestID        *int64
	Subject        string
	Status         ConversationStatus
	Type           string // "" or "guest"
	AssigneeID     *int64
	GuestFirstName string
	GuestLastName  string
	GuestLanguage  string
	OrderForm      json.RawMessage // the non-verified guest's order-form dictionary, or nil
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// MessageType is who wrote a message.
type MessageType string

// The message types. Notes are staff-internal and never shown to guests.
const (
	MessageGuest  MessageType = "Guest"
	MessageStaff  MessageType = "Staff"
	MessageSystem MessageType = "System"
	MessageNote   MessageType = "Note"
)

// Message is one message of a conversation.
type Message struct {
	ID              int64
	Code            string
	ConversationID  int64
	Seq             int64 // per-conversation sequence number, from 1
	Type            MessageType
	AuthorFirstName string
	AuthorLastName  string
	StaffUserID     *int64
	Content         string // the original text
	Language        string // the original's language
	CreatedAt       time.Time
	ReadAt          *time.Time // when the recipient read it

	// TranslateTo, when set on a message being written, queues its translation into this
	// language in the message's transaction (see TranslationStore); the Service decides it.
	TranslateTo string
	// Translations are the message's translations and their states, as the Service loaded them
	// (nil when not loaded).
	Translations []Translation
}

// GuestMessage is a message as a guest's app needs it: the message, the integer id of its
// conversation and the name of the service center answering that conversation.
type GuestMessage struct {
	Message
	ConversationCode  string
	ServiceCenterName string
	// Shown is the translation the guest reads instead of the original (SPEC §4.4); nil: the
	// original.
	Shown *Translation
}

// ConversationDetail is a conversation with what its wire shapes need about it.
type ConversationDetail struct {
	Conversation
	Outlet        Outlet
	ServiceCenter ServiceCenter
	Order         *Order
	RoomNumber    string
	PropertyCode  string
}

// ConversationSummary is a conversation with what lists show about its messages.
type ConversationSummary struct {
	Conversation
	UnreadCount   int
	LastMessageAt time.Time
}
