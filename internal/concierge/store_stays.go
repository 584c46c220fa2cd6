package concierge

import "context"

// UpsertResult says what an upsert did to the stored object.
type UpsertResult string

// The upsert results.
const (
	UpsertCreated   UpsertResult = "created"
	UpsertUpdated   UpsertResult = "updated"
	UpsertUnchanged UpsertResult = "unchanged"
)

// StayFilter narrows a list of stays. Zero values do not filter.
type StayFilter struct {
	CurrentOn Date   // only stays with arrival ≤ CurrentOn ≤ departure
	Room      string // only stays in this room (surrounding spaces ignored)
}

// OrderFilter narrows a list of orders. Zero values do not filter.
type OrderFilter struct {
	Status OrderStatus
}

// OrderChange is one order write of WriteOrders: the order to insert (ID 0) or update (ID
// set), and the System messages its status change posts.
type OrderChange struct {
	Order *Order
	// PreviousStatus is the status the stored order must still have for an update to apply
	// (a safety check: WriteOrders' reads and writes are one transaction); ignored for an
	// insert.
	PreviousStatus OrderStatus
	// Messages are appended to their conversations (Message.ConversationID), each with the next
	// sequence number, and set their conversation's updated time to the message's CreatedAt.
	Messages []*Message
}

// OrderReader reads orders and their conversations inside a WriteOrders transaction.
type OrderReader interface {
	// OrderByCode finds an order by code at a property, case-insensitively; ErrNotFound when
	// none.
	OrderByCode(ctx context.Context, propertyID int64, code string) (Order, error)
	// ConversationsByOrder lists the conversations linked to an order, ascending by id.
	ConversationsByOrder(ctx context.Context, orderID int64) ([]Conversation, error)
}

// StayOrderStore persists stays and orders as the admin API and imports write them. It is part
// of Store.
type StayOrderStore interface {
	// UpsertStays writes stays (each with PropertyID and BookingReference set) in one
	// transaction, in order: a stay whose booking reference (case-insensitive) is new at its
	// property is inserted (UpsertCreated), one whose stored fields differ is updated
	// (UpsertUpdated), one equal in every field is left alone (UpsertUnchanged); a reference
	// keeps the spelling it was first stored with. It sets each stay's ID and BookingReference
	// (as stored) and returns one result per stay; an updated stay whose departure changed gets
	// an access.ended event (StaySubject). Nothing is written when it returns an error.
	UpsertStays(ctx context.Context, stays []*Stay) ([]UpsertResult, error)
	// StayByReference finds a property's stay by booking reference, case-insensitively;
	// ErrNotFound when none.
	StayByReference(ctx context.Context, propertyID int64, reference string) (Stay, error)
	// ListStays lists a property's stays matching f whose id is greater than afterID,
	// ascending by id, at most limit (≤ 0: all).
	ListStays(ctx context.Context, propertyID int64, f StayFilter, afterID int64, limit int) ([]Stay, error)

	// WriteOrders runs plan in one write transaction: plan reads through r, which sees the
	// transaction's state (no other write can come between those reads and the writes), and
	// returns the changes to apply, which are applied in the same transaction: orders with ID 0
	// are inserted (their ID set), the others updated (code excepted) when their stored status
	// is still PreviousStatus, and each change's messages appended (their ID and Seq set). plan
	// must use no other store method. Nothing is written when plan or a write fails: the error
	// is plan's, or ErrConflict when an inserted order's code is taken or an updated order's
	// status is not PreviousStatus, or ErrNotFound when a message's conversation does not exist.
	WriteOrders(ctx context.Context, plan func(r OrderReader) ([]OrderChange, error)) error
	// ListOrders lists a property's orders matching f whose id is greater than afterID,
	// ascending by id, at most limit (≤ 0: all).
	ListOrders(ctx context.Context, propertyID int64, f OrderFilter, afterID int64, limit int) ([]Order, error)
	// ConversationsByOrder lists the conversations linked to an order, ascending by id.
	ConversationsByOrder(ctx context.Context, orderID int64) ([]Conversation, error)
}
