package postgres

import (
	"context"
	"time"

	"concierge/internal/concierge"
)

// GuestUsage counts what non-verified guest guestID wrote since the given time, and the Guest
// messages of conversation conversationID (0: none).
func (db *DB) GuestUsage(ctx context.Context, guestID int64, since time.Time, conversationID int64) (concierge.GuestUsage, error) {
	var u concierge.GuestUsage
	var firstConv, firstMsg *time.Time
	err := db.pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM conversations WHERE guest_id = $1 AND created_at >= $2),
		(SELECT min(created_at) FROM conversations WHERE guest_id = $1 AND created_at >= $2),
		(SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id
			WHERE c.guest_id = $1 AND m.type = 'Guest' AND m.created_at >= $2),
		(SELECT min(m.created_at) FROM messages m JOIN conversations c ON c.id = m.conversation_id
			WHERE c.guest_id = $1 AND m.type = 'Guest' AND m.created_at >= $2),
		(SELECT count(*) FROM messages WHERE conversation_id = $3 AND type = 'Guest')`,
		guestID, bound(since), conversationID).
		Scan(&u.ConversationsSince, &firstConv, &u.MessagesSince, &firstMsg, &u.MessagesInConversation)
	if firstConv != nil {
		u.FirstConversationAt = utc(*firstConv)
	}
	if firstMsg != nil {
		u.FirstMessageAt = utc(*firstMsg)
	}
	return u, storeErr(err, "guest usage")
}
