package postgres

import (
	"context"

	"concierge/internal/concierge"

	"github.com/jackc/pgx/v5"
)

// insertMessage stores m in conversation convID in tx, with the next sequence number of the
// conversation (1 for its first message), its searchable text and, when m.TranslateTo is set,
// its Pending translation job (NextAttemptAt: its CreatedAt), in one statement, and returns the
// message's id and sequence number. The caller holds the conversation's row lock (it created
// or updated the row in tx), which makes the read of max(seq) and the insert atomic.
func insertMessage(ctx context.Context, tx *wtx, convID int64, m *concierge.Message) (id, seq int64, err error) {
	err = tx.QueryRow(ctx, `WITH m AS (
			INSERT INTO messages (code, conversation_id, seq, type, author_first_name,
				author_last_name, staff_user_id, content, language, created_at, read_at)
			VALUES ($1, $2, (SELECT coalesce(max(seq), 0) + 1 FROM messages WHERE conversation_id = $2),
				$3, $4, $5, $6, $7, $8, $9, $10)
			RETURNING id, seq, language),
		t AS (INSERT INTO message_texts (message_id, language, terms)
			SELECT id, language, $11::tsvector FROM m),
		j AS (INSERT INTO translations (message_id, language, source, state, next_attempt_at, updated_at)
			SELECT id, $12, language, 'pending', $9, $9 FROM m WHERE $12 <> '')
		SELECT id, seq FROM m`,
		m.Code, convID, string(m.Type), m.AuthorFirstName, m.AuthorLastName, m.StaffUserID,
		m.Content, m.Language, m.CreatedAt, m.ReadAt, searchVector(m.Content), m.TranslateTo).Scan(&id, &seq)
	return id, seq, err
}

// guestMessageFilter selects the messages a guest owner may see: Guest, Staff and System
// messages (never Notes) of the conversations at the owner's property that belong to the
// owner's stay or to the owner's non-verified identity. Its parameters are $1 property, $2
// stay and $3 guest id; a NULL stay or guest id matches nothing.
const guestMessageFilter = `FROM messages m
	JOIN conversations c ON c.id = m.conversation_id
	WHERE c.property_id = $1 AND (c.stay_id = $2 OR c.guest_id = $3)
	AND m.type IN ('Guest', 'Staff', 'System')`

// GuestMessages returns a page of the messages owner may see — the Guest, Staff and System
// messages (never Notes) of every conversation at owner's property that belongs to owner's
// stay or to owner's non-verified identity — ordered by creation time then id (both reversed
// when page.Descending), each with its conversation's code and the name of the service center
// of the conversation's current outlet; and the total number of such messages. An owner with
// neither a stay nor a guest has none. It returns an error only when the database fails.
func (db *DB) GuestMessages(ctx context.Context, owner concierge.Owner, page concierge.Page) ([]concierge.GuestMessage, int, error) {
	if owner.Empty() {
		return nil, 0, nil
	}
	args := []any{owner.PropertyID, owner.StayID, owner.GuestID}
	order := "ASC"
	if page.Descending {
		order = "DESC"
	}
	var out []concierge.GuestMessage
	var total int
	err := db.read(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT count(*) `+guestMessageFilter, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+prefixed("m.", messageColumns)+`, c.code,
			(SELECT sc.name FROM outlets o JOIN service_centers sc ON sc.id = o.service_center_id
			 WHERE o.id = c.outlet_id) `+guestMessageFilter+`
			ORDER BY m.created_at `+order+`, m.id `+order+` LIMIT $4 OFFSET $5`,
			append(args, limitArg(page.Limit), max(page.Offset, 0))...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var gm concierge.GuestMessage
			var center *string
			if gm.Message, err = scanMessage(rows, &gm.ConversationCode, &center); err != nil {
				return err
			}
			if center != nil {
				gm.ServiceCenterName = *center
			}
			out = append(out, gm)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, storeErr(err, "guest messages")
	}
	return out, total, nil
}

const messageColumns = `id, code, conversation_id, seq, type, author_first_name,
	author_last_name, staff_user_id, content, language, created_at, read_at`

// scanMessage reads a row of messageColumns (optionally followed by extra columns, scanned
// into extra).
func scanMessage(r rowScanner, extra ...any) (concierge.Message, error) {
	var m concierge.Message
	var typ string
	dest := append([]any{&m.ID, &m.Code, &m.ConversationID, &m.Seq, &typ, &m.AuthorFirstName,
		&m.AuthorLastName, &m.StaffUserID, &m.Content, &m.Language, &m.CreatedAt, &m.ReadAt}, extra...)
	if err := r.Scan(dest...); err != nil {
		return concierge.Message{}, err
	}
	m.Type, m.CreatedAt, m.ReadAt = concierge.MessageType(typ), utc(m.CreatedAt), utcPtr(m.ReadAt)
	return m, nil
}

// ConversationMessages returns a conversation's messages in sequence order, Notes only when
// includeNotes; an empty list for an unknown conversation.
func (db *DB) ConversationMessages(ctx context.Context, conversationID int64, includeNotes bool) ([]concierge.Message, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+messageColumns+` FROM messages
		WHERE conversation_id = $1 AND ($2 OR type <> 'Note') ORDER BY seq`, conversationID, includeNotes)
	if err != nil {
		return nil, storeErr(err, "conversation messages")
	}
	defer rows.Close()
	var out []concierge.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, storeErr(err, "conversation messages")
		}
		out = append(out, m)
	}
	return out, storeErr(rows.Err(), "conversation messages")
}
