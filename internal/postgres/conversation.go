package postgres

import (
	"context"
	"fmt"
	"time"

	"concierge/internal/concierge"

	"github.com/jackc/pgx/v5"
)

// orderFormArg returns the parameter of an order form: NULL when empty, else its JSON text
// (the json column checks that it is JSON and keeps it byte for byte).
func orderFormArg(form []byte) *string {
	if len(form) == 0 {
		return nil
	}
	s := string(form)
	return &s
}

const conversationColumns = `id, code, property_id, outlet_id, order_id, stay_id, guest_id,
	subject, status, type, assignee_id, guest_first_name, guest_last_name, guest_language,
	order_form, created_at, updated_at`

// scanConversation reads a row of conversationColumns (optionally followed by extra columns,
// scanned into extra).
func scanConversation(r rowScanner, extra ...any) (concierge.Conversation, error) {
	var c concierge.Conversation
	var status string
	var form *string
	dest := append([]any{&c.ID, &c.Code, &c.PropertyID, &c.OutletID, &c.OrderID, &c.StayID,
		&c.GuestID, &c.Subject, &status, &c.Type, &c.AssigneeID, &c.GuestFirstName,
		&c.GuestLastName, &c.GuestLanguage, &form, &c.CreatedAt, &c.UpdatedAt}, extra...)
	if err := r.Scan(dest...); err != nil {
		return concierge.Conversation{}, err
	}
	c.Status = concierge.ConversationStatus(status)
	if form != nil {
		c.OrderForm = []byte(*form)
	}
	c.CreatedAt, c.UpdatedAt = utc(c.CreatedAt), utc(c.UpdatedAt)
	return c, nil
}

// queryConversations runs a query of conversationColumns and returns its rows.
func queryConversations(ctx context.Context, q querier, sql string, args ...any) ([]concierge.Conversation, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []concierge.Conversation
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ConversationByCode returns the conversation with exactly this code, or concierge.ErrNotFound.
func (db *DB) ConversationByCode(ctx context.Context, code string) (concierge.Conversation, error) {
	c, err := scanConversation(db.pool.QueryRow(ctx,
		`SELECT `+conversationColumns+` FROM conversations WHERE code = $1`, code))
	return c, storeErr(err, fmt.Sprintf("conversation %q", code))
}

// GuestConversations returns a page of owner's conversations, most recently updated first
// (then newest id), only those with the given status unless it is empty, each with its count
// of unread Staff and System messages and the creation time of its last visible message in
// sequence order; and the total. An owner with neither stay nor guest has none.
func (db *DB) GuestConversations(ctx context.Context, owner concierge.Owner, status concierge.ConversationStatus, page concierge.Page) ([]concierge.ConversationSummary, int, error) {
	if owner.Empty() {
		return nil, 0, nil
	}
	const where = `WHERE property_id = $1 AND (stay_id = $2 OR guest_id = $3) AND ($4 = '' OR status = $4)`
	args := []any{owner.PropertyID, owner.StayID, owner.GuestID, string(status)}
	var out []concierge.ConversationSummary
	var total int
	err := db.read(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM conversations `+where, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+conversationColumns+`,
			(SELECT count(*) FROM messages m WHERE m.conversation_id = conversations.id
			 AND m.type IN ('Staff', 'System') AND m.read_at IS NULL),
			(SELECT m.created_at FROM messages m WHERE m.conversation_id = conversations.id
			 AND m.type IN ('Guest', 'Staff', 'System') ORDER BY m.seq DESC LIMIT 1)
			FROM conversations `+where+` ORDER BY updated_at DESC, id DESC LIMIT $5 OFFSET $6`,
			append(args, limitArg(page.Limit), max(page.Offset, 0))...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s concierge.ConversationSummary
			var last *time.Time
			if s.Conversation, err = scanConversation(rows, &s.UnreadCount, &last); err != nil {
				return err
			}
			if last != nil {
				s.LastMessageAt = utc(*last)
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
