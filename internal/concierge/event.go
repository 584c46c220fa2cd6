package concierge

import (
	"context"
	"time"
)

// EventKind names what changed (SPEC §6).
type EventKind string

// The event kinds. message.translated is reserved for translations (SPEC §7).
const (
	EventMessageCreated      EventKind = "message.created"
	EventMessageTranslated   EventKind = "message.translated"
	EventMessageRead         EventKind = "message.read"
	EventConversationUpdated EventKind = "conversation.updated"
	EventOrderUpdated        EventKind = "order.updated"
	// EventAccessEnded is internal, never delivered to a client nor a webhook: a change ended
	// or may have ended the right of some sessions or logins (Event.Subject names which), so
	// that their open streams, on every node, re-check it at once and end (access.go).
	EventAccessEnded EventKind = "access.ended"
)

// Event is one entry of the event log: a pointer to what changed, never a copy of it. Seq is
// global and strictly increasing in commit order. Every event names a conversation (an order
// change appends one order.updated per conversation linked to the order); MessageID is set for
// message.created.
type Event struct {
	Seq            int64
	Kind           EventKind
	ConversationID int64
	MessageID      *int64
	PropertyID     int64
	CreatedAt      time.Time
	// Owner is the conversation's stay and guest identity as EventsAfter read them (from the
	// conversation, in the same statement as the event), nil when the conversation no longer
	// exists: the live paths need not read each event's conversation (conversation_owner.go).
	Owner *EventOwner
	// Subject is set for access.ended only (ConversationID and PropertyID are then 0): whose
	// right the change ended (see AccessSubject).
	Subject string
}

// EventOwner is who owned an event's conversation when the event was read.
type EventOwner struct {
	StayID  *int64
	GuestID *int64
}

// EventStore reads and prunes the event log. It is part of Store. The writes append the
// events of their changes in the same transaction, and a write that fails appends none:
//
//   - Conversations.Create: conversation.updated, then message.created for a first message;
//   - Conversations.AddMessage: message.created, then conversation.updated when the status
//     changed;
//   - Conversations.SetStatus, Assign and Move: conversation.updated;
//   - Conversations.MarkRead: message.read, only when some message changed;
//   - Orders.Save: message.created per System message, then order.updated per conversation
//     linked to each order whose status changed;
//   - access.ended (internal, see AccessSubject): GuestSessions.Revoke and Replace (the
//     session), RevokeStaffSession (the login), UpdateStaffUser and RevokeStaffSessionsOfUser
//     (the user), RevokeAPIKey (the key), RevokeInterfaceToken (the token), Erasures.Erase
//     (the stay or guest), UpsertStays (each stay whose departure changed).
type EventStore interface {
	// EventsAfter lists the events with Seq greater than afterSeq, ascending by Seq, at most
	// limit (≤ 0: all), each with its conversation's owners (Event.Owner, nil when the
	// conversation no longer exists).
	EventsAfter(ctx context.Context, afterSeq int64, limit int) ([]Event, error)
	// LatestEventSeq returns the highest Seq ever appended (pruned or not); 0 when none.
	LatestEventSeq(ctx context.Context) (int64, error)
	// OldestEventSeq returns the lowest Seq still kept; 0 when the log is empty.
	OldestEventSeq(ctx context.Context) (int64, error)
	// PruneEvents deletes the events created before the given time and returns how many.
	PruneEvents(ctx context.Context, before time.Time) (int, error)
	// ConversationByID finds a conversation by its integer id (what events point to);
	// ErrNotFound when none.
	ConversationByID(ctx context.Context, id int64) (Conversation, error)
}
