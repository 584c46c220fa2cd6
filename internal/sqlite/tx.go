package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"concierge/internal/concierge"
)

// writeTx is the table operations (concierge.Tx) of a write transaction on the writer
// connection. The single writer makes every read in it see, and hold, the latest state: a
// read of a row is its lock.
type writeTx struct {
	db *DB
	tx *sql.Tx
	// erased is set by the operations that delete a guest's data: Write then empties the WAL
	// after the commit, so that the erased pages survive in no file.
	erased bool
	// seqConv's next message sequence number is nextSeq (0: unknown), read with the
	// conversation by ConversationForUpdate or known after an insert, so that InsertMessage
	// inserts with it instead of numbering in its statement.
	seqConv, nextSeq int64
}

// Write runs fn in a write transaction of the group commit (writer.go) under the domain's write
// contract (concierge.Transactor): fn may run again, alone, when the transaction it shared
// with other writes fails. It returns fn's error unchanged, or the transaction's (wrapped).
// When fn erased a guest's data, Write returns once the WAL holds no copy of it.
func (db *DB) Write(ctx context.Context, fn func(concierge.Tx) error) error {
	w := &writeTx{db: db}
	err := db.write(ctx, func(tx *sql.Tx) error {
		w.tx, w.seqConv, w.nextSeq = tx, 0, 0 // a run again starts afresh
		return fn(w)
	})
	if err == nil && w.erased {
		db.emptyWAL(ctx)
	}
	return err
}

// ConversationForUpdate reads a conversation's property and status; concierge.ErrNotFound
// when none.
func (w *writeTx) ConversationForUpdate(ctx context.Context, id int64) (concierge.ConversationState, error) {
	var st concierge.ConversationState
	var status string
	var next int64
	err := w.db.writeStmts.queryRow(ctx, w.tx, `SELECT property_id, status,
		(SELECT coalesce(max(seq), 0) + 1 FROM messages WHERE conversation_id = ?1)
		FROM conversations WHERE id = ?1`, id).Scan(&st.PropertyID, &status, &next)
	if err != nil {
		return concierge.ConversationState{}, storeErr(err, fmt.Sprintf("conversation %d", id))
	}
	w.seqConv, w.nextSeq = id, next
	st.Status = concierge.ConversationStatus(status)
	return st, nil
}

