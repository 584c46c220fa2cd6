package concierge

import (
	"context"
	"time"
)

// GuestUsage is what a non-verified guest wrote recently, for their quotas (service_quota.go).
type GuestUsage struct {
	ConversationsSince     int       // conversations of the guest created since the given time
	FirstConversationAt    time.Time // the oldest of those (zero when none)
	MessagesSince          int       // Guest messages in the guest's conversations since then
	FirstMessageAt         time.Time // the oldest of those (zero when none)
	MessagesInConversation int       // Guest messages of the given conversation (0 when none given)
}

// QuotaStore counts what guests wrote, for quotas. It is part of Store.
type QuotaStore interface {
	// GuestUsage counts the conversations of non-verified guest guestID created at or after
	// since, the Guest messages of its conversations created at or after since, and the Guest
	// messages of conversation conversationID (0: none).
	GuestUsage(ctx context.Context, guestID int64, since time.Time, conversationID int64) (GuestUsage, error)
}
