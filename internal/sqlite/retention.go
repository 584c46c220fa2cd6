package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"concierge/internal/concierge"
)

// RetentionSettings returns a property's stored settings.
func (db *DB) RetentionSettings(ctx context.Context, propertyID int64) (concierge.RetentionSettings, error) {
	rs := concierge.RetentionSettings{PropertyID: propertyID}
	var updated int64
	err := db.readers.QueryRowContext(ctx, `SELECT stay_days, guest_days, updated_at FROM retention_settings
		WHERE property_id = ?`, propertyID).Scan(&rs.StayDays, &rs.GuestDays, &updated)
	rs.UpdatedAt = timeOf(updated)
	return rs, storeErr(err, "retention settings")
}

// LegalHoldOf returns a conversation's legal hold.
func (db *DB) LegalHoldOf(ctx context.Context, conversationID int64) (concierge.LegalHold, error) {
	h, err := scanHold(db.readers.QueryRowContext(ctx, `SELECT conversation_id, reason, set_by, set_at
		FROM legal_holds WHERE conversation_id = ?`, conversationID))
	return h, storeErr(err, "legal hold")
}

// scanHold reads a row of conversation_id, reason, set_by, set_at.
func scanHold(r rowScanner) (concierge.LegalHold, error) {
	var h concierge.LegalHold
	var at int64
	err := r.Scan(&h.ConversationID, &h.Reason, &h.SetBy, &at)
	h.SetAt = timeOf(at)
	return h, err
}

// GuestByIdentifier finds a property's non-verified guest.
func (db *DB) GuestByIdentifier(ctx context.Context, propertyID int64, identifier string) (concierge.Guest, error) {
	g, err := scanGuest(db.readers.QueryRowContext(ctx, `SELECT id, property_id, identifier, created_at
		FROM guests WHERE property_id = ? AND identifier = ?`, propertyID, identifier))
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

// tableExists reports whether the database has a table of this name (translation's tables
// arrive with their own migration).
func tableExists(ctx context.Context, tx *sql.Tx, name string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, name).Scan(&n)
	return n > 0, err
}

// GuestData reads everything held about owner's stay or guest.
func (db *DB) GuestData(ctx context.Context, owner concierge.Owner) (concierge.GuestData, error) {
	var out concierge.GuestData
	col, id, ok := ownerColumn(owner)
	if !ok {
		return out, storeErr(concierge.ErrNotFound, "guest data")
	}
	err := db.read(ctx, func(tx *sql.Tx) error {
		if col == "stay_id" {
			st, err := scanStay(tx.QueryRowContext(ctx, `SELECT `+stayColumns+` FROM stays WHERE id = ?`, id))
			if err != nil {
				return err
			}
			out.Stay = &st
		} else {
			g, err := scanGuest(tx.QueryRowContext(ctx, `SELECT id, property_id, identifier, created_at FROM guests WHERE id = ?`, id))
			if err != nil {
				return err
			}
			out.Guest = &g
		}
		var err error
		if out.Sessions, err = readSessions(ctx, tx, col, id); err != nil {
			return err
		}
		if out.Conversations, err = queryAll(ctx, tx, func(r rowScanner) (concierge.Conversation, error) { return scanConversation(r) },
			`SELECT `+conversationColumns+` FROM conversations WHERE `+col+` = ? ORDER BY id`, id); err != nil {
			return err
		}
		if out.Messages, err = queryAll(ctx, tx, scanMessage, `SELECT `+messageColumns+` FROM messages
			WHERE conversation_id IN (SELECT id FROM conversations WHERE `+col+` = ?) ORDER BY conversation_id, seq`, id); err != nil {
			return err
		}
		if has, err := tableExists(ctx, tx, "translations"); err != nil {
			return err
		} else if has {
			if out.Translations, err = queryAll(ctx, tx, func(r rowScanner) (concierge.MessageTranslation, error) {
				var t concierge.MessageTranslation
				return t, r.Scan(&t.MessageID, &t.Language, &t.Content)
			}, `SELECT message_id, language, content FROM translations WHERE content <> '' AND message_id IN
				(SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.`+col+` = ?)
				ORDER BY message_id, language`, id); err != nil {
				return err
			}
		}
		if col == "stay_id" {
			if out.Orders, err = queryAll(ctx, tx, scanOrder, `SELECT `+orderColumns+` FROM orders WHERE stay_id = ? ORDER BY id`, id); err != nil {
				return err
			}
		}
		out.LegalHolds, err = queryAll(ctx, tx, scanHold, `SELECT conversation_id, reason, set_by, set_at FROM legal_holds
			WHERE conversation_id IN (SELECT id FROM conversations WHERE `+col+` = ?) ORDER BY conversation_id`, id)
		return err
	})
	return out, storeErr(err, "guest data")
}