// InsertConversation stores c and returns its id; concierge.ErrConflict when its code is taken.
func (w *writeTx) InsertConversation(ctx context.Context, c *concierge.Conversation) (int64, error) {
	id, err := w.db.insert(ctx, w.tx, `INSERT INTO conversations (code, property_id, outlet_id,
		order_id, stay_id, guest_id, subject, status, type, assignee_id, guest_first_name,
		guest_last_name, guest_language, order_form, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.Code, c.PropertyID, c.OutletID, nullIDArg(c.OrderID), nullIDArg(c.StayID),
		nullIDArg(c.GuestID), c.Subject, string(c.Status), c.Type, nullIDArg(c.AssigneeID),
		c.GuestFirstName, c.GuestLastName, c.GuestLanguage, orderFormArg(c.OrderForm),
		timeArg(c.CreatedAt), timeArg(c.UpdatedAt))
	if err == nil {
		w.seqConv, w.nextSeq = id, 1
	}
	if err != nil {
		return id, storeErr(err, fmt.Sprintf("create conversation %q", c.Code))
	}
	return id, nil
}

// UpdateConversationStatus sets a conversation's status and updated time;
// concierge.ErrNotFound when it does not exist.
func (w *writeTx) UpdateConversationStatus(ctx context.Context, id int64, status concierge.ConversationStatus, at time.Time) error {
	return w.updateConversation(ctx, id, `UPDATE conversations SET status = ?, updated_at = ? WHERE id = ?`,
		string(status), timeArg(at), id)
}

// UpdateConversationAssignee sets (nil: clears) a conversation's assignee and updated time;
// concierge.ErrNotFound when it does not exist.
func (w *writeTx) UpdateConversationAssignee(ctx context.Context, id int64, assigneeID *int64, at time.Time) error {
	return w.updateConversation(ctx, id, `UPDATE conversations SET assignee_id = ?, updated_at = ? WHERE id = ?`,
		nullIDArg(assigneeID), timeArg(at), id)
}

// UpdateConversationOutlet sets a conversation's outlet and updated time;
// concierge.ErrNotFound when it does not exist.
func (w *writeTx) UpdateConversationOutlet(ctx context.Context, id, outletID int64, at time.Time) error {
	return w.updateConversation(ctx, id, `UPDATE conversations SET outlet_id = ?, updated_at = ? WHERE id = ?`,
		outletID, timeArg(at), id)
}

// TouchConversation sets a conversation's updated time; concierge.ErrNotFound when it does not
// exist.
func (w *writeTx) TouchConversation(ctx context.Context, id int64, at time.Time) error {
	return w.updateConversation(ctx, id, `UPDATE conversations SET updated_at = ? WHERE id = ?`, timeArg(at), id)
}

// updateConversation runs update, a statement changing conversation id, with args;
// concierge.ErrNotFound when it changed no row.
func (w *writeTx) updateConversation(ctx context.Context, id int64, update string, args ...any) error {
	res, err := w.db.writeStmts.exec(ctx, w.tx, update, args...)
	if err == nil {
		err = notFoundUnlessOne(res)
	}
	if err != nil {
		return storeErr(err, fmt.Sprintf("conversation %d", id))
	}
	return nil
}

// InsertMessage stores m as the next message of conversation convID (see concierge.MessageTx)
// and returns its id and sequence number; concierge.ErrConflict when its code is taken.
func (w *writeTx) InsertMessage(ctx context.Context, convID int64, m *concierge.Message) (id, seq int64, err error) {
	if w.seqConv == convID && w.nextSeq > 0 {
		seq = w.nextSeq
		id, err = w.db.insertMessageSeq(ctx, w.tx, convID, seq, m)
	} else {
		id, seq, err = w.db.insertMessage(ctx, w.tx, convID, m)
	}
	if err == nil {
		w.seqConv, w.nextSeq = convID, seq+1
	}
	if err != nil {
		return id, seq, storeErr(err, fmt.Sprintf("add message to conversation %d", convID))
	}
	return id, seq, nil
}

// MarkMessagesRead sets the read time of a conversation's unread messages of the given types up
// to upToSeq (0: any) and returns how many changed.
func (w *writeTx) MarkMessagesRead(ctx context.Context, convID int64, types []concierge.MessageType, upToSeq int64, at time.Time) (int, error) {
	if len(types) == 0 {
		return 0, nil
	}
	placeholders := strings.TrimSuffix(strings.Repeat("?, ", len(types)), ", ")
	args := []any{timeArg(at), convID, upToSeq, upToSeq}
	for _, t := range types {
		args = append(args, string(t))
	}
	res, err := w.db.writeStmts.exec(ctx, w.tx, `UPDATE messages SET read_at = ?
		WHERE conversation_id = ? AND read_at IS NULL AND (? = 0 OR seq <= ?)
		AND type IN (`+placeholders+`)`, args...)
	if err != nil {
		return 0, storeErr(err, "mark read")
	}
	n, err := res.RowsAffected()
	return int(n), storeErr(err, "mark read")
}

// AppendEvent appends e to the event log (see concierge.EventTx).
func (w *writeTx) AppendEvent(ctx context.Context, e concierge.Event) error {
	var msgID int64
	if e.MessageID != nil {
		msgID = *e.MessageID
	}
	err := w.db.appendPropertyEvent(ctx, w.tx, e.Kind, e.ConversationID, e.PropertyID, msgID, e.CreatedAt)
	if err != nil {
		return storeErr(err, fmt.Sprintf("append %s of conversation %d", e.Kind, e.ConversationID))
	}
	return nil
}

// ConversationsByOrder lists the conversations linked to an order, ascending by id.
func (w *writeTx) ConversationsByOrder(ctx context.Context, orderID int64) ([]concierge.Conversation, error) {
	convs, err := conversationsByOrder(ctx, w.tx, orderID)
	if err != nil {
		return convs, storeErr(err, fmt.Sprintf("conversations of order %d", orderID))
	}
	return convs, nil
}

// OrderByCodeForUpdate finds an order by code at a property, case-insensitively (the single
// writer holds it until the commit); concierge.ErrNotFound when none.
func (w *writeTx) OrderByCodeForUpdate(ctx context.Context, propertyID int64, code string) (concierge.Order, error) {
	o, err := scanOrder(w.tx.QueryRowContext(ctx, `SELECT `+orderColumns+`
		FROM orders WHERE property_id = ? AND code = ?`, propertyID, code))
	if err != nil {
		return o, storeErr(err, fmt.Sprintf("order %q", code))
	}
	return o, nil
}

// InsertOrder stores o and returns its id; concierge.ErrConflict when its code is taken at its
// property.
func (w *writeTx) InsertOrder(ctx context.Context, o *concierge.Order) (int64, error) {
	id, err := insert(ctx, w.tx, `INSERT INTO orders (property_id, code, stay_id, outlet_id,
		status, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		o.PropertyID, o.Code, nullIDArg(o.StayID), nullIDArg(o.OutletID), string(o.Status),
		timeArg(o.UpdatedAt))
	if err != nil {
		return id, storeErr(err, fmt.Sprintf("create order %q", o.Code))
	}
	return id, nil
}

// UpdateOrder sets an order's stay, outlet, status and updated time; concierge.ErrNotFound
// when it does not exist.
func (w *writeTx) UpdateOrder(ctx context.Context, o *concierge.Order) error {
	res, err := w.tx.ExecContext(ctx, `UPDATE orders SET stay_id = ?, outlet_id = ?, status = ?,
		updated_at = ? WHERE id = ?`,
		nullIDArg(o.StayID), nullIDArg(o.OutletID), string(o.Status), timeArg(o.UpdatedAt), o.ID)
	if err == nil {
		err = notFoundUnlessOne(res)
	}
	if err != nil {
		return storeErr(err, fmt.Sprintf("order %d", o.ID))
	}
	return nil
}

// AppendAccessEnded appends an access.ended event about subject.
func (w *writeTx) AppendAccessEnded(ctx context.Context, subject concierge.AccessSubject, at time.Time) error {
	return storeErr(w.db.appendAccessEnded(ctx, w.tx, subject, at), "append access.ended")
}

// InsertAudit appends e to the audit log and sets its ID.
func (w *writeTx) InsertAudit(ctx context.Context, e *concierge.AuditEntry) error {
	return storeErr(appendAudit(ctx, w.tx, e), "append audit")
}

// LockGuestOwner checks that owner's stay or guest exists (the single writer holds it until
// the commit); concierge.ErrNotFound when it does not.
func (w *writeTx) LockGuestOwner(ctx context.Context, owner concierge.Owner) error {
	table, id, err := ownerTable(owner)
	if err == nil {
		var one int
		err = w.tx.QueryRowContext(ctx, `SELECT 1 FROM `+table+` WHERE id = ?`, id).Scan(&one)
	}
	return storeErr(err, "guest data owner")
}

// DeleteIdempotencyKeysOf deletes the remembered answers that name owner's stay or guest.
func (w *writeTx) DeleteIdempotencyKeysOf(ctx context.Context, owner concierge.Owner) error {
	col, id, ok := ownerColumn(owner)
	if !ok {
		return storeErr(concierge.ErrNotFound, "idempotency keys of a guest")
	}
	_, err := w.tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE `+col+` = ?`, id)
	return storeErr(err, "idempotency keys of a guest")
}

// OwnerConversations lists the ids of owner's conversations not under a legal hold and
// counts those under one.
func (w *writeTx) OwnerConversations(ctx context.Context, owner concierge.Owner) ([]int64, int, error) {
	col, id, ok := ownerColumn(owner)
	if !ok {
		return nil, 0, storeErr(concierge.ErrNotFound, "conversations of a guest")
	}
	ids, err := queryAll(ctx, w.tx, func(r rowScanner) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	}, `SELECT id FROM conversations WHERE `+col+` = ? AND id NOT IN (SELECT conversation_id FROM legal_holds)
		ORDER BY id`, id)
	if err != nil {
		return nil, 0, storeErr(err, "conversations of a guest")
	}
	var held int
	err = w.tx.QueryRowContext(ctx, `SELECT count(*) FROM conversations WHERE `+col+` = ?
		AND id IN (SELECT conversation_id FROM legal_holds)`, id).Scan(&held)
	return ids, held, storeErr(err, "held conversations of a guest")
}

// ConversationTexts returns the contents of the conversations' messages and of their
// translations, and how many messages they have.
func (w *writeTx) ConversationTexts(ctx context.Context, ids []int64) ([]string, int, error) {
	list := idList(ids)
	texts, err := queryAll(ctx, w.tx, func(r rowScanner) (string, error) {
		var s string
		return s, r.Scan(&s)
	}, `SELECT content FROM messages WHERE conversation_id IN (SELECT value FROM json_each(?))`, list)
	if err != nil {
		return nil, 0, storeErr(err, "texts of conversations")
	}
	messages := len(texts)
	translated, err := queryAll(ctx, w.tx, func(r rowScanner) (string, error) {
		var s string
		return s, r.Scan(&s)
	}, `SELECT content FROM translations WHERE content <> '' AND message_id IN
		(SELECT id FROM messages WHERE conversation_id IN (SELECT value FROM json_each(?)))`, list)
	if err != nil {
		return nil, 0, storeErr(err, "translations of conversations")
	}
	return append(texts, translated...), messages, nil
}

// DeleteCachedTranslations deletes the translation cache entries of or into any of texts.
func (w *writeTx) DeleteCachedTranslations(ctx context.Context, texts []string) error {
	w.erased = true
	return storeErr(eraseCachedTranslations(ctx, w.tx, texts), "erase cached translations")
}

// DeleteConversations deletes the conversations with their events and webhook deliveries;
// their messages go by cascade, their search rows by trigger, their translations by cascade.
func (w *writeTx) DeleteConversations(ctx context.Context, ids []int64) error {
	w.erased = true
	list := idList(ids)
	for _, q := range []string{
		`DELETE FROM events WHERE conversation_id IN (SELECT value FROM json_each(?))`,
		`DELETE FROM webhook_deliveries WHERE conversation_id IN (SELECT value FROM json_each(?))`,
		`DELETE FROM conversations WHERE id IN (SELECT value FROM json_each(?))`,
	} {
		if _, err := w.tx.ExecContext(ctx, q, list); err != nil {
			return storeErr(err, "delete conversations")
		}
	}
	return nil
}

// DeleteStayOrders deletes a stay's orders.
func (w *writeTx) DeleteStayOrders(ctx context.Context, stayID int64) error {
	w.erased = true
	_, err := w.tx.ExecContext(ctx, `DELETE FROM orders WHERE stay_id = ?`, stayID)
	return storeErr(err, "delete orders of a stay")
}

// DeleteGuestOwner deletes owner's stay or guest (its sessions go by cascade);
// concierge.ErrNotFound when it does not exist.
func (w *writeTx) DeleteGuestOwner(ctx context.Context, owner concierge.Owner) error {
	w.erased = true
	table, id, err := ownerTable(owner)
	if err == nil {
		var res sql.Result
		if res, err = w.tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE id = ?`, id); err == nil {
			err = notFoundUnlessOne(res)
		}
	}
	return storeErr(err, "delete guest data owner")
}

