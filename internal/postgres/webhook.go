package postgres

import (
	"context"
	"time"

	"concierge/internal/concierge"

	"github.com/jackc/pgx/v5/pgconn"
)

// webhookColumns are the columns scanWebhook reads, in its order.
const webhookColumns = `id, property_id, url, kinds, secret, enabled, cursor_seq, created_at, updated_at`

// kindsArg returns event kinds as the text array of the kinds column.
func kindsArg(kinds []concierge.EventKind) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = string(k)
	}
	return out
}

// scanWebhook reads one row of webhookColumns.
func scanWebhook(r rowScanner) (concierge.Webhook, error) {
	var w concierge.Webhook
	var kinds []string
	if err := r.Scan(&w.ID, &w.PropertyID, &w.URL, &kinds, &w.Secret, &w.Enabled, &w.Cursor, &w.CreatedAt, &w.UpdatedAt); err != nil {
		return concierge.Webhook{}, err
	}
	for _, k := range kinds {
		w.Kinds = append(w.Kinds, concierge.EventKind(k))
	}
	w.CreatedAt, w.UpdatedAt = utc(w.CreatedAt), utc(w.UpdatedAt)
	return w, nil
}

// WebhookByID finds a webhook; ErrNotFound when none.
func (db *DB) WebhookByID(ctx context.Context, id int64) (concierge.Webhook, error) {
	w, err := scanWebhook(db.pool.QueryRow(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = $1`, id))
	return w, storeErr(err, "webhook by id")
}

// ListWebhooks lists a property's webhooks (0: every property's), ascending by id.
func (db *DB) ListWebhooks(ctx context.Context, propertyID int64) ([]concierge.Webhook, error) {
	out, err := queryAll(ctx, db.pool, scanWebhook, `SELECT `+webhookColumns+` FROM webhooks
		WHERE $1 = 0 OR property_id = $1 ORDER BY id`, propertyID)
	return out, storeErr(err, "list webhooks")
}

// AdvanceWebhook moves the cursor from from to to and stores ds (in one statement), when the
// cursor is still at from; a delivery of a seq already stored is skipped. The update locks the
// webhook's row, so of two nodes advancing from the same cursor one moves it and the other
// finds it moved.
func (db *DB) AdvanceWebhook(ctx context.Context, id, from, to int64, ds []concierge.WebhookDelivery) (bool, error) {
	var moved bool
	err := db.write(ctx, func(tx *wtx) error {
		moved = false
		tag, err := tx.Exec(ctx, `UPDATE webhooks SET cursor_seq = $1 WHERE id = $2 AND cursor_seq = $3`, to, id, from)
		if err != nil || tag.RowsAffected() != 1 {
			return err
		}
		if len(ds) > 0 {
			n := len(ds)
			ids, kinds, statuses, errs := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
			seqs, convs := make([]int64, n), make([]int64, n)
			bodies := make([][]byte, n)
			attempts, lastStatus := make([]int32, n), make([]int32, n)
			next, window, created := make([]time.Time, n), make([]time.Time, n), make([]time.Time, n)
			delivered := make([]*time.Time, n)
			for i, d := range ds {
				ids[i], seqs[i], kinds[i], convs[i], bodies[i] = d.ID, d.EventSeq, string(d.Kind), d.ConversationID, d.Body
				statuses[i], attempts[i], next[i], window[i] = string(d.Status), int32(d.Attempts), d.NextAttemptAt, d.WindowStart
				errs[i], lastStatus[i], created[i], delivered[i] = d.LastError, int32(d.LastStatus), d.CreatedAt, d.DeliveredAt
			}
			if _, err := tx.Exec(ctx, `INSERT INTO webhook_deliveries (id, webhook_id, event_seq, kind,
				conversation_id, body, status, attempts, next_attempt_at, window_start, last_error, last_status,
				created_at, delivered_at)
				SELECT d.id, $1, d.seq, d.kind, d.conv, d.body, d.status, d.attempts, d.next, d.win, d.err,
					d.last_status, d.created, d.delivered
				FROM unnest($2::text[], $3::bigint[], $4::text[], $5::bigint[], $6::bytea[], $7::text[],
					$8::integer[], $9::timestamptz[], $10::timestamptz[], $11::text[], $12::integer[],
					$13::timestamptz[], $14::timestamptz[])
					AS d (id, seq, kind, conv, body, status, attempts, next, win, err, last_status, created, delivered)
				ON CONFLICT (webhook_id, event_seq) DO NOTHING`,
				id, ids, seqs, kinds, convs, bodies, statuses, attempts, next, window, errs, lastStatus,
				created, delivered); err != nil {
				return err
			}
		}
		moved = true
		return nil
	})
	return moved, storeErr(err, "advance webhook")
}

// deliveryColumns are the columns scanDelivery reads, in its order.
const deliveryColumns = `id, webhook_id, event_seq, kind, conversation_id, body, status, attempts, next_attempt_at,
	window_start, last_error, last_status, created_at, delivered_at`

// scanDelivery reads one row of deliveryColumns.
func scanDelivery(r rowScanner) (concierge.WebhookDelivery, error) {
	var d concierge.WebhookDelivery
	var kind, status string
	if err := r.Scan(&d.ID, &d.WebhookID, &d.EventSeq, &kind, &d.ConversationID, &d.Body, &status, &d.Attempts,
		&d.NextAttemptAt, &d.WindowStart, &d.LastError, &d.LastStatus, &d.CreatedAt, &d.DeliveredAt); err != nil {
		return concierge.WebhookDelivery{}, err
	}
	d.Kind, d.Status = concierge.EventKind(kind), concierge.DeliveryStatus(status)
	d.NextAttemptAt, d.WindowStart, d.CreatedAt = utc(d.NextAttemptAt), utc(d.WindowStart), utc(d.CreatedAt)
	d.DeliveredAt = utcPtr(d.DeliveredAt)
	return d, nil
}

// NextWebhookDelivery returns the webhook's pending delivery with the lowest event seq;
// ErrNotFound when none is pending.
func (db *DB) NextWebhookDelivery(ctx context.Context, webhookID int64) (concierge.WebhookDelivery, error) {
	d, err := scanDelivery(db.pool.QueryRow(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries
		WHERE webhook_id = $1 AND status = 'pending' ORDER BY event_seq LIMIT 1`, webhookID))
	return d, storeErr(err, "next webhook delivery")
}

