package postgres

import (
	"context"
	"time"

	"concierge/internal/concierge"

	"github.com/jackc/pgx/v5"
)

// RetentionSettings returns a property's stored settings; ErrNotFound when none were stored.
func (db *DB) RetentionSettings(ctx context.Context, propertyID int64) (concierge.RetentionSettings, error) {
	rs := concierge.RetentionSettings{PropertyID: propertyID}
	err := db.pool.QueryRow(ctx, `SELECT stay_days, guest_days, updated_at FROM retention_settings
		WHERE property_id = $1`, propertyID).Scan(&rs.StayDays, &rs.GuestDays, &rs.UpdatedAt)
	rs.UpdatedAt = utc(rs.UpdatedAt)
	return rs, storeErr(err, "retention settings")
}

// LegalHoldOf returns a conversation's legal hold; ErrNotFound when it has none.
func (db *DB) LegalHoldOf(ctx context.Context, conversationID int64) (concierge.LegalHold, error) {
	h, err := scanHold(db.pool.QueryRow(ctx, `SELECT conversation_id, reason, set_by, set_at
		FROM legal_holds WHERE conversation_id = $1`, conversationID))
	return h, storeErr(err, "legal hold")
}

// scanHold reads a row of conversation_id, reason, set_by, set_at.
func scanHold(r rowScanner) (concierge.LegalHold, error) {
	var h concierge.LegalHold
	err := r.Scan(&h.ConversationID, &h.Reason, &h.SetBy, &h.SetAt)
	h.SetAt = utc(h.SetAt)
	return h, err
}

// GuestByIdentifier finds a property's non-verified guest; ErrNotFound when none.
func (db *DB) GuestByIdentifier(ctx context.Context, propertyID int64, identifier string) (concierge.Guest, error) {
	g, err := scanGuest(db.pool.QueryRow(ctx, `SELECT id, property_id, identifier, created_at
		FROM guests WHERE property_id = $1 AND identifier = $2`, propertyID, identifier))
	return g, storeErr(err, "guest by identifier")
}

// ownerColumn returns the conversations' and sessions' column naming owner and its id: the
// stay when owner.StayID is set, otherwise the guest.
func ownerColumn(owner concierge.Owner) (string, int64, bool) {
	switch {
	case owner.StayID != nil:
		return "stay_id", *owner.StayID, true
	case owner.GuestID != nil:
		return "guest_id", *owner.GuestID, true
	}
	return "", 0, false
}

// GuestData reads everything held about owner's stay or guest, in one snapshot; ErrNotFound
// when that stay or guest does not exist.
func (db *DB) GuestData(ctx context.Context, owner concierge.Owner) (concierge.GuestData, error) {
	var out concierge.GuestData
	col, id, ok := ownerColumn(owner)
	if !ok {
		return out, storeErr(concierge.ErrNotFound, "guest data")
	}
	err := db.read(ctx, func(tx pgx.Tx) error {
		if col == "stay_id" {
			st, err := scanStay(tx.QueryRow(ctx, `SELECT `+stayColumns+` FROM stays WHERE id = $1`, id))
			if err != nil {
				return err
			}
			out.Stay = &st
		} else {
			g, err := scanGuest(tx.QueryRow(ctx, `SELECT id, property_id, identifier, created_at FROM guests WHERE id = $1`, id))
			if err != nil {
				return err
			}
			out.Guest = &g
		}
		var err error
		if out.Sessions, err = queryAll(ctx, tx, scanSession, `SELECT `+sessionColumns+` FROM sessions
			WHERE `+col+` = $1 ORDER BY issued_at, id`, id); err != nil {
			return err
		}
		if out.Conversations, err = queryConversations(ctx, tx, `SELECT `+conversationColumns+`
			FROM conversations WHERE `+col+` = $1 ORDER BY id`, id); err != nil {
			return err
		}
		if out.Messages, err = queryAll(ctx, tx, func(r rowScanner) (concierge.Message, error) { return scanMessage(r) },
			`SELECT `+messageColumns+` FROM messages
			WHERE conversation_id IN (SELECT id FROM conversations WHERE `+col+` = $1) ORDER BY conversation_id, seq`, id); err != nil {
			return err
		}
		if out.Translations, err = queryAll(ctx, tx, func(r rowScanner) (concierge.MessageTranslation, error) {
			var t concierge.MessageTranslation
			return t, r.Scan(&t.MessageID, &t.Language, &t.Content)
		}, `SELECT message_id, language, content FROM translations WHERE content <> '' AND message_id IN
			(SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.`+col+` = $1)
			ORDER BY message_id, language COLLATE "C"`, id); err != nil {
			return err
		}
		if col == "stay_id" {
			if out.Orders, err = queryAll(ctx, tx, scanOrder, `SELECT `+orderColumns+` FROM orders
				WHERE stay_id = $1 ORDER BY id`, id); err != nil {
				return err
			}
		}
		out.LegalHolds, err = queryAll(ctx, tx, scanHold, `SELECT conversation_id, reason, set_by, set_at FROM legal_holds
			WHERE conversation_id IN (SELECT id FROM conversations WHERE `+col+` = $1) ORDER BY conversation_id`, id)
		return err
	})
	return out, storeErr(err, "guest data")
}

// erasableCondition is the SQL condition (on an owner column col of alias x) that the owner
// holds something to erase: a conversation not under a hold, or no held one at all.
func erasableCondition(col string) string {
	return `(EXISTS (SELECT 1 FROM conversations c WHERE c.` + col + ` = x.id
			AND c.id NOT IN (SELECT conversation_id FROM legal_holds))
		OR NOT EXISTS (SELECT 1 FROM conversations c JOIN legal_holds h ON h.conversation_id = c.id
			WHERE c.` + col + ` = x.id))`
}

// ExpiredStays lists up to limit stays that departed before day and hold something erasable,
// ascending by id.
func (db *DB) ExpiredStays(ctx context.Context, propertyID int64, day concierge.Date, limit int) ([]concierge.Stay, error) {
	out, err := queryAll(ctx, db.pool, scanStay, `SELECT `+prefixed("x.", stayColumns)+` FROM stays x
		WHERE x.property_id = $1 AND x.departure < $2 AND `+erasableCondition("stay_id")+`
		ORDER BY x.id LIMIT $3`, propertyID, string(day), limitArg(limit))
	return out, storeErr(err, "expired stays")
}

// InactiveGuests lists up to limit non-verified guests inactive since before that hold
// something erasable, ascending by id.
func (db *DB) InactiveGuests(ctx context.Context, propertyID int64, before time.Time, limit int) ([]concierge.Guest, error) {
	out, err := queryAll(ctx, db.pool, scanGuest, `SELECT x.id, x.property_id, x.identifier, x.created_at FROM guests x
		WHERE x.property_id = $1 AND x.created_at < $2
		AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.guest_id = x.id AND s.last_seen_at >= $2)
		AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.guest_id = x.id AND c.updated_at >= $2)
		AND `+erasableCondition("guest_id")+` ORDER BY x.id LIMIT $3`, propertyID, bound(before), limitArg(limit))
	return out, storeErr(err, "inactive guests")
}
