package postgres

import (
	"context"
	"time"

	"concierge/internal/concierge"
)

// eventsChannel is the NOTIFY channel on which every commit that appended events announces its
// newest seq.
const eventsChannel = "concierge_events"

// pendingEvent is an event a write transaction appends when it commits.
type pendingEvent struct {
	kind    concierge.EventKind
	convID  int64
	msgID   *int64
	at      time.Time
	subject *string // access.ended only (convID 0)
}

// appendEvent records, in tx, an event about conversation convID (and message msgID, when not
// 0); write stores it when the transaction commits (see appendEvents).
func (tx *wtx) appendEvent(kind concierge.EventKind, convID, msgID int64, at time.Time) {
	e := pendingEvent{kind: kind, convID: convID, at: at}
	if msgID != 0 {
		e.msgID = &msgID
	}
	tx.events = append(tx.events, e)
}

// appendAccessEnded records, in tx, an access.ended event about subject (see
// concierge.AccessSubject); write stores it when the transaction commits.
func (tx *wtx) appendAccessEnded(subject concierge.AccessSubject, at time.Time) {
	sub := string(subject)
	tx.events = append(tx.events, pendingEvent{kind: concierge.EventAccessEnded, at: at, subject: &sub})
}

// appendEvents stores the events recorded in tx, in order, each with its conversation's
// property (0 for access.ended), and announces the newest with NOTIFY; it returns that seq (0 when tx recorded
// none). It draws the seqs from the one-row event_counter as the last statement before the
// commit: the row lock it takes makes every other appender wait until this transaction
// commits, so a later seq never becomes visible before an earlier one, and taking it last
// keeps the wait short and free of deadlocks (no appender waits for another lock while holding
// it). It returns concierge.ErrNotFound when a conversation does not exist.
func appendEvents(ctx context.Context, tx *wtx) (int64, error) {
	n := len(tx.events)
	if n == 0 {
		return 0, nil
	}
	kinds := make([]string, n)
	convs := make([]int64, n)
	msgs := make([]*int64, n)
	ats := make([]time.Time, n)
	subjects := make([]*string, n)
	for i, e := range tx.events {
		kinds[i], convs[i], msgs[i], ats[i], subjects[i] = string(e.kind), e.convID, e.msgID, e.at, e.subject
	}
	// One statement, so that the counter's lock is held for as little as the commit itself.
	var last, stored int64
	err := tx.QueryRow(ctx, `WITH counter AS (
			UPDATE event_counter SET seq = seq + $1 RETURNING seq),
		stored AS (
			INSERT INTO events (seq, kind, conversation_id, message_id, property_id, created_at, subject)
			SELECT (SELECT seq FROM counter) - $1 + e.ord, e.kind, e.conv, e.msg,
				coalesce(c.property_id, 0), e.at, e.subject
			FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::timestamptz[], $7::text[])
				WITH ORDINALITY AS e (kind, conv, msg, at, subject, ord)
			LEFT JOIN conversations c ON c.id = e.conv
			WHERE c.id IS NOT NULL OR e.subject IS NOT NULL
			RETURNING 1)
		SELECT seq, (SELECT count(*) FROM stored), pg_notify($6, seq::text) FROM counter`,
		n, kinds, convs, msgs, ats, eventsChannel, subjects).Scan(&last, &stored, nil)
	if err != nil {
		return 0, err
	}
	if stored != int64(n) {
		return 0, concierge.ErrNotFound
	}
	return last, nil
}

// EventsAfter returns the events with seq above afterSeq, ascending, at most limit (≤ 0: all),
// each with its conversation's current owners (nil when the conversation is gone).
// It errors only when the database fails.
func (db *DB) EventsAfter(ctx context.Context, afterSeq int64, limit int) ([]concierge.Event, error) {
	rows, err := db.pool.Query(ctx, `SELECT e.seq, e.kind, e.conversation_id, e.message_id,
		e.property_id, e.created_at, c.id IS NOT NULL, c.stay_id, c.guest_id, e.subject
		FROM events e LEFT JOIN conversations c ON c.id = e.conversation_id
		WHERE e.seq > $1 ORDER BY e.seq LIMIT $2`, afterSeq, limitArg(limit))
	if err != nil {
		return nil, storeErr(err, "events after")
	}
	defer rows.Close()
	var out []concierge.Event
	for rows.Next() {
		var e concierge.Event
		var kind string
		var owned bool
		var stay, guest *int64
		var subject *string
		if err := rows.Scan(&e.Seq, &kind, &e.ConversationID, &e.MessageID, &e.PropertyID, &e.CreatedAt,
			&owned, &stay, &guest, &subject); err != nil {
			return nil, storeErr(err, "events after")
		}
		e.Kind, e.CreatedAt, e.Subject = concierge.EventKind(kind), e.CreatedAt.UTC(), valueOf(subject)
		if owned {
			e.Owner = &concierge.EventOwner{StayID: stay, GuestID: guest}
		}
		out = append(out, e)
	}
	return out, storeErr(rows.Err(), "events after")
}

// LatestEventSeq returns the highest seq ever appended, kept by the event counter even when
// that event was pruned; 0 when none. It errors only when the database fails.
func (db *DB) LatestEventSeq(ctx context.Context) (int64, error) {
	var seq int64
	err := db.pool.QueryRow(ctx, `SELECT seq FROM event_counter`).Scan(&seq)
	return seq, storeErr(err, "latest event seq")
}

// OldestEventSeq returns the lowest seq kept; 0 when the log is empty. It errors only when the
// database fails.
func (db *DB) OldestEventSeq(ctx context.Context) (int64, error) {
	var seq int64
	err := db.pool.QueryRow(ctx, `SELECT coalesce(min(seq), 0) FROM events`).Scan(&seq)
	return seq, storeErr(err, "oldest event seq")
}

// PruneEvents deletes the events created before the given time and returns how many. It errors
// only when the database fails.
func (db *DB) PruneEvents(ctx context.Context, before time.Time) (int, error) {
	tag, err := db.exec(ctx, `DELETE FROM events WHERE created_at < $1`, bound(before))
	return int(tag.RowsAffected()), storeErr(err, "prune events")
}

// ConversationByID returns the conversation with this id, or concierge.ErrNotFound.
func (db *DB) ConversationByID(ctx context.Context, id int64) (concierge.Conversation, error) {
	c, err := scanConversation(db.pool.QueryRow(ctx,
		`SELECT `+conversationColumns+` FROM conversations WHERE id = $1`, id))
	return c, storeErr(err, "conversation by id")
}
