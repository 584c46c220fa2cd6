package sqlite

import (
	"context"
	"database/sql"

	"concierge/internal/concierge"
)

// appendAudit inserts e in tx and sets its ID; a nil e is nothing to do.
func appendAudit(ctx context.Context, tx *sql.Tx, e *concierge.AuditEntry) error {
	if e == nil {
		return nil
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, actor_kind, actor_id, actor_name, action,
		object_kind, object_ref, property_id, client, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		timeArg(e.At), e.ActorKind, nullIDArg(e.ActorID), e.ActorName, string(e.Action), e.ObjectKind,
		e.ObjectRef, nullIDArg(e.PropertyID), e.Client, e.Detail)
	if err != nil {
		return err
	}
	e.ID, err = res.LastInsertId()
	return err
}

// AppendAudit stores e and sets its ID.
func (db *DB) AppendAudit(ctx context.Context, e *concierge.AuditEntry) error {
	var id int64
	err := db.write(ctx, func(tx *sql.Tx) error {
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

// ListAudit lists audit entries newest first as f selects them.
func (db *DB) ListAudit(ctx context.Context, f concierge.AuditFilter) ([]concierge.AuditEntry, error) {
	q := `SELECT id, at, actor_kind, actor_id, actor_name, action, object_kind, object_ref, property_id,
		client, detail FROM audit_log WHERE (? = 0 OR id < ?)`
	args := []any{f.BeforeID, f.BeforeID}
	if f.PropertyIDs != nil {
		q += ` AND property_id IN (SELECT value FROM json_each(?))`
		args = append(args, idList(f.PropertyIDs))
	}
	lim := int64(f.Limit)
	if lim <= 0 {
		lim = -1
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, lim)
	rows, err := db.readers.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, storeErr(err, "list audit")
	}
	defer rows.Close()
	var out []concierge.AuditEntry
	for rows.Next() {
		var e concierge.AuditEntry
		var at int64
		var actor, prop sql.NullInt64
		var action string
		if err := rows.Scan(&e.ID, &at, &e.ActorKind, &actor, &e.ActorName, &action, &e.ObjectKind,
			&e.ObjectRef, &prop, &e.Client, &e.Detail); err != nil {
			return nil, storeErr(err, "list audit")
		}
		e.At, e.ActorID, e.PropertyID, e.Action = timeOf(at), nullIDOf(actor), nullIDOf(prop), concierge.AuditAction(action)
		out = append(out, e)
	}
	return out, storeErr(rows.Err(), "list audit")
}