// ClaimWebhookDelivery moves a pending delivery's next attempt from expect to until, and
// reports whether it did (false when another claimant moved it first).
func (db *DB) ClaimWebhookDelivery(ctx context.Context, id string, expect, until time.Time) (bool, error) {
	tag, err := db.exec(ctx, `UPDATE webhook_deliveries SET next_attempt_at = $1
		WHERE id = $2 AND status = 'pending' AND next_attempt_at = $3`, until, id, expect)
	return tag.RowsAffected() == 1, storeErr(err, "claim webhook delivery")
}

// RecordWebhookAttempt stores the outcome of an attempt while the delivery is pending at
// lease, and reports whether it did (false when the lease is gone); ErrNotFound when d is
// gone. lease is compared as ClaimWebhookDelivery stored it (pgx truncates both to the
// microsecond).
func (db *DB) RecordWebhookAttempt(ctx context.Context, d concierge.WebhookDelivery, lease time.Time) (bool, error) {
	tag, err := db.exec(ctx, `UPDATE webhook_deliveries SET status = $1, attempts = $2, next_attempt_at = $3,
		last_error = $4, last_status = $5, delivered_at = $6
		WHERE id = $7 AND status = 'pending' AND next_attempt_at = $8`, string(d.Status), d.Attempts,
		d.NextAttemptAt, d.LastError, d.LastStatus, d.DeliveredAt, d.ID, lease)
	if err != nil || tag.RowsAffected() == 1 {
		return err == nil, storeErr(err, "record webhook attempt")
	}
	var exists bool
	err = db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM webhook_deliveries WHERE id = $1)`, d.ID).Scan(&exists)
	if err == nil && !exists {
		err = concierge.ErrNotFound
	}
	return false, storeErr(err, "record webhook attempt")
}

// WebhookDeliveryByID finds a delivery of the webhook; ErrNotFound when none.
func (db *DB) WebhookDeliveryByID(ctx context.Context, webhookID int64, id string) (concierge.WebhookDelivery, error) {
	d, err := scanDelivery(db.pool.QueryRow(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries
		WHERE webhook_id = $1 AND id = $2`, webhookID, id))
	return d, storeErr(err, "webhook delivery by id")
}

// ListWebhookDeliveries lists a webhook's deliveries, newest event first, as f selects them.
func (db *DB) ListWebhookDeliveries(ctx context.Context, webhookID int64, f concierge.DeliveryFilter) ([]concierge.WebhookDelivery, error) {
	out, err := queryAll(ctx, db.pool, scanDelivery, `SELECT `+deliveryColumns+` FROM webhook_deliveries
		WHERE webhook_id = $1 AND ($2 = 0 OR event_seq < $2) AND ($3 = '' OR status = $3)
		ORDER BY event_seq DESC LIMIT $4`, webhookID, f.BeforeSeq, string(f.Status), limitArg(f.Limit))
	return out, storeErr(err, "list webhook deliveries")
}

// RedeliverWebhook makes the selected deliveries pending again, starting at at, and returns
// how many; ErrNotFound when r names one delivery that the webhook does not have.
func (db *DB) RedeliverWebhook(ctx context.Context, webhookID int64, r concierge.Redelivery, at time.Time, audit *concierge.AuditEntry) (int, error) {
	var n int64
	err := db.write(ctx, func(tx *wtx) error {
		const set = `UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = $1,
			window_start = $1, delivered_at = NULL WHERE webhook_id = $2 AND `
		var tag pgconn.CommandTag
		var err error
		if r.ID != "" {
			tag, err = tx.Exec(ctx, set+`id = $3`, at, webhookID, r.ID)
		} else {
			tag, err = tx.Exec(ctx, set+`created_at >= $3 AND created_at < $4`, at, webhookID, bound(r.From), bound(r.To))
		}
		if err != nil {
			return err
		}
		if n = tag.RowsAffected(); r.ID != "" && n == 0 {
			return concierge.ErrNotFound
		}
		return appendAudit(ctx, tx, copyAudit(audit))
	})
	return int(n), storeErr(err, "redeliver webhook")
}
