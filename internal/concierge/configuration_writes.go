package concierge

import (
	"context"
	"strconv"
)

// Configuration writes what a property's managers configure besides its outlets and staff:
// webhooks, retention settings and legal holds, each with its audit entry in the change's
// transaction, written once over the store's transactions.
type Configuration struct {
	store Transactor
}

// NewConfiguration returns the configuration writes over store.
func NewConfiguration(store Transactor) Configuration { return Configuration{store: store} }

// CreateWebhook stores w with its cursor at the newest event (it delivers only events
// appended after it) and sets w.ID and w.Cursor, with audit (nil: none), its ObjectRef
// prefixed with the new id, in one transaction.
func (c Configuration) CreateWebhook(ctx context.Context, w *Webhook, audit *AuditEntry) error {
	var id, cursor int64
	err := c.store.Write(ctx, func(tx Tx) error {
		var err error
		if id, cursor, err = tx.InsertWebhook(ctx, w); err != nil || audit == nil {
			return err
		}
		entry := *audit
		entry.ObjectRef = strconv.FormatInt(id, 10) + audit.ObjectRef
		return tx.InsertAudit(ctx, &entry)
	})
	if err != nil {
		return err
	}
	w.ID, w.Cursor = id, cursor
	return nil
}

// UpdateWebhook stores w's URL, Kinds, Secret, Enabled and UpdatedAt, with audit (nil: none);
// ErrNotFound when no webhook has w.ID.
func (c Configuration) UpdateWebhook(ctx context.Context, w Webhook, audit *AuditEntry) error {
	return c.audited(ctx, audit, func(tx Tx) error { return tx.UpdateWebhook(ctx, &w) })
}

// DeleteWebhook deletes webhook id and its deliveries, with audit (nil: none); ErrNotFound
// when there is no such webhook.
func (c Configuration) DeleteWebhook(ctx context.Context, id int64, audit *AuditEntry) error {
	return c.audited(ctx, audit, func(tx Tx) error { return tx.DeleteWebhook(ctx, id) })
}

// SetRetentionSettings stores a property's retention settings, replacing any, with audit (nil:
// none).
func (c Configuration) SetRetentionSettings(ctx context.Context, rs RetentionSettings, audit *AuditEntry) error {
	return c.audited(ctx, audit, func(tx Tx) error { return tx.UpsertRetentionSettings(ctx, rs) })
}

// SetLegalHold puts a conversation under a legal hold, replacing any, with audit (nil: none);
// ErrNotFound when the conversation does not exist.
func (c Configuration) SetLegalHold(ctx context.Context, h LegalHold, audit *AuditEntry) error {
	return c.audited(ctx, audit, func(tx Tx) error { return tx.UpsertLegalHold(ctx, h) })
}

// ClearLegalHold lifts a conversation's legal hold, with audit (nil: none); ErrNotFound when it
// has none.
func (c Configuration) ClearLegalHold(ctx context.Context, conversationID int64, audit *AuditEntry) error {
	return c.audited(ctx, audit, func(tx Tx) error { return tx.DeleteLegalHold(ctx, conversationID) })
}

// audited runs change and appends a copy of audit (nil: none) in one transaction.
func (c Configuration) audited(ctx context.Context, audit *AuditEntry, change func(Tx) error) error {
	return c.store.Write(ctx, func(tx Tx) error {
		if err := change(tx); err != nil || audit == nil {
			return err
		}
		entry := *audit
		return tx.InsertAudit(ctx, &entry)
	})
}
