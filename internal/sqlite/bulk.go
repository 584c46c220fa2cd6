package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"concierge/internal/concierge"
)

// Bulk inserts fill a database fast for load tests and migrations of history (the load tool's
// `prefill`): many rows per transaction, statements prepared once per transaction. They keep
// every invariant the single-row methods keep (per-conversation message sequence numbers from
// 1, the full-text index, which the writer fills at commit) except one: they append
// no live events. Events exist for clients resuming a stream within the event retention (7 days
// by default); history written in bulk is older than that, and streams opened later start after
// it. Callers that bulk-insert recent rows and need live clients to see them should use
// CreateConversation and AddMessage instead.

// BulkConversation is a conversation and its messages for BulkInsertConversations. The messages
// get the sequence numbers 1, 2, … in slice order.
type BulkConversation struct {
	Conversation concierge.Conversation
	Messages     []concierge.Message
}

// bulkRowsPerInsert is how many messages one INSERT statement writes (11 parameters each, far
// below SQLite's limit of 32766).
const bulkRowsPerInsert = 200

// bulkMessageRow is a message waiting for its multi-row INSERT; at is its index in the list of
// message ids.
type bulkMessageRow struct {
	m      *concierge.Message
	convID int64
	seq    int64
	at     int
}

// insertMessageRows inserts rows in one statement and writes each row's new id into ids[row.at].
func insertMessageRows(ctx context.Context, tx *sql.Tx, rows []bulkMessageRow, ids []int64) error {
	var q strings.Builder
	q.WriteString(`INSERT INTO messages (code, conversation_id, seq, type, author_first_name,
		author_last_name, staff_user_id, content, language, created_at, read_at) VALUES `)
	args := make([]any, 0, len(rows)*11)
	where := make(map[[2]int64]int, len(rows))
	for i, r := range rows {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		m := r.m
		args = append(args, m.Code, r.convID, r.seq, string(m.Type), m.AuthorFirstName, m.AuthorLastName,
			nullIDArg(m.StaffUserID), m.Content, m.Language, timeArg(m.CreatedAt), nullTimeArg(m.ReadAt))
		where[[2]int64{r.convID, r.seq}] = r.at
	}
	// RETURNING gives no order guarantee: rows are matched back by (conversation, seq).
	q.WriteString(" RETURNING conversation_id, seq, id")
	res, err := tx.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return err
	}
	defer res.Close()
	n := 0
	for res.Next() {
		var conv, seq, id int64
		if err := res.Scan(&conv, &seq, &id); err != nil {
			return err
		}
		at, ok := where[[2]int64{conv, seq}]
		if !ok {
			return fmt.Errorf("bulk insert: unexpected returned row (%d, %d)", conv, seq)
		}
		ids[at] = id
		n++
	}
	if err := res.Err(); err != nil {
		return err
	}
	if n != len(rows) {
		return fmt.Errorf("bulk insert: %d of %d messages returned", n, len(rows))
	}
	return nil
}

// BulkInsertStays stores every stay in one transaction and sets their IDs. It returns the
// engine's error, wrapped, when an insert fails (a stay's property does not exist: a foreign key
// error), and then stores nothing.
func (db *DB) BulkInsertStays(ctx context.Context, stays []concierge.Stay) error {
	if len(stays) == 0 {
		return nil
	}
	var ids []int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		ids = ids[:0] // the function may be re-run
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO stays (property_id, room_number, first_name,
			last_name, language, arrival, departure, booking_reference) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range stays {
			s := &stays[i]
			res, err := stmt.ExecContext(ctx, s.PropertyID, s.RoomNumber, s.FirstName, s.LastName,
				s.Language, string(s.Arrival), string(s.Departure), s.BookingReference)
			if err != nil {
				return err
			}
			id, err := res.LastInsertId()
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		return storeErr(err, fmt.Sprintf("bulk insert %d stays", len(stays)))
	}
	for i := range stays {
		stays[i].ID = ids[i]
	}
	return nil
}

// BulkInsertConversations stores every conversation and its messages in one transaction, without
// events (see the package comment of bulk.go), and sets the IDs of conversations and messages and
// the messages' ConversationID and Seq. It returns concierge.ErrConflict when a conversation or
// message code is taken, and the engine's error, wrapped, when a referenced row (property,
// outlet, stay, guest, staff user) does not exist; nothing is stored when any insert fails.
func (db *DB) BulkInsertConversations(ctx context.Context, convs []BulkConversation) error {
	if len(convs) == 0 {
		return nil
	}
	var convIDs, msgIDs []int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		convIDs, msgIDs = convIDs[:0], msgIDs[:0] // the function may be re-run
		convStmt, err := tx.PrepareContext(ctx, `INSERT INTO conversations (code, property_id, outlet_id,
			order_id, stay_id, guest_id, subject, status, type, assignee_id, guest_first_name,
			guest_last_name, guest_language, order_form, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer convStmt.Close()
		// Messages go in multi-row INSERTs: fewer statements to run. (They enter the full-text
		// index at commit, all in one statement: writer.go.)
		msgIDs = make([]int64, 0, len(convs)*4)
		var rows []bulkMessageRow
		flush := func() error {
			if len(rows) == 0 {
				return nil
			}
			err := insertMessageRows(ctx, tx, rows, msgIDs)
			rows = rows[:0]
			return err
		}
		for i := range convs {
			c := &convs[i].Conversation
			res, err := convStmt.ExecContext(ctx, c.Code, c.PropertyID, c.OutletID, nullIDArg(c.OrderID),
				nullIDArg(c.StayID), nullIDArg(c.GuestID), c.Subject, string(c.Status), c.Type,
				nullIDArg(c.AssigneeID), c.GuestFirstName, c.GuestLastName, c.GuestLanguage,
				orderFormArg(c.OrderForm), timeArg(c.CreatedAt), timeArg(c.UpdatedAt))
			if err != nil {
				return err
			}
			convID, err := res.LastInsertId()
			if err != nil {
				return err
			}
			convIDs = append(convIDs, convID)
			for j := range convs[i].Messages {
				rows = append(rows, bulkMessageRow{m: &convs[i].Messages[j], convID: convID, seq: int64(j + 1), at: len(msgIDs)})
				msgIDs = append(msgIDs, 0)
				if len(rows) == bulkRowsPerInsert {
					if err := flush(); err != nil {
						return err
					}
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
		for _, id := range msgIDs {
			db.insertedMessage(id) // indexed at commit, in one statement
		}
		return nil
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
