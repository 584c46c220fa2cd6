package postgres

import (
	"context"

	"concierge/internal/concierge"
)

// appendAudit inserts e in tx and sets its ID; a nil e is nothing to do.
func appendAudit(ctx context.Context, tx *wtx, e *concierge.AuditEntry) error {
	if e == nil {
		return nil
	}
	var err error
	e.ID, err = insertID(ctx, tx, `INSERT INTO audit_log (at, actor_kind, actor_id, actor_name, action,
		object_kind, object_ref, property_id, client, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		e.At, e.ActorKind, e.ActorID, e.ActorName, string(e.Action), e.ObjectKind,
		e.ObjectRef, e.PropertyID, e.Client, e.Detail)
	return err
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

// AppendAudit stores e and sets its ID. It errors only when the database fails.
func (db *DB) AppendAudit(ctx context.Context, e *concierge.AuditEntry) error {
	var id int64
	err := db.write(ctx, func(tx *wtx) error {
		cp := *e
		if err := appendAudit(ctx, tx, &cp); err != nil {
			return err
		}
		id = cp.ID
		return nil
	})
	if err == nil {
		e.ID = id
	}
	return storeErr(err, "append audit")
}

// ListAudit lists audit entries newest first as f selects them. It errors only when the
// database fails.
func (db *DB) ListAudit(ctx context.Context, f concierge.AuditFilter) ([]concierge.AuditEntry, error) {
	var props []int64 // nil: every property (NULL array)
	if f.PropertyIDs != nil {
		props = nonNil(f.PropertyIDs)
	}
	rows, err := db.pool.Query(ctx, `SELECT id, at, actor_kind, actor_id, actor_name, action, object_kind,
		object_ref, property_id, client, detail FROM audit_log
		WHERE ($1 = 0 OR id < $1) AND ($2::bigint[] IS NULL OR property_id = ANY($2))
		ORDER BY id DESC LIMIT $3`, f.BeforeID, props, limitArg(f.Limit))
	if err != nil {
		return nil, storeErr(err, "list audit")
	}
	defer rows.Close()
	var out []concierge.AuditEntry
	for rows.Next() {
		var e concierge.AuditEntry
		var action string
		if err := rows.Scan(&e.ID, &e.At, &e.ActorKind, &e.ActorID, &e.ActorName, &action, &e.ObjectKind,
			&e.ObjectRef, &e.PropertyID, &e.Client, &e.Detail); err != nil {
			return nil, storeErr(err, "list audit")
		}
		e.At, e.Action = utc(e.At), concierge.AuditAction(action)
		out = append(out, e)
	}
	return out, storeErr(rows.Err(), "list audit")
}
