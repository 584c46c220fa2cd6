package concierge

import (
	"context"
	"time"
)

// InboxScope says which conversations a staff caller may see: every conversation when All,
// otherwise those at one of PropertyIDs or answered (through their outlet) by one of
// ServiceCenterIDs. The zero scope sees nothing.
type InboxScope struct {
	All              bool
	PropertyIDs      []int64
	ServiceCenterIDs []int64
}

// AssigneeFilter selects conversations by assignee.
type AssigneeFilter int

// The assignee filters: any conversation, only unassigned ones, or only those assigned to
// InboxQuery.AssigneeID.
const (
	AssigneeAnyone AssigneeFilter = iota
	AssigneeNobody
	AssigneeUser
)

// InboxPosition is a position in the inbox order (last activity descending, then id
// descending): the list continues with the conversations strictly after it.
type InboxPosition struct {
	UpdatedAt time.Time
	ID        int64
}

// InboxQuery selects a page of the inbox. Empty codes and a nil Status/Unread do not filter.
// Codes are compared case-insensitively.
type InboxQuery struct {
	Scope             InboxScope
	PropertyCode      string
	ServiceCenterCode string // the service center answering the conversation's outlet
	OutletCode        string
	Status            ConversationStatus // "" for any
	Assignee          AssigneeFilter
	AssigneeID        int64 // for AssigneeUser
	Unread            *bool // true: has unread Guest messages; false: has none
	// Terms are words that must all occur (each as a word prefix, accents and case ignored)
	// in the indexed text of one message of the conversation (its original or a translation;
	// Notes included). Empty: no search.
	Terms []string
	After *InboxPosition // nil: from the start
	Limit int            // at most this many (≤ 0: all)
}

// InboxItem is a conversation as the inbox lists it.
type InboxItem struct {
	Conversation
	PropertyCode      string
	OutletCode        string
	ServiceCenterID   int64
	ServiceCenterCode string
	RoomNumber        string // the stay's room; "" without a stay
	AssigneeUsername  string // "" when unassigned
	AssigneeName      string // the assignee's display name; "" when unassigned
	UnreadCount       int    // Guest messages not yet read by staff
	LastMessageAt     time.Time
	OutletName        string
	// LastMessage is the conversation's latest message (highest Seq) of any type, Notes
	// included; nil when it has none.
	LastMessage *InboxMessage
}

// InboxMessage is the last message of a conversation as the inbox shows it. A store fills
// Content with the whole original; Service.Inbox shortens it to a preview.
type InboxMessage struct {
	Code            string
	Type            MessageType
	Content         string // the original text
	Language        string // the original's language
	CreatedAt       time.Time
	AuthorFirstName string
	AuthorLastName  string
	AuthorUsername  string // the staff user who wrote a Staff message or Note; "" otherwise
}

// ServiceCenterCounts is a service center with its inbox counters.
type ServiceCenterCounts struct {
	ServiceCenter
	PropertyCode        string
	UnreadMessages      int // Guest messages not read by staff, in its conversations
	UnreadConversations int // its conversations with at least one such message
	Open                int // its Open conversations
}

// InboxStore persists what the staff inbox needs beyond the conversation methods of Store. It
// is part of Store.
type InboxStore interface {
	// Inbox lists the conversations of q.Scope that match q's filters, ordered by UpdatedAt
	// descending then ID descending, starting after q.After, at most q.Limit of them. A
	// conversation's service center is that of its current outlet. UnreadCount counts its
	// Guest messages with no read time; LastMessageAt is the creation time of LastMessage (zero
	// when it has none). LastMessage is its message with the highest Seq, Notes included, with
	// its whole original content (nil when it has none); all of it is read in the page's
	// query, not one query per conversation.
	Inbox(ctx context.Context, q InboxQuery) ([]InboxItem, error)
	// InboxCounts lists the service centers of scope (those of its properties, or its own
	// service centers) ascending by property code then code, each with its counters.
	InboxCounts(ctx context.Context, scope InboxScope) ([]ServiceCenterCounts, error)
}
