package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"concierge/internal/concierge"
)

// insertMessage stores m in conversation convID in tx, with the next sequence number of the
// conversation (1 for its first message) and, when m.TranslateTo is set, its translation job,
// and returns the message's id and sequence number. One statement numbers and inserts it (the
// UNIQUE (conversation_id, seq) index finds the highest number); the writer's single
// connection makes it atomic. The message is added to the full-text index at the commit.
func (db *DB) insertMessage(ctx context.Context, tx *sql.Tx, convID int64, m *concierge.Message) (id, seq int64, err error) {
	err = db.writeStmts.queryRow(ctx, tx, `INSERT INTO messages (code, conversation_id, seq, type,
		author_first_name, author_last_name, staff_user_id, content, language, created_at, read_at)
		VALUES (?1, ?2, (SELECT coalesce(max(seq), 0) + 1 FROM messages WHERE conversation_id = ?2),
		?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
		RETURNING id, seq`,
		m.Code, convID, string(m.Type), m.AuthorFirstName, m.AuthorLastName,
		nullIDArg(m.StaffUserID), m.Content, m.Language, timeArg(m.CreatedAt), nullTimeArg(m.ReadAt)).Scan(&id, &seq)
	if err != nil {
		return 0, 0, err
	}
	db.insertedMessage(id)
	return id, seq, queueTranslation(ctx, tx, id, m) // translation.go
}

// insertMessageSeq is insertMessage for a caller that knows the message's sequence number
// (writeTx, which read it with the conversation): a plain INSERT, cheaper than one returning
// rows.
func (db *DB) insertMessageSeq(ctx context.Context, tx *sql.Tx, convID, seq int64, m *concierge.Message) (int64, error) {
	id, err := db.insert(ctx, tx, `INSERT INTO messages (code, conversation_id, seq, type,
		author_first_name, author_last_name, staff_user_id, content, language, created_at, read_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.Code, convID, seq, string(m.Type), m.AuthorFirstName, m.AuthorLastName,
		nullIDArg(m.StaffUserID), m.Content, m.Language, timeArg(m.CreatedAt), nullTimeArg(m.ReadAt))
	if err != nil {
		return 0, err
	}
	db.insertedMessage(id)
	return id, queueTranslation(ctx, tx, id, m) // translation.go
}

// guestMessageFilter selects the messages a guest owner may see: Guest, Staff and System
// messages (never Notes) of the conversations at the owner's property that belong to the
// owner's stay or to the owner's non-verified identity. Its arguments are property, stay and
// guest ids; a NULL stay or guest id matches nothing.
//
// The unary plus on c.property_id keeps SQLite from using conversations_property, which would
// scan every conversation of the property (seconds at millions of messages): the plan must be
// a MULTI-INDEX OR on conversations_stay and conversations_guest (TestGuestQueryPlans).
const guestMessageFilter = `FROM messages m
	JOIN conversations c ON c.id = m.conversation_id
	WHERE +c.property_id = ? AND (c.stay_id = ? OR c.guest_id = ?)
	AND m.type IN ('Guest', 'Staff', 'System')`

// guestMessagesQuery is GuestMessages' page query, ordered by order ("ASC" or "DESC"); its
// arguments are those of guestMessageFilter, then limit and offset.
func guestMessagesQuery(order string) string {
	return `SELECT m.id, m.code, m.conversation_id, m.seq, m.type,
		m.author_first_name, m.author_last_name, m.staff_user_id, m.content, m.language,
		m.created_at, m.read_at, c.code,
		(SELECT sc.name FROM outlets o JOIN service_centers sc ON sc.id = o.service_center_id
		 WHERE o.id = c.outlet_id) ` + guestMessageFilter + `
		ORDER BY m.created_at ` + order + `, m.id ` + order + ` LIMIT ? OFFSET ?`
}

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
	args := []any{owner.PropertyID, nullIDArg(owner.StayID), nullIDArg(owner.GuestID)}
	order := "ASC"
	if page.Descending {
		order = "DESC"
	}
	limit := int64(page.Limit)
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	var out []concierge.GuestMessage
	var total int
	err := db.read(ctx, func(tx *sql.Tx) error {
		if err := db.readStmts.queryRow(ctx, tx, `SELECT count(*) `+guestMessageFilter, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := db.readStmts.query(ctx, tx, guestMessagesQuery(order),
			append(args, limit, max(page.Offset, 0))...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			gm, err := scanGuestMessage(rows)
			if err != nil {
				return err
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

// scanGuestMessage reads a row of GuestMessages' select list.
func scanGuestMessage(r rowScanner) (concierge.GuestMessage, error) {
	var gm concierge.GuestMessage
	var typ string
	var staff, read sql.NullInt64
	var created int64
	var center sql.NullString
	m := &gm.Message
	if err := r.Scan(&m.ID, &m.Code, &m.ConversationID, &m.Seq, &typ, &m.AuthorFirstName,
		&m.AuthorLastName, &staff, &m.Content, &m.Language, &created, &read,
		&gm.ConversationCode, &center); err != nil {
		return concierge.GuestMessage{}, fmt.Errorf("scan guest message: %w", err)
	}
	m.Type, m.StaffUserID = concierge.MessageType(typ), nullIDOf(staff)
	m.CreatedAt, m.ReadAt = timeOf(created), nullTimeOf(read)
	gm.ServiceCenterName = center.String
	return gm, nil
}

const messageColumns = `id, code, conversation_id, seq, type, author_first_name,
	author_last_name, staff_user_id, content, language, created_at, read_at`

func scanMessage(r rowScanner) (concierge.Message, error) {
	var m concierge.Message
	var typ string
	var staff, read sql.NullInt64
	var created int64
	if err := r.Scan(&m.ID, &m.Code, &m.ConversationID, &m.Seq, &typ, &m.AuthorFirstName,
		&m.AuthorLastName, &staff, &m.Content, &m.Language, &created, &read); err != nil {
		return concierge.Message{}, err
	}
	m.Type, m.StaffUserID = concierge.MessageType(typ), nullIDOf(staff)
	m.CreatedAt, m.ReadAt = timeOf(created), nullTimeOf(read)
	return m, nil
}

// ConversationMessages returns a conversation's messages in sequence order, Notes only when
// includeNotes; an empty list for an unknown conversation.
func (db *DB) ConversationMessages(ctx context.Context, conversationID int64, includeNotes bool) ([]concierge.Message, error) {
	rows, err := db.readStmts.query(ctx, nil, `SELECT `+messageColumns+` FROM messages
		WHERE conversation_id = ? AND (? OR type <> 'Note') ORDER BY seq`, conversationID, includeNotes)
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
