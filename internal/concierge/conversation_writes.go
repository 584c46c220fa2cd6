package concierge

import (
	"context"
	"time"
)

// ConversationRef names a conversation and its property (which never changes): what a write
// needs to append the conversation's events without reading it again.
type ConversationRef struct {
	ID         int64
	PropertyID int64
}

// Ref returns the reference of c.
func (c Conversation) Ref() ConversationRef {
	return ConversationRef{ID: c.ID, PropertyID: c.PropertyID}
}

// Conversations writes conversations and their messages: what each change stores and which
// events it appends (EventStore lists them), written once over the store's transactions.
type Conversations struct {
	store Transactor
}

// NewConversations returns the conversation writes over store.
func NewConversations(store Transactor) Conversations { return Conversations{store: store} }

// Create stores c and, when first is not nil, its first message (sequence 1) in one
// transaction, with conversation.updated then message.created. It sets c.ID and first's ID,
// ConversationID and Seq. ErrConflict when c's or first's code is taken (nothing is stored).
func (w Conversations) Create(ctx context.Context, c *Conversation, first *Message) error {
	var convID, msgID, seq int64
	err := w.store.Write(ctx, func(tx Tx) error {
		var err error
		msgID, seq = 0, 0
		if convID, err = tx.InsertConversation(ctx, c); err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, conversationEvent(EventConversationUpdated, convID, c.PropertyID, c.CreatedAt)); err != nil {
			return err
		}
		if first == nil {
			return nil
		}
		if msgID, seq, err = tx.InsertMessage(ctx, convID, first); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, messageEvent(convID, c.PropertyID, msgID, first.CreatedAt))
	})
	if err != nil {
		return err
	}
	c.ID = convID
	if first != nil {
		first.ID, first.ConversationID, first.Seq = msgID, convID, seq
	}
	return nil
}

// AddMessage appends m to conversation m.ConversationID with the next sequence number and
// sets the conversation's status and updated time, in one transaction with message.created,
// then conversation.updated when the status changed. It sets m.ID and m.Seq. ErrNotFound
// when the conversation does not exist; ErrConflict when m's code is taken.
func (w Conversations) AddMessage(ctx context.Context, m *Message, status ConversationStatus, at time.Time) error {
	var id, seq int64
	err := w.store.Write(ctx, func(tx Tx) error {
		conv, err := tx.ConversationForUpdate(ctx, m.ConversationID)
		if err != nil {
			return err
		}
		if err := tx.UpdateConversationStatus(ctx, m.ConversationID, status, at); err != nil {
			return err
		}
		if id, seq, err = tx.InsertMessage(ctx, m.ConversationID, m); err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, messageEvent(m.ConversationID, conv.PropertyID, id, m.CreatedAt)); err != nil {
			return err
		}
		if conv.Status == status {
			return nil
		}
		return tx.AppendEvent(ctx, conversationEvent(EventConversationUpdated, m.ConversationID, conv.PropertyID, at))
	})
	if err != nil {
		return err
	}
	m.ID, m.Seq = id, seq
	return nil
}

// SetStatus sets conversation c's status and updated time, with conversation.updated, in one
// transaction; ErrNotFound when the conversation does not exist.
func (w Conversations) SetStatus(ctx context.Context, c ConversationRef, status ConversationStatus, at time.Time) error {
	return w.store.Write(ctx, func(tx Tx) error {
		if err := tx.UpdateConversationStatus(ctx, c.ID, status, at); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, conversationEvent(EventConversationUpdated, c.ID, c.PropertyID, at))
	})
}

// Assign sets (nil: clears) conversation c's assignee and its updated time, with
// conversation.updated, in one transaction; ErrNotFound when the conversation does not exist.
func (w Conversations) Assign(ctx context.Context, c ConversationRef, assigneeID *int64, at time.Time) error {
	return w.store.Write(ctx, func(tx Tx) error {
		if err := tx.UpdateConversationAssignee(ctx, c.ID, assigneeID, at); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, conversationEvent(EventConversationUpdated, c.ID, c.PropertyID, at))
	})
}

// Move moves conversation c to outlet outletID (of its property) and sets its updated time,
// clearing its assignee when unassign, and queues the translations its new readers need
// (Tx.QueueTranslations: those it already has are skipped), with conversation.updated, in one
// transaction: the event announces the jobs. ErrNotFound when the conversation does not exist.
func (w Conversations) Move(ctx context.Context, c ConversationRef, outletID int64, unassign bool, at time.Time, translations ...Translation) error {
	return w.store.Write(ctx, func(tx Tx) error {
		if err := tx.UpdateConversationOutlet(ctx, c.ID, outletID, at); err != nil {
			return err
		}
		if len(translations) > 0 {
			if _, err := tx.QueueTranslations(ctx, translations); err != nil {
				return err
			}
		}
		if unassign {
			if err := tx.UpdateConversationAssignee(ctx, c.ID, nil, at); err != nil {
				return err
			}
		}
		return tx.AppendEvent(ctx, conversationEvent(EventConversationUpdated, c.ID, c.PropertyID, at))
	})
}

// MarkRead sets the read time of every unread message of conversation c whose type is one of
// types and whose sequence number is at most upToSeq (0: any), and returns how many changed;
// when some did, it appends message.read in the same transaction. An unknown conversation has
// no messages to change: 0 and no error.
func (w Conversations) MarkRead(ctx context.Context, c ConversationRef, types []MessageType, upToSeq int64, at time.Time) (int, error) {
	if len(types) == 0 {
		return 0, nil
	}
	var n int
	err := w.store.Write(ctx, func(tx Tx) error {
		var err error
		if n, err = tx.MarkMessagesRead(ctx, c.ID, types, upToSeq, at); err != nil || n == 0 {
			return err
		}
		return tx.AppendEvent(ctx, conversationEvent(EventMessageRead, c.ID, c.PropertyID, at))
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// conversationEvent is an event of the given kind about conversation convID of property
// propertyID.
func conversationEvent(kind EventKind, convID, propertyID int64, at time.Time) Event {
	return Event{Kind: kind, ConversationID: convID, PropertyID: propertyID, CreatedAt: at}
}

// messageEvent is message.created about message msgID of conversation convID.
func messageEvent(convID, propertyID, msgID int64, at time.Time) Event {
	e := conversationEvent(EventMessageCreated, convID, propertyID, at)
	e.MessageID = &msgID
	return e
}
