package concierge

import (
	"context"
	"time"
)

// Page selects a slice of an ordered list: Limit items after skipping Offset (Limit 0: all).
type Page struct {
	Offset     int
	Limit      int
	Descending bool
}

// Store persists Concierge's objects. Implementations (SQLite, PostgreSQL) persist and map their
// engine's errors to ErrNotFound and ErrConflict, nothing more: every rule lives in the domain.
// A method that returns nil has durably committed its write. The writes moved to the
// transaction seam (Transactor, tx.go) are composed by the domain from Tx operations; the
// others are still one store method each, until they move too.
//
// Create methods set the ID (and any other store-assigned field) of the object they are given.
type Store interface {
	Transactor       // tx.go: write transactions of rule-free table operations
	StaffStore       // store_staff.go: staff users, staff sessions, API keys
	IdempotencyStore // store_idempotency.go: remembered answers to retried writes
	StayOrderStore   // store_stays.go: stay and order upserts and lists (admin API, imports)
	InboxStore       // store_inbox.go: the staff inbox, assignment and moves
	AdminStore       // store_admin.go: listing and updating configuration (admin API)
	EventStore       // event.go: the event log of live events (SPEC §6)
	AuditStore       // store_audit.go: the audit log
	WebhookStore     // store_webhook.go: webhooks and their deliveries (SPEC §8)
	RetentionStore   // store_retention.go: retention settings, legal holds, guest data export and erasure
	TranslationStore // store_translation.go: translations, their job queue, cache and glossaries
	QuotaStore       // store_quota.go: what non-verified guests wrote, for their quotas

	// Ping checks that the store is reachable and its migrations are applied.
	Ping(ctx context.Context) error
	// Close releases the store's connections.
	Close() error

	// CountProperties returns how many properties exist (0 on an empty database).
	CountProperties(ctx context.Context) (int, error)
	// CreateProperty stores a new property; ErrConflict when its code is taken.
	CreateProperty(ctx context.Context, p *Property) error
	// PropertyByCode finds a property by code, case-insensitively; ErrNotFound when none.
	PropertyByCode(ctx context.Context, code string) (Property, error)
	// PropertyByID finds a property; ErrNotFound when none.
	PropertyByID(ctx context.Context, id int64) (Property, error)

	// InterfaceTokenByHash finds a token, revoked or not, by the SHA-256 of its secret;
	// ErrNotFound when none.
	InterfaceTokenByHash(ctx context.Context, hash []byte) (InterfaceToken, error)

	// CreateServiceCenter stores a service center; ErrConflict when its code is taken at the
	// property.
	CreateServiceCenter(ctx context.Context, sc *ServiceCenter) error
	// ServiceCenterByID finds a service center; ErrNotFound when none.
	ServiceCenterByID(ctx context.Context, id int64) (ServiceCenter, error)

	// CreateOutlet stores an outlet with its opening hours; ErrConflict when its code is taken
	// at the property.
	CreateOutlet(ctx context.Context, o *Outlet) error
	// OutletsByProperty lists a property's outlets with their hours, in sort order then code.
	// The slice and the outlets' hours may be shared with other callers (a caching decorator,
	// internal/storecache), so they must not be modified.
	OutletsByProperty(ctx context.Context, propertyID int64) ([]Outlet, error)

	// CreateStay stores a stay.
	CreateStay(ctx context.Context, s *Stay) error
	// StayByID finds a stay; ErrNotFound when none.
	StayByID(ctx context.Context, id int64) (Stay, error)
	// StaysInRoom lists the stays of a room at a property that are current on day
	// (arrival ≤ day ≤ departure), latest arrival first.
	StaysInRoom(ctx context.Context, propertyID int64, room string, day Date) ([]Stay, error)

	// EnsureGuest returns the non-verified guest with this identifier at the property, creating
	// it (with CreatedAt now) when there is none.
	EnsureGuest(ctx context.Context, propertyID int64, identifier string, now time.Time) (Guest, error)
	// GuestByID finds a non-verified guest; ErrNotFound when none.
	GuestByID(ctx context.Context, id int64) (Guest, error)

	// CreateOrder stores an order; ErrConflict when its code is taken at the property.
	CreateOrder(ctx context.Context, o *Order) error
	// OrderByCode finds an order by code at a property, case-insensitively; ErrNotFound when none.
	OrderByCode(ctx context.Context, propertyID int64, code string) (Order, error)

	// SessionByID finds a session, revoked or not; ErrNotFound when none.
	SessionByID(ctx context.Context, id int64) (Session, error)
	// GuestSessionByID returns the session with this id (revoked or not) with its stay (Stay
	// nil when the session has no stay or the stay row no longer exists) and its guest (Guest
	// nil when the session has none or the guest row no longer exists), read in one statement.
	// The property is not read: Property is the zero Property (its id is Session.PropertyID;
	// Authenticate takes the property from a cache); Token is left empty. ErrNotFound when
	// there is no such session.
	GuestSessionByID(ctx context.Context, id int64) (GuestSession, error)
	// TouchSession records activity: last seen and the new idle expiry.
	TouchSession(ctx context.Context, id int64, lastSeen, expiresAt time.Time) error

	// ConversationByCode finds a conversation by its exact code; ErrNotFound when none.
	ConversationByCode(ctx context.Context, code string) (Conversation, error)
	// OrderByID finds an order; ErrNotFound when none.
	OrderByID(ctx context.Context, id int64) (Order, error)
	// ConversationMessages lists a conversation's messages in sequence order; Notes only when
	// includeNotes.
	ConversationMessages(ctx context.Context, conversationID int64, includeNotes bool) ([]Message, error)
	// GuestConversations lists owner's conversations (as GuestMessages selects them), most
	// recently updated first, only those with the given status unless it is empty, with the
	// total count. UnreadCount counts Staff and System messages not yet read; LastMessageAt is
	// the creation time of the last Guest, Staff or System message in sequence order (highest
	// Seq; zero when none).
	GuestConversations(ctx context.Context, owner Owner, status ConversationStatus, page Page) ([]ConversationSummary, int, error)
	// GuestMessages lists the Guest, Staff and System messages (never Notes) of every
	// conversation of owner, ordered by creation (then id), with the total count.
	GuestMessages(ctx context.Context, owner Owner, page Page) ([]GuestMessage, int, error)
}
