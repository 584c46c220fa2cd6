package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"concierge/internal/concierge"
)

// webhookColumns are the columns scanWebhook reads, in its order.
const webhookColumns = `id, property_id, url, kinds, secret, enabled, cursor_seq, created_at, updated_at`

// kindsArg renders event kinds as the comma-separated kinds column.
func kindsArg(kinds []concierge.EventKind) string {
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = string(k)
	}
	return strings.Join(parts, ",")
}

// scanWebhook reads one webhook row.
func scanWebhook(row rowScanner) (concierge.Webhook, error) {
	var w concierge.Webhook
	var kinds string
	var created, updated int64
	if err := row.Scan(&w.ID, &w.PropertyID, &w.URL, &kinds, &w.Secret, &w.Enabled, &w.Cursor, &created, &updated); err != nil {
		return w, err
	}
	for k := range strings.SplitSeq(kinds, ",") {
		if k != "" {
			w.Kinds = append(w.Kinds, concierge.EventKind(k))
		}
	}
	w.CreatedAt, w.UpdatedAt = timeOf(created), timeOf(updated)
	return w, nil
}

// WebhookByID finds a webhook.
func (db *DB) WebhookByID(ctx context.Context, id int64) (concierge.Webhook, error) {
	w, err := scanWebhook(db.readers.QueryRowContext(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = ?`, id))
	return w, storeErr(err, "webhook by id")
}

// ListWebhooks lists a property's webhooks (0: every property's), ascending by id.
func (db *DB) ListWebhooks(ctx context.Context, propertyID int64) ([]concierge.Webhook, error) {
	out, err := queryAll(ctx, db.readers, scanWebhook, `SELECT `+webhookColumns+` FROM webhooks
		WHERE ? = 0 OR property_id = ? ORDER BY id`, propertyID, propertyID)
	return out, storeErr(err, "list webhooks")
}

// AdvanceWebhook moves the cursor from from to to and stores ds, when the cursor is still at
// from.
func (db *DB) AdvanceWebhook(ctx context.Context, id, from, to int64, ds []concierge.WebhookDelivery) (bool, error) {
	var moved bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		moved = false
		res, err := tx.ExecContext(ctx, `UPDATE webhooks SET cursor_seq = ? WHERE id = ? AND cursor_seq = ?`, to, id, from)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return err
		}
		for _, d := range ds {
			if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (id, webhook_id, event_seq, kind,
				conversation_id, body, status, attempts, next_attempt_at, window_start, last_error, last_status,
				created_at, delivered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (webhook_id, event_seq) DO NOTHING`,
				d.ID, id, d.EventSeq, string(d.Kind), d.ConversationID, d.Body, string(d.Status), d.Attempts,
				timeArg(d.NextAttemptAt), timeArg(d.WindowStart), d.LastError, d.LastStatus,
				timeArg(d.CreatedAt), nullTimeArg(d.DeliveredAt)); err != nil {
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

// scanDelivery reads one delivery row.
func scanDelivery(row rowScanner) (concierge.WebhookDelivery, error) {
	var d concierge.WebhookDelivery
	var kind, status string
	var next, window, created int64
	var delivered sql.NullInt64
	err := row.Scan(&d.ID, &d.WebhookID, &d.EventSeq, &kind, &d.ConversationID, &d.Body, &status, &d.Attempts,
		&next, &window, &d.LastError, &d.LastStatus, &created, &delivered)
	d.Kind, d.Status = concierge.EventKind(kind), concierge.DeliveryStatus(status)
	d.NextAttemptAt, d.WindowStart, d.CreatedAt, d.DeliveredAt = timeOf(next), timeOf(window), timeOf(created), nullTimeOf(delivered)
	return d, err
}

// NextWebhookDelivery returns the webhook's pending delivery with the lowest event seq.
func (db *DB) NextWebhookDelivery(ctx context.Context, webhookID int64) (concierge.WebhookDelivery, error) {
	d, err := scanDelivery(db.readers.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries
		WHERE webhook_id = ? AND status = 'pending' ORDER BY event_seq LIMIT 1`, webhookID))
	return d, storeErr(err, "next webhook delivery")
}

// ClaimWebhookDelivery moves a pending delivery's next attempt from expect to until.
func (db *DB) ClaimWebhookDelivery(ctx context.Context, id string, expect, until time.Time) (bool, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET next_attempt_at = ?
			WHERE id = ? AND status = 'pending' AND next_attempt_at = ?`, timeArg(until), id, timeArg(expect))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n == 1, storeErr(err, "claim webhook delivery")
}

// RecordWebhookAttempt stores the outcome of an attempt while the delivery is pending at
// lease, and reports whether it did; ErrNotFound when d is gone.
func (db *DB) RecordWebhookAttempt(ctx context.Context, d concierge.WebhookDelivery, lease time.Time) (bool, error) {
	var stored bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		stored = false
		res, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?,
			last_error = ?, last_status = ?, delivered_at = ?
			WHERE id = ? AND status = 'pending' AND next_attempt_at = ?`, string(d.Status), d.Attempts,
			timeArg(d.NextAttemptAt), d.LastError, d.LastStatus, nullTimeArg(d.DeliveredAt), d.ID, timeArg(lease))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n == 1 {
			stored = err == nil
			return err
		}
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM webhook_deliveries WHERE id = ?)`,
			d.ID).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return concierge.ErrNotFound
		}
		return nil
	})
	return stored, storeErr(err, "record webhook attempt")
}

