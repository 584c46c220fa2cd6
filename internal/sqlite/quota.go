package sqlite

import (
	"context"
	"database/sql"
	"time"

	"concierge/internal/concierge"
)

// GuestUsage counts what non-verified guest guestID wrote since the given time, and the Guest
// messages of conversation conversationID (0: none).
func (db *DB) GuestUsage(ctx context.Context, guestID int64, since time.Time, conversationID int64) (concierge.GuestUsage, error) {
	var u concierge.GuestUsage
	var firstConv, firstMsg sql.NullInt64
	at := timeArg(since)
	err := db.readStmts.queryRow(ctx, nil, `SELECT
		(SELECT count(*) FROM conversations WHERE guest_id = ? AND created_at >= ?),
		(SELECT min(created_at) FROM conversations WHERE guest_id = ? AND created_at >= ?),
		(SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id
			WHERE c.guest_id = ? AND m.type = 'Guest' AND m.created_at >= ?),
		(SELECT min(m.created_at) FROM messages m JOIN conversations c ON c.id = m.conversation_id
			WHERE c.guest_id = ? AND m.type = 'Guest' AND m.created_at >= ?),
		(SELECT count(*) FROM messages WHERE conversation_id = ? AND type = 'Guest')`,
		guestID, at, guestID, at, guestID, at, guestID, at, conversationID).
		Scan(&u.ConversationsSince, &firstConv, &u.MessagesSince, &firstMsg, &u.MessagesInConversation)
	if firstConv.Valid {
		u.FirstConversationAt = timeOf(firstConv.Int64)
	}
	if firstMsg.Valid {
		u.FirstMessageAt = timeOf(firstMsg.Int64)
	}
	return u, storeErr(err, "guest usage")
}
