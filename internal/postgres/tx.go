package postgres

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"concierge/internal/concierge"

	"github.com/jackc/pgx/v5/pgconn"
)

// writeTx is the table operations (concierge.Tx) of a write transaction. The row locks it
// takes (ConversationForUpdate, and those of the rows it changes) last until the commit.
type writeTx struct {
	db *DB
	tx *wtx
}

// Write runs fn in a READ COMMITTED write transaction under the domain's write contract
// (concierge.Transactor): fn runs again when PostgreSQL aborts the transaction with a
// serialization failure or deadlock. It returns fn's error unchanged, or the transaction's
// (wrapped).
func (db *DB) Write(ctx context.Context, fn func(concierge.Tx) error) error {
	return db.write(ctx, func(tx *wtx) error { return fn(writeTx{db: db, tx: tx}) })
}

// ConversationForUpdate reads a conversation's property and status and locks its row until
// the commit; concierge.ErrNotFound when none.
func (w writeTx) ConversationForUpdate(ctx context.Context, id int64) (concierge.ConversationState, error) {
	var st concierge.ConversationState
	var status string
	err := w.tx.QueryRow(ctx, `SELECT property_id, status FROM conversations WHERE id = $1 FOR NO KEY UPDATE`,
		id).Scan(&st.PropertyID, &status)
	if err != nil {
		return concierge.ConversationState{}, storeErr(err, fmt.Sprintf("conversation %d", id))
	}
	st.Status = concierge.ConversationStatus(status)
	return st, nil
}

