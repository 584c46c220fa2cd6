package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"concierge/internal/concierge"
)

// insertMessage stores m in conversation convID in tx, with the next sequence number of the
// conversation (1 for its first message), and returns the message's id and sequence number.
// The writer's single connection makes the read of max(seq) and the insert atomic.
func (db *DB) insertMessage(ctx context.Context, tx *sql.Tx, convID int64, m *concierge.Message) (id, seq int64, err error) {
	if err := db.writeStmts.queryRow(ctx, tx, `SELECT coalesce(max(seq), 0) + 1 FROM messages
		WHERE conversation_id = ?`, convID).Scan(&seq); err != nil {
		return 0, 0, err
	}
	id, err = db.insertMessageSeq(ctx, tx, convID, seq, m)
	return id, seq, err
}

// insertMessageSeq is insertMessage for a caller that knows the message's sequence number: 1
// for the first message of a conversation created in the same transaction.
func (db *DB) insertMessageSeq(ctx context.Context, tx *sql.Tx, convID, seq int64, m *concierge.Message) (id int64, err error) {
	id, err = db.insert(ctx, tx, `INSERT INTO messages (code, conversation_id, seq, type,
		author_first_name, author_last_name, staff_user_id, content, language, created_at, read_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.Code, convID, seq, string(m.Type), m.AuthorFirstName, m.AuthorLastName,
		nullIDArg(m.StaffUserID), m.Content, m.Language, timeArg(m.CreatedAt), nullTimeArg(m.ReadAt))
	if err == nil {
		db.insertedMessage(id)
		err = queueTranslation(ctx, tx, id, m) // translation.go
	}
	return id, err
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

// AddMessage appends m to conversation m.ConversationID with the next sequence number and
// sets the conversation's status and updated time, in one transaction with its events
// (message.created, then conversation.updated when the status changed). It sets m.ID and m.Seq.
// concierge.ErrNotFound when the conversation does not exist; ErrConflict when m's code is taken.
func (db *DB) AddMessage(ctx context.Context, m *concierge.Message, status concierge.ConversationStatus, at time.Time) error {
	var id, seq int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		// One statement reads the conversation and the message's sequence number.
		var old string
		var propertyID int64
		err := db.writeStmts.queryRow(ctx, tx, `SELECT status, property_id,
			(SELECT coalesce(max(seq), 0) + 1 FROM messages WHERE conversation_id = ?1)
			FROM conversations WHERE id = ?1`, m.ConversationID).Scan(&old, &propertyID, &seq)
		if err == sql.ErrNoRows {
			return concierge.ErrNotFound
		}
		if err != nil {
			return err
		}
		if _, err := db.writeStmts.exec(ctx, tx, `UPDATE conversations SET status = ?, updated_at = ? WHERE id = ?`,
			string(status), timeArg(at), m.ConversationID); err != nil {
			return err
		}
		if id, err = db.insertMessageSeq(ctx, tx, m.ConversationID, seq, m); err != nil {
			return err
		}
		if err := db.appendPropertyEvent(ctx, tx, concierge.EventMessageCreated, m.ConversationID, propertyID, id, m.CreatedAt); err != nil {
			return err
		}
		if old != string(status) {
			return db.appendPropertyEvent(ctx, tx, concierge.EventConversationUpdated, m.ConversationID, propertyID, 0, at)
		}
		return nil
	})
	if err != nil {
		return storeErr(err, fmt.Sprintf("add message to conversation %d", m.ConversationID))
	}
	m.ID, m.Seq = id, seq
	return nil
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

// MarkRead sets the read time of the conversation's unread messages whose type is one of
// types and whose sequence number is at most upToSeq (0: any), and returns how many changed;
// when some did, it appends a message.read event in the same transaction.
func (db *DB) MarkRead(ctx context.Context, conversationID int64, types []concierge.MessageType, upToSeq int64, at time.Time) (int, error) {
	if len(types) == 0 {
		return 0, nil
	}
	placeholders := strings.TrimSuffix(strings.Repeat("?, ", len(types)), ", ")
	args := []any{timeArg(at), conversationID, upToSeq, upToSeq}
	for _, t := range types {
		args = append(args, string(t))
	}
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE messages SET read_at = ?
			WHERE conversation_id = ? AND read_at IS NULL AND (? = 0 OR seq <= ?)
			AND type IN (`+placeholders+`)`, args...)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		return db.appendEvent(ctx, tx, concierge.EventMessageRead, conversationID, 0, at)
	})
	return int(n), storeErr(err, "mark read")
}