// ownerTable returns the table of owner's stay or guest row and its id;
// concierge.ErrNotFound when owner names neither.
func ownerTable(owner concierge.Owner) (string, int64, error) {
	col, id, ok := ownerColumn(owner)
	switch {
	case !ok:
		return "", 0, concierge.ErrNotFound
	case col == "guest_id":
		return "guests", id, nil
	}
	return "stays", id, nil
}

// LockInterfaceToken reports whether an interface token is revoked (the single writer holds it
// until the commit); concierge.ErrNotFound when there is none.
func (w *writeTx) LockInterfaceToken(ctx context.Context, id int64) (bool, error) {
	var revoked bool
	err := w.tx.QueryRowContext(ctx, `SELECT revoked_at IS NOT NULL FROM interface_tokens WHERE id = ?`, id).Scan(&revoked)
	if err != nil {
		return revoked, storeErr(err, fmt.Sprintf("interface token %d", id))
	}
	return revoked, nil
}

// InsertSession stores s under a fresh random id and returns it.
func (w *writeTx) InsertSession(ctx context.Context, s *concierge.Session) (int64, error) {
	id, err := w.db.insertSession(ctx, w.tx, s)
	return id, storeErr(err, "create session")
}

// RevokeSession marks a live guest session revoked; concierge.ErrNotFound when there is none.
func (w *writeTx) RevokeSession(ctx context.Context, id int64, at time.Time) error {
	return w.execOne(ctx, "revoke session", `UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, timeArg(at), id)
}

// RevokeAPIKey marks a live API key revoked; concierge.ErrNotFound when there is none.
func (w *writeTx) RevokeAPIKey(ctx context.Context, id int64, at time.Time) error {
	return w.execOne(ctx, "revoke API key", `UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, timeArg(at), id)
}