// WebhookDeliveryByID finds a delivery of the webhook.
func (db *DB) WebhookDeliveryByID(ctx context.Context, webhookID int64, id string) (concierge.WebhookDelivery, error) {
	d, err := scanDelivery(db.readers.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries
		WHERE webhook_id = ? AND id = ?`, webhookID, id))
	return d, storeErr(err, "webhook delivery by id")
}

// ListWebhookDeliveries lists a webhook's deliveries, newest event first, as f selects them.
func (db *DB) ListWebhookDeliveries(ctx context.Context, webhookID int64, f concierge.DeliveryFilter) ([]concierge.WebhookDelivery, error) {
	lim := int64(f.Limit)
	if lim <= 0 {
		lim = -1
	}
	out, err := queryAll(ctx, db.readers, scanDelivery, `SELECT `+deliveryColumns+` FROM webhook_deliveries
		WHERE webhook_id = ? AND (? = 0 OR event_seq < ?) AND (? = '' OR status = ?)
		ORDER BY event_seq DESC LIMIT ?`, webhookID, f.BeforeSeq, f.BeforeSeq, string(f.Status), string(f.Status), lim)
	return out, storeErr(err, "list webhook deliveries")
}

// RedeliverWebhook makes the selected deliveries pending again, starting at at.
func (db *DB) RedeliverWebhook(ctx context.Context, webhookID int64, r concierge.Redelivery, at time.Time, audit *concierge.AuditEntry) (int, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		const set = `UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?,
			window_start = ?, delivered_at = NULL WHERE webhook_id = ? AND `
		var res sql.Result
		var err error
		if r.ID != "" {
			res, err = tx.ExecContext(ctx, set+`id = ?`, timeArg(at), timeArg(at), webhookID, r.ID)
		} else {
			res, err = tx.ExecContext(ctx, set+`created_at >= ? AND created_at < ?`, timeArg(at), timeArg(at),
				webhookID, timeArg(r.From), timeArg(r.To))
		}
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		if r.ID != "" && n == 0 {
			return concierge.ErrNotFound
		}
		return appendAudit(ctx, tx, copyAudit(audit))
	})
	return int(n), storeErr(err, "redeliver webhook")
}

// copyAudit returns a copy of e (nil for nil), so that a transaction that runs again appends
// the same entry and the caller's entry is not written to.
func copyAudit(e *concierge.AuditEntry) *concierge.AuditEntry {
	if e == nil {
		return nil
	}
	cp := *e
	return &cp
}
