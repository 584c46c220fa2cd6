package concierge

import (
	"context"
	"time"
)

// Transactor runs the domain's write functions in store transactions: the seam between the
// rules, written once here, and the engines (SQLite, PostgreSQL), which offer only rule-free
// table operations (Tx) inside a transaction and map their errors.
//
// # The write contract
//
// Write runs fn in a write transaction and returns nil only once that transaction has durably
// committed; otherwise it returns fn's error (or the engine's, wrapped) and nothing fn wrote is
// kept. fn may run more than once before Write returns: SQLite's writer runs it again, alone,
// when the group commit it shared with other writes failed, and PostgreSQL runs it again after
// a serialization failure or deadlock. So every fn the domain passes:
//
//   - reads and writes only through tx, and calls nothing that does I/O outside it (no other
//     store call, no network, no clock: take times before Write);
//   - derives what it reports from its arguments and what tx answers, assigning results to
//     variables outside it (never appending to them or changing its inputs), so that a run
//     replaces everything an earlier run reported;
//   - does not call Write (the SQLite writer would wait for itself).
//
// Events appended through tx (AppendEvent) become visible to readers with the commit, in
// commit order, and the store announces the newest one after it.
type Transactor interface {
	// Write runs fn in a write transaction, under the contract above. A ctx that ends before
	// fn starts makes Write return ctx's error without running fn.
	Write(ctx context.Context, fn func(Tx) error) error
}

// Tx is the table operations of one write transaction. Each does one thing to the tables,
// decides nothing and maps its engine's errors to ErrNotFound and ErrConflict; the domain
// composes them under the write contract (Transactor).
type Tx interface {
	ConversationTx
	MessageTx
	OrderTx
	GuestDataTx
	SessionTx
	CredentialTx
	ConfigurationTx
	EventTx
	AuditTx
}

// ConversationState is what a write reads of a conversation before changing it.
type ConversationState struct {
	PropertyID int64
	Status     ConversationStatus
}

// ConversationTx is the conversation rows' operations of a write transaction.
type ConversationTx interface {
	// ConversationForUpdate reads the conversation id and locks it until the commit, so that
	// messages added to it are numbered one after the other; ErrNotFound when none.
	ConversationForUpdate(ctx context.Context, id int64) (ConversationState, error)
	// InsertConversation stores c (its ID is ignored) and returns its new id; ErrConflict when
	// its code is taken.
	InsertConversation(ctx context.Context, c *Conversation) (int64, error)
	// UpdateConversationStatus sets the conversation's status and updated time; ErrNotFound
	// when it does not exist.
	UpdateConversationStatus(ctx context.Context, id int64, status ConversationStatus, at time.Time) error
	// UpdateConversationAssignee sets (nil: clears) the conversation's assignee and its
	// updated time; ErrNotFound when it does not exist.
	UpdateConversationAssignee(ctx context.Context, id int64, assigneeID *int64, at time.Time) error
	// UpdateConversationOutlet sets the conversation's outlet and its updated time;
	// ErrNotFound when it does not exist.
	UpdateConversationOutlet(ctx context.Context, id, outletID int64, at time.Time) error
	// TouchConversation sets the conversation's updated time; ErrNotFound when it does not
	// exist.
	TouchConversation(ctx context.Context, id int64, at time.Time) error
	// ConversationsByOrder lists the conversations linked to an order, ascending by id.
	ConversationsByOrder(ctx context.Context, orderID int64) ([]Conversation, error)
}

// OrderTx is the order rows' operations of a write transaction.
type OrderTx interface {
	// OrderByCodeForUpdate finds an order by code at a property, case-insensitively, and
	// locks it until the commit; ErrNotFound when none.
	OrderByCodeForUpdate(ctx context.Context, propertyID int64, code string) (Order, error)
	// InsertOrder stores o (its ID is ignored) and returns its new id; ErrConflict when its
	// code is taken at its property.
	InsertOrder(ctx context.Context, o *Order) (int64, error)
	// UpdateOrder sets the stay, outlet, status and updated time of order o.ID (its code and
	// property stay); ErrNotFound when it does not exist.
	UpdateOrder(ctx context.Context, o *Order) error
}

