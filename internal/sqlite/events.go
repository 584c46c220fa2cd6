package sqlite

import (
	"context"
	"database/sql"
	"time"

	"concierge/internal/concierge"
)

// appendPropertyEvent appends an event about conversation convID of property propertyID (and
// message msgID, when not 0) in tx and records its seq so that write notifies it after the
// commit: a single-row INSERT … VALUES, which SQLite runs without a statement journal
// (INSERT … SELECT needs one). The conversation must exist in tx.
func (db *DB) appendPropertyEvent(ctx context.Context, tx *sql.Tx, kind concierge.EventKind, convID, propertyID, msgID int64, at time.Time) error {
	var msg any
	if msgID != 0 {
		msg = msgID
	}
	res, err := db.writeStmts.exec(ctx, tx, `INSERT INTO events (kind, conversation_id, message_id, property_id, created_at)
		VALUES (?, ?, ?, ?, ?)`, string(kind), convID, msg, propertyID, timeArg(at))
	return db.appended(res, err)
}

// appended records the seq of the event an INSERT appended (res, err) so that write notifies
// it after the commit.
func (db *DB) appended(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	seq, err := res.LastInsertId()
	if err != nil {
		return err
	}
	db.pendingSeq.Store(seq)
	return nil
}

// appendAccessEnded appends an access.ended event about subject in tx (see
// concierge.AccessSubject) and records its seq so that write notifies it after the commit.
func (db *DB) appendAccessEnded(ctx context.Context, tx *sql.Tx, subject concierge.AccessSubject, at time.Time) error {
	res, err := db.writeStmts.exec(ctx, tx, `INSERT INTO events (kind, conversation_id, property_id, created_at, subject)
		VALUES (?, 0, 0, ?, ?)`, string(concierge.EventAccessEnded), timeArg(at), string(subject))
	return db.appended(res, err)
}

// OnEvents makes fn be called with the seq of the newest event after every commit that
// appended events (fn must not block). Set it before the DB is shared; nil stops the calls.
func (db *DB) OnEvents(fn func(seq int64)) {
	if fn == nil {
		db.notify.Store(nil)
		return
	}
	db.notify.Store(&fn)
}

// EventsAfter returns the events with seq above afterSeq, ascending, at most limit (≤ 0: all),
// each with its conversation's current owners (nil when the conversation is gone).
func (db *DB) EventsAfter(ctx context.Context, afterSeq int64, limit int) ([]concierge.Event, error) {
	lim := int64(limit)
	if lim <= 0 {
		lim = -1
	}
	rows, err := db.readStmts.query(ctx, nil, `SELECT e.seq, e.kind, e.conversation_id, e.message_id,
		e.property_id, e.created_at, c.id IS NOT NULL, c.stay_id, c.guest_id, e.subject
		FROM events e LEFT JOIN conversations c ON c.id = e.conversation_id
		WHERE e.seq > ? ORDER BY e.seq LIMIT ?`, afterSeq, lim)
	if err != nil {
		return nil, storeErr(err, "events after")
	}
	defer rows.Close()
	var out []concierge.Event
	for rows.Next() {
		var e concierge.Event
		var kind string
		var msg, stay, guest sql.NullInt64
		var created int64
		var owned bool
		var subject sql.NullString
		if err := rows.Scan(&e.Seq, &kind, &e.ConversationID, &msg, &e.PropertyID, &created, &owned, &stay, &guest, &subject); err != nil {
			return nil, storeErr(err, "events after")
		}
		e.Kind, e.MessageID, e.CreatedAt = concierge.EventKind(kind), nullIDOf(msg), timeOf(created)
		e.Subject = subject.String
		if owned {
			e.Owner = &concierge.EventOwner{StayID: nullIDOf(stay), GuestID: nullIDOf(guest)}
		}
		out = append(out, e)
	}
	return out, storeErr(rows.Err(), "events after")
}

// LatestEventSeq returns the highest seq ever appended, kept by AUTOINCREMENT even when that
// event was pruned; 0 when none.
func (db *DB) LatestEventSeq(ctx context.Context) (int64, error) {
	var seq int64
	err := db.readStmts.queryRow(ctx, nil,
		`SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0)`).Scan(&seq)
	return seq, storeErr(err, "latest event seq")
}

// OldestEventSeq returns the lowest seq kept; 0 when the log is empty.
func (db *DB) OldestEventSeq(ctx context.Context) (int64, error) {
	var seq int64
	err := db.readers.QueryRowContext(ctx, `SELECT coalesce(min(seq), 0) FROM events`).Scan(&seq)
	return seq, storeErr(err, "oldest event seq")
}

// PruneEvents deletes the events created before the given time and returns how many.
func (db *DB) PruneEvents(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM events WHERE created_at < ?`, timeArg(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), storeErr(err, "prune events")
}

// ConversationByID returns the conversation with this id, or concierge.ErrNotFound.
func (db *DB) ConversationByID(ctx context.Context, id int64) (concierge.Conversation, error) {
	c, err := scanConversation(db.readStmts.queryRow(ctx, nil,
		`SELECT `+conversationColumns+` FROM conversations WHERE id = ?`, id))
	return c, storeErr(err, "conversation by id")
}