// InsertConversation stores c and returns its id; concierge.ErrConflict when its code is taken.
func (w writeTx) InsertConversation(ctx context.Context, c *concierge.Conversation) (int64, error) {
	id, err := insertID(ctx, w.tx, `INSERT INTO conversations (code, property_id, outlet_id,
		order_id, stay_id, guest_id, subject, status, type, assignee_id, guest_first_name,
		guest_last_name, guest_language, order_form, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
		c.Code, c.PropertyID, c.OutletID, c.OrderID, c.StayID, c.GuestID, c.Subject,
		string(c.Status), c.Type, c.AssigneeID, c.GuestFirstName, c.GuestLastName,
		c.GuestLanguage, orderFormArg(c.OrderForm), c.CreatedAt, c.UpdatedAt)
	if err != nil {
		return id, storeErr(err, fmt.Sprintf("create conversation %q", c.Code))
	}
	return id, nil
}

// UpdateConversationStatus sets a conversation's status and updated time;
// concierge.ErrNotFound when it does not exist.
func (w writeTx) UpdateConversationStatus(ctx context.Context, id int64, status concierge.ConversationStatus, at time.Time) error {
	return w.updateConversation(ctx, id, `UPDATE conversations SET status = $1, updated_at = $2 WHERE id = $3`,
		string(status), at, id)
}

// UpdateConversationAssignee sets (nil: clears) a conversation's assignee and updated time;
// concierge.ErrNotFound when it does not exist.
func (w writeTx) UpdateConversationAssignee(ctx context.Context, id int64, assigneeID *int64, at time.Time) error {
	return w.updateConversation(ctx, id, `UPDATE conversations SET assignee_id = $1, updated_at = $2 WHERE id = $3`,
		assigneeID, at, id)
}

// UpdateConversationOutlet sets a conversation's outlet and updated time;
// concierge.ErrNotFound when it does not exist.
func (w writeTx) UpdateConversationOutlet(ctx context.Context, id, outletID int64, at time.Time) error {
	return w.updateConversation(ctx, id, `UPDATE conversations SET outlet_id = $1, updated_at = $2 WHERE id = $3`,
		outletID, at, id)
}

// TouchConversation sets a conversation's updated time (locking its row until the commit);
// concierge.ErrNotFound when it does not exist.
func (w writeTx) TouchConversation(ctx context.Context, id int64, at time.Time) error {
	return w.updateConversation(ctx, id, `UPDATE conversations SET updated_at = $1 WHERE id = $2`, at, id)
}

// updateConversation runs update, a statement changing conversation id, with args;
// concierge.ErrNotFound when it changed no row.
func (w writeTx) updateConversation(ctx context.Context, id int64, update string, args ...any) error {
	tag, err := w.tx.Exec(ctx, update, args...)
	if err == nil {
		err = notFoundUnlessOne(tag)
	}
	if err != nil {
		return storeErr(err, fmt.Sprintf("conversation %d", id))
	}
	return nil
}

// InsertMessage stores m as the next message of conversation convID (see concierge.MessageTx)
// and returns its id and sequence number; concierge.ErrConflict when its code is taken.
func (w writeTx) InsertMessage(ctx context.Context, convID int64, m *concierge.Message) (id, seq int64, err error) {
	id, seq, err = insertMessage(ctx, w.tx, convID, m)
	if err != nil {
		return id, seq, storeErr(err, fmt.Sprintf("add message to conversation %d", convID))
	}
	return id, seq, nil
}

// MarkMessagesRead sets the read time of a conversation's unread messages of the given types up
// to upToSeq (0: any) and returns how many changed.
func (w writeTx) MarkMessagesRead(ctx context.Context, convID int64, types []concierge.MessageType, upToSeq int64, at time.Time) (int, error) {
	if len(types) == 0 {
		return 0, nil
	}
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = string(t)
	}
	tag, err := w.tx.Exec(ctx, `UPDATE messages SET read_at = $1
		WHERE conversation_id = $2 AND read_at IS NULL AND ($3 = 0 OR seq <= $3)
		AND type = ANY($4)`, at, convID, upToSeq, names)
	if err != nil {
		return 0, storeErr(err, "mark read")
	}
	return int(tag.RowsAffected()), nil
}

// AppendEvent records e for the commit, which stores it with its seq (appendEvents) and
// fails with concierge.ErrNotFound when its conversation does not exist.
func (w writeTx) AppendEvent(_ context.Context, e concierge.Event) error {
	var msgID int64
	if e.MessageID != nil {
		msgID = *e.MessageID
	}
	w.tx.appendEvent(e.Kind, e.ConversationID, msgID, e.CreatedAt)
	return nil
}

// ConversationsByOrder lists the conversations linked to an order, ascending by id.
func (w writeTx) ConversationsByOrder(ctx context.Context, orderID int64) ([]concierge.Conversation, error) {
	convs, err := conversationsByOrder(ctx, w.tx, orderID)
	if err != nil {
		return convs, storeErr(err, fmt.Sprintf("conversations of order %d", orderID))
	}
	return convs, nil
}

// OrderByCodeForUpdate finds an order by code at a property, case-insensitively, and locks it
// until the commit (a concurrent writer of the same order waits, then sees what this one
// wrote); concierge.ErrNotFound when none.
func (w writeTx) OrderByCodeForUpdate(ctx context.Context, propertyID int64, code string) (concierge.Order, error) {
	o, err := scanOrder(w.tx.QueryRow(ctx, `SELECT `+orderColumns+`
		FROM orders WHERE property_id = $1 AND lower(code) = lower($2) FOR NO KEY UPDATE`, propertyID, code))
	if err != nil {
		return o, storeErr(err, fmt.Sprintf("order %q", code))
	}
	return o, nil
}

// InsertOrder stores o and returns its id; concierge.ErrConflict when its code is taken at its
// property.
func (w writeTx) InsertOrder(ctx context.Context, o *concierge.Order) (int64, error) {
	id, err := insertOrder(ctx, w.tx, o)
	if err != nil {
		return id, storeErr(err, fmt.Sprintf("create order %q", o.Code))
	}
	return id, nil
}

// UpdateOrder sets an order's stay, outlet, status and updated time; concierge.ErrNotFound
// when it does not exist.
func (w writeTx) UpdateOrder(ctx context.Context, o *concierge.Order) error {
	tag, err := w.tx.Exec(ctx, `UPDATE orders SET stay_id = $1, outlet_id = $2, status = $3,
		updated_at = $4 WHERE id = $5`, o.StayID, o.OutletID, string(o.Status), o.UpdatedAt, o.ID)
	if err == nil {
		err = notFoundUnlessOne(tag)
	}
	if err != nil {
		return storeErr(err, fmt.Sprintf("order %d", o.ID))
	}
	return nil
}

// AppendAccessEnded records an access.ended event about subject for the commit.
func (w writeTx) AppendAccessEnded(_ context.Context, subject concierge.AccessSubject, at time.Time) error {
	w.tx.appendAccessEnded(subject, at)
	return nil
}

// InsertAudit appends e to the audit log and sets its ID.
func (w writeTx) InsertAudit(ctx context.Context, e *concierge.AuditEntry) error {
	return storeErr(appendAudit(ctx, w.tx, e), "append audit")
}

// LockGuestOwner locks owner's stay or guest row until the commit; concierge.ErrNotFound when
// it does not exist.
func (w writeTx) LockGuestOwner(ctx context.Context, owner concierge.Owner) error {
	table, id, err := ownerTable(owner)
	if err == nil {
		var one int
		err = w.tx.QueryRow(ctx, `SELECT 1 FROM `+table+` WHERE id = $1 FOR UPDATE`, id).Scan(&one)
	}
	return storeErr(err, "guest data owner")
}

// DeleteIdempotencyKeysOf deletes the remembered answers that name owner's stay or guest.
func (w writeTx) DeleteIdempotencyKeysOf(ctx context.Context, owner concierge.Owner) error {
	col, id, ok := ownerColumn(owner)
	if !ok {
		return storeErr(concierge.ErrNotFound, "idempotency keys of a guest")
	}
	_, err := w.tx.Exec(ctx, `DELETE FROM idempotency_keys WHERE `+col+` = $1`, id)
	return storeErr(err, "idempotency keys of a guest")
}

// OwnerConversations lists the ids of owner's conversations not under a legal hold, locking
// them until the commit, and counts those under one.
func (w writeTx) OwnerConversations(ctx context.Context, owner concierge.Owner) ([]int64, int, error) {
	col, id, ok := ownerColumn(owner)
	if !ok {
		return nil, 0, storeErr(concierge.ErrNotFound, "conversations of a guest")
	}
	ids, err := queryAll(ctx, w.tx, func(r rowScanner) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	}, `SELECT id FROM conversations WHERE `+col+` = $1
		AND id NOT IN (SELECT conversation_id FROM legal_holds) ORDER BY id FOR UPDATE`, id)
	if err != nil {
		return nil, 0, storeErr(err, "conversations of a guest")
	}
	var held int
	err = w.tx.QueryRow(ctx, `SELECT count(*) FROM conversations WHERE `+col+` = $1
		AND id IN (SELECT conversation_id FROM legal_holds)`, id).Scan(&held)
	return ids, held, storeErr(err, "held conversations of a guest")
}

// ConversationTexts returns the contents of the conversations' messages and of their
// translations, and how many messages they have.
func (w writeTx) ConversationTexts(ctx context.Context, ids []int64) ([]string, int, error) {
	ids = nonNil(ids)
	scanText := func(r rowScanner) (string, error) {
		var s string
		return s, r.Scan(&s)
	}
	texts, err := queryAll(ctx, w.tx, scanText, `SELECT content FROM messages WHERE conversation_id = ANY($1)`, ids)
	if err != nil {
		return nil, 0, storeErr(err, "texts of conversations")
	}
	messages := len(texts)
	translated, err := queryAll(ctx, w.tx, scanText, `SELECT t.content FROM translations t
		JOIN messages m ON m.id = t.message_id WHERE t.content <> '' AND m.conversation_id = ANY($1)`, ids)
	if err != nil {
		return nil, 0, storeErr(err, "translations of conversations")
	}
	return append(texts, translated...), messages, nil
}

// DeleteCachedTranslations deletes the translation cache entries of or into any of texts
// (the cache keys a text by the SHA-256 of the text as given and of its trimmed form).
func (w writeTx) DeleteCachedTranslations(ctx context.Context, texts []string) error {
	hashes := make([][]byte, 0, 2*len(texts))
	for _, t := range texts {
		for _, v := range []string{t, strings.TrimSpace(t)} {
			h := sha256.Sum256([]byte(v))
			hashes = append(hashes, h[:])
		}
	}
	_, err := w.tx.Exec(ctx, `DELETE FROM translation_cache WHERE translation = ANY($1) OR text_hash = ANY($2)`,
		texts, hashes)
	return storeErr(err, "erase cached translations")
}

// DeleteConversations deletes the conversations with their events and webhook deliveries;
// their messages, search rows and translations go by cascade.
func (w writeTx) DeleteConversations(ctx context.Context, ids []int64) error {
	ids = nonNil(ids)
	for _, q := range []string{
		`DELETE FROM events WHERE conversation_id = ANY($1)`,
		`DELETE FROM webhook_deliveries WHERE conversation_id = ANY($1)`,
		`DELETE FROM conversations WHERE id = ANY($1)`,
	} {
		if _, err := w.tx.Exec(ctx, q, ids); err != nil {
			return storeErr(err, "delete conversations")
		}
	}
	return nil
}

// DeleteStayOrders deletes a stay's orders.
func (w writeTx) DeleteStayOrders(ctx context.Context, stayID int64) error {
	_, err := w.tx.Exec(ctx, `DELETE FROM orders WHERE stay_id = $1`, stayID)
	return storeErr(err, "delete orders of a stay")
}

// DeleteGuestOwner deletes owner's stay or guest (its sessions go by cascade);
// concierge.ErrNotFound when it does not exist.
func (w writeTx) DeleteGuestOwner(ctx context.Context, owner concierge.Owner) error {
	table, id, err := ownerTable(owner)
	if err == nil {
		var tag pgconn.CommandTag
		if tag, err = w.tx.Exec(ctx, `DELETE FROM `+table+` WHERE id = $1`, id); err == nil {
			err = notFoundUnlessOne(tag)
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

// LockInterfaceToken reports whether an interface token is revoked and share-locks its row
// until the commit: the lock waits for a revocation in progress (RevokeInterfaceToken updates
// the token's row first) and makes one that starts later wait for this commit, so that its
// revocation of the token's sessions sees a session this transaction opens.
// concierge.ErrNotFound when there is no such token.
func (w writeTx) LockInterfaceToken(ctx context.Context, id int64) (bool, error) {
	var revoked bool
	err := w.tx.QueryRow(ctx, `SELECT revoked_at IS NOT NULL FROM interface_tokens WHERE id = $1 FOR SHARE`,
		id).Scan(&revoked)
	if err != nil {
		return revoked, storeErr(err, fmt.Sprintf("interface token %d", id))
	}
	return revoked, nil
}

// InsertSession stores s under a fresh random id and returns it.
func (w writeTx) InsertSession(ctx context.Context, s *concierge.Session) (int64, error) {
	id, err := w.db.insertSession(ctx, w.tx, s)
	return id, storeErr(err, "create session")
}

// RevokeSession marks a live guest session revoked; concierge.ErrNotFound when there is none.
func (w writeTx) RevokeSession(ctx context.Context, id int64, at time.Time) error {
	return w.execOne(ctx, "revoke session", `UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, at, id)
}