// RevokeInterfaceToken marks a live interface token revoked; concierge.ErrNotFound when there is none.
func (w *writeTx) RevokeInterfaceToken(ctx context.Context, id int64, at time.Time) error {
	return w.execOne(ctx, "revoke interface token", `UPDATE interface_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, timeArg(at), id)
}

// RevokeStaffSession marks a live staff login revoked; concierge.ErrNotFound when there is none.
func (w *writeTx) RevokeStaffSession(ctx context.Context, id int64, at time.Time) error {
	return w.execOne(ctx, "revoke staff login", `UPDATE staff_sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, timeArg(at), id)
}

// RevokeSessionsOfToken marks the live guest sessions opened with an interface token revoked.
func (w *writeTx) RevokeSessionsOfToken(ctx context.Context, tokenID int64, at time.Time) error {
	_, err := w.tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = ?
		WHERE interface_token_id = ? AND revoked_at IS NULL`, timeArg(at), tokenID)
	if err != nil {
		return storeErr(err, fmt.Sprintf("revoke sessions of interface token %d", tokenID))
	}
	return nil
}

// RevokeStaffSessionsOfUser marks a user's live staff logins revoked and returns how many.
func (w *writeTx) RevokeStaffSessionsOfUser(ctx context.Context, userID int64, at time.Time) (int, error) {
	res, err := w.tx.ExecContext(ctx, `UPDATE staff_sessions SET revoked_at = ?
		WHERE staff_user_id = ? AND revoked_at IS NULL`, timeArg(at), userID)
	if err != nil {
		return 0, storeErr(err, fmt.Sprintf("revoke staff sessions of user %d", userID))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return int(n), storeErr(err, fmt.Sprintf("revoke staff sessions of user %d", userID))
	}
	return int(n), nil
}

// UpdateStaffUser stores a staff user's fields and replaces their grants;
// concierge.ErrNotFound when there is no such user.
func (w *writeTx) UpdateStaffUser(ctx context.Context, u *concierge.StaffUser) error {
	res, err := w.tx.ExecContext(ctx, `UPDATE staff_users SET display_name = ?, password_hash = ?,
		role = ?, disabled_at = ? WHERE id = ?`,
		u.DisplayName, u.PasswordHash, string(u.Role), nullTimeArg(u.DisabledAt), u.ID)
	if err == nil {
		err = notFoundUnlessOne(res)
	}
	for _, q := range []string{`DELETE FROM staff_user_service_centers WHERE staff_user_id = ?`,
		`DELETE FROM staff_user_properties WHERE staff_user_id = ?`} {
		if err == nil {
			_, err = w.tx.ExecContext(ctx, q, u.ID)
		}
	}
	if err == nil {
		err = insertStaffGrants(ctx, w.tx, u.ID, u.ServiceCenterIDs, u.PropertyIDs)
	}
	if err != nil {
		return storeErr(err, fmt.Sprintf("update staff user %d", u.ID))
	}
	return nil
}

// InsertStaffUser stores a staff user with their grants and returns the new id;
// concierge.ErrConflict when the username is taken.
func (w *writeTx) InsertStaffUser(ctx context.Context, u *concierge.StaffUser) (int64, error) {
	id, err := insert(ctx, w.tx, `INSERT INTO staff_users (username, display_name, password_hash,
		role, created_at, disabled_at) VALUES (?, ?, ?, ?, ?, ?)`,
		u.Username, u.DisplayName, u.PasswordHash, string(u.Role), timeArg(u.CreatedAt),
		nullTimeArg(u.DisabledAt))
	if err == nil {
		err = insertStaffGrants(ctx, w.tx, id, u.ServiceCenterIDs, u.PropertyIDs)
	}
	if err != nil {
		return id, storeErr(err, fmt.Sprintf("create staff user %q", u.Username))
	}
	return id, nil
}

// InsertAPIKey stores an API key with its property grants and returns the new id;
// concierge.ErrConflict when another key has the same hash.
func (w *writeTx) InsertAPIKey(ctx context.Context, k *concierge.APIKey) (int64, error) {
	id, err := insert(ctx, w.tx, `INSERT INTO api_keys (name, hash, role, created_at, revoked_at)
		VALUES (?, ?, ?, ?, ?)`, k.Name, k.Hash, string(k.Role), timeArg(k.CreatedAt), nullTimeArg(k.RevokedAt))
	if err == nil {
		err = w.insertGrants(ctx, `INSERT INTO api_key_properties (api_key_id, property_id)
			VALUES (?, ?) ON CONFLICT DO NOTHING`, id, k.PropertyIDs)
	}
	if err != nil {
		return id, storeErr(err, fmt.Sprintf("create api key %q", k.Name))
	}
	return id, nil
}

// InsertInterfaceToken stores an interface token with its property grants and returns the new
// id; concierge.ErrConflict when another token has the same hash.
func (w *writeTx) InsertInterfaceToken(ctx context.Context, t *concierge.InterfaceToken) (int64, error) {
	id, err := insert(ctx, w.tx, `INSERT INTO interface_tokens (name, hash, revoked_at, created_at)
		VALUES (?, ?, ?, ?)`, t.Name, t.Hash, nullTimeArg(t.RevokedAt), timeArg(t.CreatedAt))
	if err == nil {
		err = w.insertGrants(ctx, `INSERT INTO interface_token_properties (token_id, property_id)
			VALUES (?, ?) ON CONFLICT DO NOTHING`, id, t.PropertyIDs)
	}
	if err != nil {
		return id, storeErr(err, fmt.Sprintf("create interface token %q", t.Name))
	}
	return id, nil
}

// insertGrants runs grant, an insert of (id, property id), for each property.
func (w *writeTx) insertGrants(ctx context.Context, grant string, id int64, properties []int64) error {
	for _, pid := range properties {
		if _, err := w.tx.ExecContext(ctx, grant, id, pid); err != nil {
			return err
		}
	}
	return nil
}

// InsertWebhook stores a webhook with its cursor at the newest event seq and returns its id
// and cursor.
func (w *writeTx) InsertWebhook(ctx context.Context, wh *concierge.Webhook) (int64, int64, error) {
	var cursor int64
	err := w.tx.QueryRowContext(ctx,
		`SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0)`).Scan(&cursor)
	if err != nil {
		return 0, 0, storeErr(err, "create webhook")
	}
	id, err := insert(ctx, w.tx, `INSERT INTO webhooks (property_id, url, kinds, secret, enabled, cursor_seq,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, wh.PropertyID, wh.URL, kindsArg(wh.Kinds),
		wh.Secret, wh.Enabled, cursor, timeArg(wh.CreatedAt), timeArg(wh.UpdatedAt))
	return id, cursor, storeErr(err, "create webhook")
}