// MessageTx is the message rows' operations of a write transaction.
type MessageTx interface {
	// InsertMessage stores m (its ID, ConversationID and Seq are ignored) as the next message
	// of conversation convID, numbered one above its highest sequence number (1 for its
	// first), with its searchable text and, when m.TranslateTo is set, a Pending translation
	// job due at m.CreatedAt; it returns the new id and sequence number. The caller holds the
	// conversation's lock (ConversationForUpdate, or it inserted the conversation in this
	// transaction). ErrConflict when m's code is taken.
	InsertMessage(ctx context.Context, convID int64, m *Message) (id, seq int64, err error)
	// QueueTranslations queues each given translation as a Pending job (MessageID, Language,
	// Source; NextAttemptAt also as its time of update), skipping one whose message already
	// has a translation (in any state) into that language or no longer exists, and returns
	// how many it queued.
	QueueTranslations(ctx context.Context, ts []Translation) (int, error)
	// UpdatePendingTranslation stores out (state, content, error, next attempt and update
	// time) in the Pending translation of messageID into target and returns the message's
	// conversation; ErrNotFound when there is no such Pending translation.
	UpdatePendingTranslation(ctx context.Context, messageID int64, target string, out TranslationOutcome) (ConversationRef, error)
	// IndexTranslation makes a done translation of a message searchable in the inbox.
	IndexTranslation(ctx context.Context, messageID int64, language, text string) error
	// MarkMessagesRead sets the read time of the conversation's unread messages whose type is
	// one of types and whose sequence number is at most upToSeq (0: any), and returns how many
	// changed.
	MarkMessagesRead(ctx context.Context, convID int64, types []MessageType, upToSeq int64, at time.Time) (int, error)
}

// GuestDataTx is the operations of a write transaction that erases a guest's data (Erasures).
// owner names a stay (owner.StayID) or a non-verified guest (owner.GuestID).
type GuestDataTx interface {
	// LockGuestOwner locks owner's stay or guest row until the commit; ErrNotFound when it
	// does not exist.
	LockGuestOwner(ctx context.Context, owner Owner) error
	// DeleteIdempotencyKeysOf deletes the remembered answers that name owner's stay or guest.
	DeleteIdempotencyKeysOf(ctx context.Context, owner Owner) error
	// OwnerConversations lists, ascending, the ids of owner's conversations that are not under
	// a legal hold (locked until the commit), and counts those that are.
	OwnerConversations(ctx context.Context, owner Owner) (free []int64, held int, err error)
	// ConversationTexts returns the contents of the messages of the conversations ids and the
	// non-empty contents of their translations, and how many messages they have.
	ConversationTexts(ctx context.Context, ids []int64) (texts []string, messages int, err error)
	// DeleteCachedTranslations deletes the translation cache entries of, or translating into,
	// any of texts.
	DeleteCachedTranslations(ctx context.Context, texts []string) error
	// DeleteConversations deletes the conversations ids with their events and webhook
	// deliveries, and (by the schema's cascades) their messages, translations, search rows
	// and legal holds.
	DeleteConversations(ctx context.Context, ids []int64) error
	// DeleteStayOrders deletes the orders of a stay.
	DeleteStayOrders(ctx context.Context, stayID int64) error
	// DeleteGuestOwner deletes owner's stay or guest row and (by cascade) its sessions;
	// ErrNotFound when it does not exist.
	DeleteGuestOwner(ctx context.Context, owner Owner) error
}

// SessionTx is the guest session rows' operations of a write transaction.
type SessionTx interface {
	// LockInterfaceToken reports whether the interface token id is revoked and holds its row
	// against a revocation until the commit; ErrNotFound when there is no such token.
	LockInterfaceToken(ctx context.Context, id int64) (revoked bool, err error)
	// InsertSession stores s (its ID is ignored) under a fresh random id, which it returns.
	InsertSession(ctx context.Context, s *Session) (int64, error)
	// RevokeSession marks the session id revoked at at; ErrNotFound when it does not exist or
	// is already revoked.
	RevokeSession(ctx context.Context, id int64, at time.Time) error
}

