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

	// ListOrders lists a property's orders matching f whose id is greater than afterID,
	// ascending by id, at most limit (≤ 0: all).
	ListOrders(ctx context.Context, propertyID int64, f OrderFilter, afterID int64, limit int) ([]Order, error)
	// ConversationsByOrder lists the conversations linked to an order, ascending by id.
	ConversationsByOrder(ctx context.Context, orderID int64) ([]Conversation, error)
}