// readSessions reads the sessions whose col (stay_id or guest_id) is id.
func readSessions(ctx context.Context, tx *sql.Tx, col string, id int64) ([]concierge.Session, error) {
	return queryAll(ctx, tx, func(r rowScanner) (concierge.Session, error) {
		var s concierge.Session
		var stay, guest, revoked sql.NullInt64
		var issued, expires, lastSeen int64
		err := r.Scan(&s.ID, &s.PropertyID, &stay, &guest, &s.Language, &s.LanguageExplicit, &s.Version,
			&issued, &expires, &lastSeen, &revoked)
		s.StayID, s.GuestID, s.RevokedAt = nullIDOf(stay), nullIDOf(guest), nullTimeOf(revoked)
		s.IssuedAt, s.ExpiresAt, s.LastSeenAt = timeOf(issued), timeOf(expires), timeOf(lastSeen)
		return s, err
	}, `SELECT id, property_id, stay_id, guest_id, language, language_explicit, version, issued_at, expires_at,
		last_seen_at, revoked_at FROM sessions WHERE `+col+` = ? ORDER BY issued_at, id`, id)
}

// eraseCachedTranslations deletes the translation cache entries whose translation is one of
// texts or whose source text hash is that of one of them.
func eraseCachedTranslations(ctx context.Context, tx *sql.Tx, texts []string) error {
	list, err := json.Marshal(texts)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM translation_cache WHERE translation IN (SELECT value FROM json_each(?))`, string(list)); err != nil {
		return err
	}
	for _, t := range texts {
		for _, v := range []string{t, strings.TrimSpace(t)} {
			h := sha256.Sum256([]byte(v))
			if _, err := tx.ExecContext(ctx, `DELETE FROM translation_cache WHERE text_hash = ?`, h[:]); err != nil {
				return err
			}
		}
	}
	return nil
}

// erasableCondition is the SQL condition (on an owner column col of alias x) that the owner
// holds something to erase: a conversation not under a hold, or no held one at all.
func erasableCondition(col string) string {
	return `(EXISTS (SELECT 1 FROM conversations c WHERE c.` + col + ` = x.id
			AND c.id NOT IN (SELECT conversation_id FROM legal_holds))
		OR NOT EXISTS (SELECT 1 FROM conversations c JOIN legal_holds h ON h.conversation_id = c.id
			WHERE c.` + col + ` = x.id))`
}

// ExpiredStays lists stays that departed before day and hold something erasable.
func (db *DB) ExpiredStays(ctx context.Context, propertyID int64, day concierge.Date, limit int) ([]concierge.Stay, error) {
	var out []concierge.Stay
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = queryAll(ctx, tx, scanStay, `SELECT `+prefixed("x.", stayColumns)+` FROM stays x
			WHERE x.property_id = ? AND x.departure < ? AND `+erasableCondition("stay_id")+`
			ORDER BY x.id LIMIT ?`, propertyID, string(day), limitArg(limit))
		return err
	})
	return out, storeErr(err, "expired stays")
}

// InactiveGuests lists non-verified guests inactive since before that hold something
// erasable.
func (db *DB) InactiveGuests(ctx context.Context, propertyID int64, before time.Time, limit int) ([]concierge.Guest, error) {
	var out []concierge.Guest
	b := timeArg(before)
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = queryAll(ctx, tx, scanGuest, `SELECT x.id, x.property_id, x.identifier, x.created_at FROM guests x
			WHERE x.property_id = ? AND x.created_at < ?
			AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.guest_id = x.id AND s.last_seen_at >= ?)
			AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.guest_id = x.id AND c.updated_at >= ?)
			AND `+erasableCondition("guest_id")+` ORDER BY x.id LIMIT ?`, propertyID, b, b, b, limitArg(limit))
		return err
	})
	return out, storeErr(err, "inactive guests")
}