// UpdateWebhook stores a webhook's URL, kinds, secret, enabled flag and updated time;
// concierge.ErrNotFound when there is none.
func (w *writeTx) UpdateWebhook(ctx context.Context, wh *concierge.Webhook) error {
	return w.execOne(ctx, "update webhook", `UPDATE webhooks SET url = ?, kinds = ?, secret = ?, enabled = ?,
		updated_at = ? WHERE id = ?`, wh.URL, kindsArg(wh.Kinds), wh.Secret, wh.Enabled, timeArg(wh.UpdatedAt), wh.ID)
}

// DeleteWebhook deletes a webhook and (by cascade) its deliveries; concierge.ErrNotFound when
// there is none.
func (w *writeTx) DeleteWebhook(ctx context.Context, id int64) error {
	return w.execOne(ctx, "delete webhook", `DELETE FROM webhooks WHERE id = ?`, id)
}

// UpsertRetentionSettings stores a property's retention settings, replacing any.
func (w *writeTx) UpsertRetentionSettings(ctx context.Context, rs concierge.RetentionSettings) error {
	_, err := w.tx.ExecContext(ctx, `INSERT INTO retention_settings (property_id, stay_days, guest_days, updated_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (property_id) DO UPDATE SET stay_days = excluded.stay_days,
		guest_days = excluded.guest_days, updated_at = excluded.updated_at`,
		rs.PropertyID, rs.StayDays, rs.GuestDays, timeArg(rs.UpdatedAt))
	return storeErr(err, "set retention settings")
}

