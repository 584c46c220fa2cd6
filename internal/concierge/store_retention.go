package concierge

import (
	"context"
	"time"
)

// Retention defaults: a stay's conversations are kept this many days after its departure, a
// non-verified guest's this many days after their last activity.
const (
	DefaultStayRetentionDays  = 90
	DefaultGuestRetentionDays = 90
)

// RetentionSettings is how long a property keeps guest data.
type RetentionSettings struct {
	PropertyID int64
	StayDays   int // days after a stay's departure day
	GuestDays  int // days after a non-verified guest's last activity
	UpdatedAt  time.Time
}

// LegalHold keeps a conversation from being erased, by retention or on request, until a
// manager clears it.
type LegalHold struct {
	ConversationID int64
	Reason         string
	SetBy          string // who set it (staff username or API key name)
	SetAt          time.Time
}

// GuestData is everything held about one stay or one non-verified guest (Stay or Guest set).
type GuestData struct {
	Stay          *Stay
	Guest         *Guest
	Sessions      []Session
	Conversations []Conversation
	Messages      []Message // of those conversations, by conversation then seq, Notes included
	Translations  []MessageTranslation
	Orders        []Order
	LegalHolds    []LegalHold
}

// MessageTranslation is a message's text in another language, as stored.
type MessageTranslation struct {
	MessageID int64
	Language  string
	Content   string
}

// Erasure counts what Erasures.Erase deleted.
type Erasure struct {
	Conversations int
	Messages      int
	Held          int  // conversations kept: under a legal hold
	OwnerErased   bool // the stay or guest row (and its sessions) went too
}

// RetentionStore persists retention settings and legal holds, reads and erases guest data.
// It is part of Store.
type RetentionStore interface {
	// RetentionSettings returns a property's settings; ErrNotFound when none were stored.
	RetentionSettings(ctx context.Context, propertyID int64) (RetentionSettings, error)
	// LegalHoldOf returns a conversation's legal hold; ErrNotFound when it has none.
	LegalHoldOf(ctx context.Context, conversationID int64) (LegalHold, error)

	// GuestByIdentifier finds a property's non-verified guest; ErrNotFound when none.
	GuestByIdentifier(ctx context.Context, propertyID int64, identifier string) (Guest, error)
	// GuestData reads everything held about owner's stay (owner.StayID) or guest
	// (owner.GuestID); ErrNotFound when that stay or guest does not exist.
	GuestData(ctx context.Context, owner Owner) (GuestData, error)
	// ExpiredStays lists up to limit stays of the property whose departure is before day and
	// that hold something erasable (a conversation not under a hold, or no held one at all),
	// ascending by id.
	ExpiredStays(ctx context.Context, propertyID int64, day Date, limit int) ([]Stay, error)
	// InactiveGuests lists up to limit non-verified guests of the property whose last
	// activity (creation, session use, conversation change) is before before and that hold
	// something erasable, ascending by id.
	InactiveGuests(ctx context.Context, propertyID int64, before time.Time, limit int) ([]Guest, error)
	// DeleteEndedSessions deletes up to limit anonymous guest sessions (neither stay nor
	// guest: a verified or identified guest's sessions go with the stay or guest) whose
	// expiry is before before, and up to limit staff sessions that expired or were revoked
	// before before, and returns how many of each it deleted.
	DeleteEndedSessions(ctx context.Context, before time.Time, limit int) (guest, staff int, err error)
}