// CredentialTx is the credential and staff user operations of a write transaction.
type CredentialTx interface {
	// RevokeAPIKey marks API key id revoked at at; ErrNotFound when it does not exist or is
	// already revoked.
	RevokeAPIKey(ctx context.Context, id int64, at time.Time) error
	// RevokeInterfaceToken marks interface token id revoked at at; ErrNotFound when it does not
	// exist or is already revoked.
	RevokeInterfaceToken(ctx context.Context, id int64, at time.Time) error
	// RevokeStaffSession marks staff login id revoked at at; ErrNotFound when it does not exist
	// or is already revoked.
	RevokeStaffSession(ctx context.Context, id int64, at time.Time) error
	// RevokeSessionsOfToken marks the live guest sessions opened with interface token
	// tokenID revoked at at.
	RevokeSessionsOfToken(ctx context.Context, tokenID int64, at time.Time) error
	// RevokeStaffSessionsOfUser marks the user's live staff logins revoked at at and returns
	// how many.
	RevokeStaffSessionsOfUser(ctx context.Context, userID int64, at time.Time) (int, error)
	// InsertStaffUser stores u (its ID is ignored) with their service center and property
	// grants, each once, and returns the new id; ErrConflict when the username is taken.
	InsertStaffUser(ctx context.Context, u *StaffUser) (int64, error)
	// InsertAPIKey stores k (its ID is ignored) with its property grants, each once, and
	// returns the new id; ErrConflict when another key has the same hash.
	InsertAPIKey(ctx context.Context, k *APIKey) (int64, error)
	// InsertInterfaceToken stores t (its ID is ignored) with its property grants, each once,
	// and returns the new id; ErrConflict when another token has the same hash.
	InsertInterfaceToken(ctx context.Context, t *InterfaceToken) (int64, error)
	// UpdateStaffUser stores the display name, password hash, role and disabled time of u and
	// replaces their service center and property grants; ErrNotFound when no user has u.ID.
	UpdateStaffUser(ctx context.Context, u *StaffUser) error
}

// ConfigurationTx is the webhook, retention settings and legal hold operations of a write
// transaction.
type ConfigurationTx interface {
	// InsertWebhook stores w (its ID and Cursor are ignored) with its cursor at the newest
	// event seq, and returns its new id and that cursor.
	InsertWebhook(ctx context.Context, w *Webhook) (id, cursor int64, err error)
	// UpdateWebhook stores w's URL, Kinds, Secret, Enabled and UpdatedAt; ErrNotFound when no
	// webhook has w.ID.
	UpdateWebhook(ctx context.Context, w *Webhook) error
	// DeleteWebhook deletes a webhook and (by cascade) its deliveries; ErrNotFound when none
	// has id.
	DeleteWebhook(ctx context.Context, id int64) error
	// UpsertRetentionSettings stores a property's retention settings, replacing any.
	UpsertRetentionSettings(ctx context.Context, rs RetentionSettings) error
	// UpsertLegalHold stores a conversation's legal hold, replacing any; ErrNotFound when the
	// conversation does not exist.
	UpsertLegalHold(ctx context.Context, h LegalHold) error
	// DeleteLegalHold deletes a conversation's legal hold; ErrNotFound when it has none.
	DeleteLegalHold(ctx context.Context, conversationID int64) error
}

// AuditTx appends to the audit log in a write transaction.
type AuditTx interface {
	// InsertAudit appends e and sets its ID.
	InsertAudit(ctx context.Context, e *AuditEntry) error
}

// EventTx appends to the event log in a write transaction.
type EventTx interface {
	// AppendEvent appends an event about conversation e.ConversationID of property
	// e.PropertyID (and message e.MessageID, when set); the store gives it its Seq at the
	// commit. e.Owner and e.Subject are ignored. The conversation must exist in the
	// transaction.
	AppendEvent(ctx context.Context, e Event) error
	// AppendAccessEnded appends the internal access.ended event about subject (see
	// AccessSubject).
	AppendAccessEnded(ctx context.Context, subject AccessSubject, at time.Time) error
}