// UpsertLegalHold stores a conversation's legal hold, replacing any; concierge.ErrNotFound
// when the conversation does not exist.
func (w *writeTx) UpsertLegalHold(ctx context.Context, h concierge.LegalHold) error {
	return w.execOne(ctx, "set legal hold", `INSERT INTO legal_holds (conversation_id, reason, set_by, set_at)
		SELECT id, ?, ?, ? FROM conversations WHERE id = ?
		ON CONFLICT (conversation_id) DO UPDATE SET reason = excluded.reason, set_by = excluded.set_by,
		set_at = excluded.set_at`, h.Reason, h.SetBy, timeArg(h.SetAt), h.ConversationID)
}

// DeleteLegalHold deletes a conversation's legal hold; concierge.ErrNotFound when it has none.
func (w *writeTx) DeleteLegalHold(ctx context.Context, conversationID int64) error {
	return w.execOne(ctx, "clear legal hold", `DELETE FROM legal_holds WHERE conversation_id = ?`, conversationID)
}

// execOne runs a statement that must change exactly one row; concierge.ErrNotFound when it
// changed none. what names the change in errors.
func (w *writeTx) execOne(ctx context.Context, what, query string, args ...any) error {
	res, err := w.tx.ExecContext(ctx, query, args...)
	if err == nil {
		err = notFoundUnlessOne(res)
	}
	return storeErr(err, what)
}

