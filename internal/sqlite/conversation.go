package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"concierge/internal/concierge"
)

// CreateConversation stores c and, when first is not nil, its first message, in one
// transaction. It sets c.ID and, for first, its ID, ConversationID and Seq (1). It returns
// concierge.ErrConflict, and stores nothing, when c's code or first's code is taken.
func (db *DB) CreateConversation(ctx context.Context, c *concierge.Conversation, first *concierge.Message) error {
	var convID, msgID, seq int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		convID, err = insert(ctx, tx, `INSERT INTO conversations (code, property_id, outlet_id,
			order_id, stay_id, guest_id, subject, status, type, assignee_id, guest_first_name,
			guest_last_name, guest_language, order_form, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Code, c.PropertyID, c.OutletID, nullIDArg(c.OrderID), nullIDArg(c.StayID),
			nullIDArg(c.GuestID), c.Subject, string(c.Status), c.Type, nullIDArg(c.AssigneeID),
			c.GuestFirstName, c.GuestLastName, c.GuestLanguage, orderFormArg(c.OrderForm),
			timeArg(c.CreatedAt), timeArg(c.UpdatedAt))
		if err != nil || first == nil {
			return err
		}
		msgID, seq, err = insertMessage(ctx, tx, convID, first)
		return err
	})
	if err != nil {
		return storeErr(err, fmt.Sprintf("create conversation %q", c.Code))
	}
	c.ID = convID
	if first != nil {
		first.ID, first.ConversationID, first.Seq = msgID, convID, seq
	}
	return nil
}

// orderFormArg returns the column value of an order form: NULL when empty, else its JSON text.
func orderFormArg(form []byte) any {
	if len(form) == 0 {
		return nil
	}
	return string(form)
}
