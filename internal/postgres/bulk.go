package postgres

import (
	"context"
	"fmt"
	"time"

	"concierge/internal/concierge"
)

// Bulk inserts fill a database fast for load tests and migrations of history (the load tool's
// `prefill`), like the SQLite store's: a few statements whatever the number of rows (ids are
// drawn from the identity sequences first, then every row goes in one INSERT … SELECT FROM
// unnest). They keep every invariant the single-row methods keep (per-conversation message
// sequence numbers from 1, the search index) except one: they append no live events, so they
// are for history older than the event retention, not for rows live clients must see.

// BulkConversation is a conversation and its messages for BulkInsertConversations. The messages
// get the sequence numbers 1, 2, … in slice order.
type BulkConversation struct {
	Conversation concierge.Conversation
	Messages     []concierge.Message
}

// drawIDs returns n new ids of table's identity column.
func drawIDs(ctx context.Context, tx *wtx, table string, n int) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)`, table, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := make([]int64, 0, n)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// BulkInsertStays stores every stay in one transaction and sets their IDs. It returns the
// engine's error, wrapped, when an insert fails (a stay's property does not exist: a foreign
// key error; ErrConflict for a booking reference already taken), and then stores nothing.
func (db *DB) BulkInsertStays(ctx context.Context, stays []concierge.Stay) error {
	if len(stays) == 0 {
		return nil
	}
	var ids []int64
	err := db.write(ctx, func(tx *wtx) error {
		var err error
		if ids, err = drawIDs(ctx, tx, "stays", len(stays)); err != nil {
			return err
		}
		n := len(stays)
		props := make([]int64, n)
		room, first, last, lang, arr, dep, ref := make([]string, n), make([]string, n), make([]string, n),
			make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		for i, s := range stays {
			props[i], room[i], first[i], last[i], lang[i] = s.PropertyID, s.RoomNumber, s.FirstName, s.LastName, s.Language
			arr[i], dep[i], ref[i] = string(s.Arrival), string(s.Departure), s.BookingReference
		}
		_, err = tx.Exec(ctx, `INSERT INTO stays (id, property_id, room_number, first_name, last_name,
			language, arrival, departure, booking_reference) OVERRIDING SYSTEM VALUE
			SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],
				$7::text[], $8::text[], $9::text[])`, ids, props, room, first, last, lang, arr, dep, ref)
		return err
	})
	if err != nil {
		return storeErr(err, fmt.Sprintf("bulk insert %d stays", len(stays)))
	}
	for i := range stays {
		stays[i].ID = ids[i]
	}
	return nil
}

// BulkInsertConversations stores every conversation and its messages (with their search
// index rows) in one transaction, without events, and sets the IDs of conversations and
// messages and the messages' ConversationID and Seq. It returns concierge.ErrConflict when a
// conversation or message code is taken, and the engine's error, wrapped, when a referenced row
// (property, outlet, stay, guest, staff user) does not exist; nothing is stored when any insert
// fails.
func (db *DB) BulkInsertConversations(ctx context.Context, convs []BulkConversation) error {
	if len(convs) == 0 {
		return nil
	}
	var convIDs, msgIDs []int64
	err := db.write(ctx, func(tx *wtx) error {
		var err error
		if convIDs, err = drawIDs(ctx, tx, "conversations", len(convs)); err != nil {
			return err
		}
		if err := insertBulkConversations(ctx, tx, convs, convIDs); err != nil {
			return err
		}
		nm := 0
		for _, c := range convs {
			nm += len(c.Messages)
		}
		if nm == 0 {
			msgIDs = nil
			return nil
		}
		if msgIDs, err = drawIDs(ctx, tx, "messages", nm); err != nil {
			return err
		}
		return insertBulkMessages(ctx, tx, convs, convIDs, msgIDs)
	})
	if err != nil {
		return storeErr(err, fmt.Sprintf("bulk insert %d conversations", len(convs)))
	}
	k := 0
	for i := range convs {
		convs[i].Conversation.ID = convIDs[i]
		for j := range convs[i].Messages {
			m := &convs[i].Messages[j]
			m.ID, m.ConversationID, m.Seq = msgIDs[k], convIDs[i], int64(j+1)
			k++
		}
	}
	return nil
}

// insertBulkConversations inserts the conversations under ids in one statement.
func insertBulkConversations(ctx context.Context, tx *wtx, convs []BulkConversation, ids []int64) error {
	n := len(convs)
	code, subject, status, typ, first, last, lang := make([]string, n), make([]string, n), make([]string, n),
		make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	props, outlets := make([]int64, n), make([]int64, n)
	orders, stays, guests, assignees := make([]*int64, n), make([]*int64, n), make([]*int64, n), make([]*int64, n)
	forms := make([]*string, n)
	created, updated := make([]time.Time, n), make([]time.Time, n)
	for i := range convs {
		c := &convs[i].Conversation
		code[i], props[i], outlets[i], orders[i], stays[i], guests[i] = c.Code, c.PropertyID, c.OutletID, c.OrderID, c.StayID, c.GuestID
		subject[i], status[i], typ[i], assignees[i] = c.Subject, string(c.Status), c.Type, c.AssigneeID
		first[i], last[i], lang[i], forms[i] = c.GuestFirstName, c.GuestLastName, c.GuestLanguage, orderFormArg(c.OrderForm)
		created[i], updated[i] = c.CreatedAt, c.UpdatedAt
	}
	_, err := tx.Exec(ctx, `INSERT INTO conversations (id, code, property_id, outlet_id, order_id, stay_id,
		guest_id, subject, status, type, assignee_id, guest_first_name, guest_last_name, guest_language,
		order_form, created_at, updated_at) OVERRIDING SYSTEM VALUE
		SELECT id, code, prop, outlet, ord, stay, guest, subject, status, typ, assignee, first, last, lang,
			form::json, created, updated
		FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[],
			$7::bigint[], $8::text[], $9::text[], $10::text[], $11::bigint[], $12::text[], $13::text[],
			$14::text[], $15::text[], $16::timestamptz[], $17::timestamptz[])
			AS c (id, code, prop, outlet, ord, stay, guest, subject, status, typ, assignee, first, last, lang,
				form, created, updated)`,
		ids, code, props, outlets, orders, stays, guests, subject, status, typ, assignees, first, last, lang,
		forms, created, updated)
	return err
}

// insertBulkMessages inserts the messages of convs (conversation i under convIDs[i]) under ids,
// in order, with their search rows, in one statement.
func insertBulkMessages(ctx context.Context, tx *wtx, convs []BulkConversation, convIDs, ids []int64) error {
	n := len(ids)
	code, typ, first, last, content, lang, terms := make([]string, 0, n), make([]string, 0, n), make([]string, 0, n),
		make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
	conv, seq := make([]int64, 0, n), make([]int64, 0, n)
	staff := make([]*int64, 0, n)
	created, read := make([]time.Time, 0, n), make([]*time.Time, 0, n)
	for i := range convs {
		for j := range convs[i].Messages {
			m := &convs[i].Messages[j]
			code, conv, seq, typ = append(code, m.Code), append(conv, convIDs[i]), append(seq, int64(j+1)), append(typ, string(m.Type))
			first, last, staff = append(first, m.AuthorFirstName), append(last, m.AuthorLastName), append(staff, m.StaffUserID)
			content, lang, terms = append(content, m.Content), append(lang, m.Language), append(terms, searchVector(m.Content))
			created, read = append(created, m.CreatedAt), append(read, m.ReadAt)
		}
	}
	_, err := tx.Exec(ctx, `WITH m AS (
			SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[],
				$7::text[], $8::bigint[], $9::text[], $10::text[], $11::timestamptz[], $12::timestamptz[], $13::text[])
				AS m (id, code, conv, seq, typ, first, last, staff, content, lang, created, read, terms)),
		ins AS (
			INSERT INTO messages (id, code, conversation_id, seq, type, author_first_name, author_last_name,
				staff_user_id, content, language, created_at, read_at) OVERRIDING SYSTEM VALUE
			SELECT id, code, conv, seq, typ, first, last, staff, content, lang, created, read FROM m
			RETURNING id)
		INSERT INTO message_texts (message_id, language, terms)
		SELECT m.id, m.lang, m.terms::tsvector FROM m JOIN ins ON ins.id = m.id`,
		ids, code, conv, seq, typ, first, last, staff, content, lang, created, read, terms)
	return err
}