// QueueTranslations queues Pending translation jobs, skipping those a message already has or
// whose message is gone, and returns how many it queued.
func (w *writeTx) QueueTranslations(ctx context.Context, ts []concierge.Translation) (int, error) {
	n := 0
	for _, t := range ts {
		res, err := w.tx.ExecContext(ctx, `INSERT INTO translations (message_id, language, source, state,
			next_attempt_at, updated_at) SELECT ?, ?, ?, 'pending', ?, ?
			WHERE EXISTS (SELECT 1 FROM messages WHERE id = ?)
			ON CONFLICT (message_id, language) DO NOTHING`,
			t.MessageID, t.Language, t.Source, timeArg(t.NextAttemptAt), timeArg(t.NextAttemptAt), t.MessageID)
		if err != nil {
			return 0, storeErr(err, "queue translations")
		}
		k, err := res.RowsAffected()
		if err != nil {
			return 0, storeErr(err, "queue translations")
		}
		n += int(k)
	}
	return n, nil
}

// UpdatePendingTranslation stores an attempt's outcome in a Pending translation and returns
// its message's conversation; concierge.ErrNotFound when there is no such Pending translation.
func (w *writeTx) UpdatePendingTranslation(ctx context.Context, messageID int64, target string, out concierge.TranslationOutcome) (concierge.ConversationRef, error) {
	var conv concierge.ConversationRef
	err := w.tx.QueryRowContext(ctx, `UPDATE translations SET state = ?, content = ?, last_error = ?,
		next_attempt_at = ?, updated_at = ? WHERE message_id = ? AND language = ? AND state = 'pending'
		RETURNING (SELECT c.id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = message_id),
		(SELECT c.property_id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = message_id)`,
		string(out.State), out.Content, out.Error, timeArg(out.NextAttemptAt), timeArg(out.At), messageID, target).
		Scan(&conv.ID, &conv.PropertyID)
	if err != nil {
		return conv, storeErr(err, fmt.Sprintf("finish translation of message %d to %s", messageID, target))
	}
	return conv, nil
}

// IndexTranslation adds a done translation to the full-text index.
func (w *writeTx) IndexTranslation(ctx context.Context, messageID int64, language, text string) error {
	return storeErr(indexTranslation(ctx, w.tx, messageID, language, text), "index translation")
}