// RevokeAPIKey marks a live API key revoked; concierge.ErrNotFound when there is none.
func (w writeTx) RevokeAPIKey(ctx context.Context, id int64, at time.Time) error {
	return w.execOne(ctx, "revoke API key", `UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, at, id)
}

// RevokeInterfaceToken marks a live interface token revoked; concierge.ErrNotFound when there is none.
func (w writeTx) RevokeInterfaceToken(ctx context.Context, id int64, at time.Time) error {
	return w.execOne(ctx, "revoke interface token", `UPDATE interface_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, at, id)
}

// RevokeStaffSession marks a live staff login revoked; concierge.ErrNotFound when there is none.
func (w writeTx) RevokeStaffSession(ctx context.Context, id int64, at time.Time) error {
	return w.execOne(ctx, "revoke staff login", `UPDATE staff_sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, at, id)
}

// RevokeSessionsOfToken marks the live guest sessions opened with an interface token revoked.
func (w writeTx) RevokeSessionsOfToken(ctx context.Context, tokenID int64, at time.Time) error {
	_, err := w.tx.Exec(ctx, `UPDATE sessions SET revoked_at = $1
		WHERE interface_token_id = $2 AND revoked_at IS NULL`, at, tokenID)
	if err != nil {
		return storeErr(err, fmt.Sprintf("revoke sessions of interface token %d", tokenID))
	}
	return nil
}

// RevokeStaffSessionsOfUser marks a user's live staff logins revoked and returns how many.
func (w writeTx) RevokeStaffSessionsOfUser(ctx context.Context, userID int64, at time.Time) (int, error) {
	tag, err := w.tx.Exec(ctx, `UPDATE staff_sessions SET revoked_at = $1
		WHERE staff_user_id = $2 AND revoked_at IS NULL`, at, userID)
	if err != nil {
		return 0, storeErr(err, fmt.Sprintf("revoke staff sessions of user %d", userID))
	}
	return int(tag.RowsAffected()), nil
}

// UpdateStaffUser stores a staff user's fields and replaces their grants;
// concierge.ErrNotFound when there is no such user.
func (w writeTx) UpdateStaffUser(ctx context.Context, u *concierge.StaffUser) error {
	tag, err := w.tx.Exec(ctx, `UPDATE staff_users SET display_name = $1, password_hash = $2,
		role = $3, disabled_at = $4 WHERE id = $5`,
		u.DisplayName, u.PasswordHash, string(u.Role), u.DisabledAt, u.ID)
	if err == nil {
		err = notFoundUnlessOne(tag)
	}
	for _, q := range []string{`DELETE FROM staff_user_service_centers WHERE staff_user_id = $1`,
		`DELETE FROM staff_user_properties WHERE staff_user_id = $1`} {
		if err == nil {
			_, err = w.tx.Exec(ctx, q, u.ID)
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
func (w writeTx) InsertStaffUser(ctx context.Context, u *concierge.StaffUser) (int64, error) {
	id, err := insertID(ctx, w.tx, `INSERT INTO staff_users (username, display_name, password_hash,
		role, created_at, disabled_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		u.Username, u.DisplayName, u.PasswordHash, string(u.Role), u.CreatedAt, u.DisabledAt)
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
func (w writeTx) InsertAPIKey(ctx context.Context, k *concierge.APIKey) (int64, error) {
	id, err := insertID(ctx, w.tx, `INSERT INTO api_keys (name, hash, role, created_at, revoked_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, k.Name, k.Hash, string(k.Role), k.CreatedAt, k.RevokedAt)
	if err == nil {
		_, err = w.tx.Exec(ctx, `INSERT INTO api_key_properties (api_key_id, property_id)
			SELECT $1, p FROM unnest($2::bigint[]) AS p ON CONFLICT DO NOTHING`, id, nonNil(k.PropertyIDs))
	}
	if err != nil {
		return id, storeErr(err, fmt.Sprintf("create api key %q", k.Name))
	}
	return id, nil
}

// InsertInterfaceToken stores an interface token with its property grants and returns the new
// id; concierge.ErrConflict when another token has the same hash.
func (w writeTx) InsertInterfaceToken(ctx context.Context, t *concierge.InterfaceToken) (int64, error) {
	id, err := insertID(ctx, w.tx, `INSERT INTO interface_tokens (name, hash, revoked_at, created_at)
		VALUES ($1, $2, $3, $4) RETURNING id`, t.Name, t.Hash, t.RevokedAt, t.CreatedAt)
	if err == nil {
		_, err = w.tx.Exec(ctx, `INSERT INTO interface_token_properties (token_id, property_id)
			SELECT $1, p FROM unnest($2::bigint[]) AS p ON CONFLICT DO NOTHING`, id, nonNil(t.PropertyIDs))
	}
	if err != nil {
		return id, storeErr(err, fmt.Sprintf("create interface token %q", t.Name))
	}
	return id, nil
}

// InsertWebhook stores a webhook with its cursor at the event counter's committed value (every
// event up to it is committed, see appendEvents) and returns its id and cursor.
func (w writeTx) InsertWebhook(ctx context.Context, wh *concierge.Webhook) (int64, int64, error) {
	var id, cursor int64
	err := w.tx.QueryRow(ctx, `INSERT INTO webhooks (property_id, url, kinds, secret, enabled, cursor_seq,
		created_at, updated_at) SELECT $1, $2, $3, $4, $5, seq, $6, $7 FROM event_counter
		RETURNING id, cursor_seq`, wh.PropertyID, wh.URL, kindsArg(wh.Kinds), wh.Secret, wh.Enabled,
		wh.CreatedAt, wh.UpdatedAt).Scan(&id, &cursor)
	return id, cursor, storeErr(err, "create webhook")
}

// UpdateWebhook stores a webhook's URL, kinds, secret, enabled flag and updated time;
// concierge.ErrNotFound when there is none.
func (w writeTx) UpdateWebhook(ctx context.Context, wh *concierge.Webhook) error {
	return w.execOne(ctx, "update webhook", `UPDATE webhooks SET url = $1, kinds = $2, secret = $3, enabled = $4,
		updated_at = $5 WHERE id = $6`, wh.URL, kindsArg(wh.Kinds), wh.Secret, wh.Enabled, wh.UpdatedAt, wh.ID)
}

// DeleteWebhook deletes a webhook and (by cascade) its deliveries; concierge.ErrNotFound when
// there is none.
func (w writeTx) DeleteWebhook(ctx context.Context, id int64) error {
	return w.execOne(ctx, "delete webhook", `DELETE FROM webhooks WHERE id = $1`, id)
}

// UpsertRetentionSettings stores a property's retention settings, replacing any.
func (w writeTx) UpsertRetentionSettings(ctx context.Context, rs concierge.RetentionSettings) error {
	_, err := w.tx.Exec(ctx, `INSERT INTO retention_settings (property_id, stay_days, guest_days, updated_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (property_id) DO UPDATE SET stay_days = excluded.stay_days,
		guest_days = excluded.guest_days, updated_at = excluded.updated_at`,
		rs.PropertyID, rs.StayDays, rs.GuestDays, rs.UpdatedAt)
	return storeErr(err, "set retention settings")
}

// UpsertLegalHold stores a conversation's legal hold, replacing any; concierge.ErrNotFound
// when the conversation does not exist.
func (w writeTx) UpsertLegalHold(ctx context.Context, h concierge.LegalHold) error {
	return w.execOne(ctx, "set legal hold", `INSERT INTO legal_holds (conversation_id, reason, set_by, set_at)
		SELECT id, $1, $2, $3 FROM conversations WHERE id = $4
		ON CONFLICT (conversation_id) DO UPDATE SET reason = excluded.reason, set_by = excluded.set_by,
		set_at = excluded.set_at`, h.Reason, h.SetBy, h.SetAt, h.ConversationID)
}

// DeleteLegalHold deletes a conversation's legal hold; concierge.ErrNotFound when it has none.
func (w writeTx) DeleteLegalHold(ctx context.Context, conversationID int64) error {
	return w.execOne(ctx, "clear legal hold", `DELETE FROM legal_holds WHERE conversation_id = $1`, conversationID)
}

// execOne runs a statement that must change exactly one row; concierge.ErrNotFound when it
// changed none. what names the change in errors.
func (w writeTx) execOne(ctx context.Context, what, query string, args ...any) error {
	tag, err := w.tx.Exec(ctx, query, args...)
	if err == nil {
		err = notFoundUnlessOne(tag)
	}
	return storeErr(err, what)
}

// QueueTranslations queues Pending translation jobs, skipping those a message already has or
// whose message is gone, and returns how many it queued.
func (w writeTx) QueueTranslations(ctx context.Context, ts []concierge.Translation) (int, error) {
	n := 0
	for _, t := range ts {
		tag, err := w.tx.Exec(ctx, `INSERT INTO translations (message_id, language, source, state,
			next_attempt_at, updated_at) SELECT $1::bigint, $2::text, $3::text, 'pending', $4::timestamptz, $4::timestamptz
			WHERE EXISTS (SELECT 1 FROM messages WHERE id = $1::bigint)
			ON CONFLICT (message_id, language) DO NOTHING`,
			t.MessageID, t.Language, t.Source, t.NextAttemptAt)
		if err != nil {
			return 0, storeErr(err, "queue translations")
		}
		n += int(tag.RowsAffected())
	}
	return n, nil
}

// UpdatePendingTranslation stores an attempt's outcome in a Pending translation and returns
// its message's conversation; concierge.ErrNotFound when there is no such Pending translation.
func (w writeTx) UpdatePendingTranslation(ctx context.Context, messageID int64, target string, out concierge.TranslationOutcome) (concierge.ConversationRef, error) {
	var conv concierge.ConversationRef
	err := w.tx.QueryRow(ctx, `UPDATE translations t SET state = $1, content = $2, last_error = $3,
		next_attempt_at = $4, updated_at = $5
		FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.id = t.message_id AND t.message_id = $6 AND t.language = $7 AND t.state = 'pending'
		RETURNING c.id, c.property_id`,
		string(out.State), out.Content, out.Error, out.NextAttemptAt, out.At, messageID, target).
		Scan(&conv.ID, &conv.PropertyID)
	if err != nil {
		return conv, storeErr(err, fmt.Sprintf("finish translation of message %d to %s", messageID, target))
	}
	return conv, nil
}

// IndexTranslation adds a done translation's search terms.
func (w writeTx) IndexTranslation(ctx context.Context, messageID int64, language, text string) error {
	_, err := w.tx.Exec(ctx, `INSERT INTO message_texts (message_id, language, terms)
		VALUES ($1, $2, $3::tsvector)`, messageID, language, searchVector(text))
	return storeErr(err, "index translation")
}
