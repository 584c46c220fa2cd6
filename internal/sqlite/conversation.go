package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"concierge/internal/concierge"
)

// orderFormArg returns the column value of an order form: NULL when empty, else its JSON text.
func orderFormArg(form []byte) any {
	if len(form) == 0 {
		return nil
	}
	return string(form)
}

const conversationColumns = `id, code, property_id, outlet_id, order_id, stay_id, guest_id,
	subject, status, type, assignee_id, guest_first_name, guest_last_name, guest_language,
	order_form, created_at, updated_at`

// scanConversation reads a row of conversationColumns (optionally followed by extra columns,
// scanned into extra).
func scanConversation(r rowScanner, extra ...any) (concierge.Conversation, error) {
	var c concierge.Conversation
	var order, stay, guest, assignee sql.NullInt64
	var status string
	var form sql.NullString
	var created, updated int64
	dest := append([]any{&c.ID, &c.Code, &c.PropertyID, &c.OutletID, &order, &stay, &guest,
		&c.Subject, &status, &c.Type, &assignee, &c.GuestFirstName, &c.GuestLastName,
		&c.GuestLanguage, &form, &created, &updated}, extra...)
	if err := r.Scan(dest...); err != nil {
		return concierge.Conversation{}, err
	}
	c.OrderID, c.StayID, c.GuestID, c.AssigneeID = nullIDOf(order), nullIDOf(stay), nullIDOf(guest), nullIDOf(assignee)
	c.Status = concierge.ConversationStatus(status)
	if form.Valid {
		c.OrderForm = []byte(form.String)
	}
	c.CreatedAt, c.UpdatedAt = timeOf(created), timeOf(updated)
	return c, nil
}

// ConversationByCode returns the conversation with exactly this code, or concierge.ErrNotFound.
func (db *DB) ConversationByCode(ctx context.Context, code string) (concierge.Conversation, error) {
	c, err := scanConversation(db.readStmts.queryRow(ctx, nil,
		`SELECT `+conversationColumns+` FROM conversations WHERE code = ?`, code))
	return c, storeErr(err, fmt.Sprintf("conversation %q", code))
}

// guestConversationFilter selects a guest owner's conversations: those at the owner's
// property that belong to the owner's stay or non-verified identity, and only those with a
// given status when withStatus. Its arguments are property, stay and guest ids, then the
// status when withStatus. The unary plus on property_id keeps SQLite from scanning the
// property's conversations through conversations_property: the plan must be a MULTI-INDEX OR
// on conversations_stay and conversations_guest (TestGuestQueryPlans). The two variants (rather
// than one testing whether the status argument is empty) keep the plan independent of the
// arguments, so that SQLite does not compile the prepared statement again when they change.
func guestConversationFilter(withStatus bool) string {
	if withStatus {
		return `WHERE +property_id = ? AND (stay_id = ? OR guest_id = ?) AND status = ?`
	}
	return `WHERE +property_id = ? AND (stay_id = ? OR guest_id = ?)`
}

// guestConversationsQuery is GuestConversations' page query; its arguments are those of
// guestConversationFilter(withStatus), then limit and offset.
func guestConversationsQuery(withStatus bool) string {
	return `SELECT ` + conversationColumns + `,
	(SELECT count(*) FROM messages m WHERE m.conversation_id = conversations.id
	 AND m.type IN ('Staff', 'System') AND m.read_at IS NULL),
	coalesce((SELECT m.created_at FROM messages m WHERE m.conversation_id = conversations.id
	 AND m.type IN ('Guest', 'Staff', 'System') ORDER BY m.seq DESC LIMIT 1), 0)
	FROM conversations ` + guestConversationFilter(withStatus) + ` ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?`
}

// GuestConversations returns a page of owner's conversations, most recently updated first
// (then newest id), only those with the given status unless it is empty, each with its count
// of unread Staff and System messages and the creation time of its last visible message in
// sequence order; and the total. An owner with neither stay nor guest has none.
func (db *DB) GuestConversations(ctx context.Context, owner concierge.Owner, status concierge.ConversationStatus, page concierge.Page) ([]concierge.ConversationSummary, int, error) {
	if owner.Empty() {
		return nil, 0, nil
	}
	args := []any{owner.PropertyID, nullIDArg(owner.StayID), nullIDArg(owner.GuestID)}
	withStatus := status != ""
	if withStatus {
		args = append(args, string(status))
	}
	limit := int64(page.Limit)
	if limit <= 0 {
		limit = -1
	}
	var out []concierge.ConversationSummary
	var total int
	err := db.read(ctx, func(tx *sql.Tx) error {
		if err := db.readStmts.queryRow(ctx, tx, `SELECT count(*) FROM conversations `+guestConversationFilter(withStatus), args...).Scan(&total); err != nil {
			return err
		}
		rows, err := db.readStmts.query(ctx, tx, guestConversationsQuery(withStatus), append(args, limit, max(page.Offset, 0))...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s concierge.ConversationSummary
			var last int64
			if s.Conversation, err = scanConversation(rows, &s.UnreadCount, &last); err != nil {
				return err
			}
			if last != 0 {
				s.LastMessageAt = timeOf(last)
			}
			out = append(out, s)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, storeErr(err, "guest conversations")
	}
	return out, total, nil
}
