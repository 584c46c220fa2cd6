package concierge

import (
	"context"
	"strconv"
)

// clientKey is the context key of the caller's address.
type clientKey struct{}

// WithClient returns ctx carrying the caller's network address, which audit entries written
// while serving the call record ("from where").
func WithClient(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientKey{}, addr)
}

// clientOf returns the caller's address carried by ctx ("" when none).
func clientOf(ctx context.Context) string {
	s, _ := ctx.Value(clientKey{}).(string)
	return s
}

// auditEntry returns an entry of p doing action to an object, now, from ctx's client. A
// principal without a user or key (LocalOperator: the CLI, the server's own jobs) is
// recorded as the system; nil as nobody.
func (s *Service) auditEntry(ctx context.Context, p *Principal, action AuditAction, objectKind, objectRef string, propertyID int64, detail string) *AuditEntry {
	e := &AuditEntry{At: s.now(), ActorKind: ActorSystem, Action: action, ObjectKind: objectKind,
		ObjectRef: objectRef, Client: clientOf(ctx), Detail: detail}
	switch {
	case p == nil:
		e.ActorKind = ActorNone
	case p.User != nil:
		id := p.User.ID
		e.ActorKind, e.ActorID, e.ActorName = ActorStaff, &id, p.User.Username
	case p.APIKey != nil:
		id := p.APIKey.ID
		e.ActorKind, e.ActorID, e.ActorName = ActorAPIKey, &id, p.APIKey.Name
	}
	if propertyID != 0 {
		e.PropertyID = &propertyID
	}
	return e
}

// audit appends an entry for something that changes nothing in the store (a guest data
// export); changes pass their entry to the store, which appends it in their transaction. A
// failure is logged, not returned: the action has happened and its caller must learn so.
func (s *Service) audit(ctx context.Context, p *Principal, action AuditAction, objectKind, objectRef string, propertyID int64, detail string) {
	e := s.auditEntry(ctx, p, action, objectKind, objectRef, propertyID, detail)
	if err := s.store.AppendAudit(context.WithoutCancel(ctx), e); err != nil {
		s.logger.ErrorContext(ctx, "audit entry not written", "action", string(action), "err", err)
	}
}

// idRef renders an id as an audit object reference.
func idRef(id int64) string { return strconv.FormatInt(id, 10) }

// ListAudit lists the audit log, newest first: entries with an id below beforeID (0: from the
// newest), at most limit (1–200), and whether more follow. Admins see every entry, managers
// (and manager API keys) the entries about their properties. Errors: Forbidden for agents;
// ValidationFailed (field limit); InternalError.
func (s *Service) ListAudit(ctx context.Context, p *Principal, beforeID int64, limit int) ([]AuditEntry, bool, error) {
	if err := requireManager(p, "read the audit log"); err != nil {
		return nil, false, err
	}
	if err := checkLimit(limit); err != nil {
		return nil, false, err
	}
	f := AuditFilter{BeforeID: beforeID, Limit: limit + 1}
	if !p.IsAdmin() {
		f.PropertyIDs = append([]int64{}, p.PropertyIDs...)
	}
	entries, err := s.store.ListAudit(ctx, f)
	if err != nil {
		return nil, false, s.internal(ctx, "list audit", err)
	}
	out, more := page(entries, limit)
	return out, more, nil
}

// auditLogin records a staff login or a failed one. u is the user the username names (nil
// when it names nobody: the typed username is then not recorded, people type passwords
// into it).
func (s *Service) auditLogin(ctx context.Context, action AuditAction, u *StaffUser, client, detail string) {
	var p *Principal
	if u != nil {
		p = &Principal{User: u, Role: u.Role}
	}
	e := s.auditEntry(WithClient(ctx, client), p, action, "", "", 0, detail)
	if u != nil {
		e.ObjectKind, e.ObjectRef = "staff_user", idRef(u.ID)
	}
	if err := s.store.AppendAudit(context.WithoutCancel(ctx), e); err != nil {
		s.logger.ErrorContext(ctx, "audit entry not written", "action", string(action), "err", err)
	}
}

// auditStaffUser returns the entry of p's change of staff user u, for the store to append with
// the change: the object is "id:username" (":username" for a user not created yet, whose id
// the store puts in front, see AuditStore), the detail their role and grants (ids), never a
// password.
func (s *Service) auditStaffUser(ctx context.Context, p *Principal, action AuditAction, u StaffUser) *AuditEntry {
	detail := "role=" + string(u.Role) + " properties=" + idList(u.PropertyIDs) + " service_centers=" + idList(u.ServiceCenterIDs)
	// The entry belongs to the user's property (managers see their properties' entries): their
	// only one, or their first service center's.
	var prop int64
	switch {
	case len(u.PropertyIDs) == 1:
		prop = u.PropertyIDs[0]
	case len(u.PropertyIDs) == 0 && len(u.ServiceCenterIDs) > 0:
		if sc, err := s.store.ServiceCenterByID(ctx, u.ServiceCenterIDs[0]); err == nil {
			prop = sc.PropertyID
		}
	}
	ref := ":" + u.Username
	if u.ID != 0 {
		ref = idRef(u.ID) + ref
	}
	return s.auditEntry(ctx, p, action, "staff_user", ref, prop, detail)
}

// idList renders ids as "1,2,3".
func idList(ids []int64) string {
	out := make([]byte, 0, len(ids)*4)
	for i, id := range ids {
		if i > 0 {
			out = append(out, ',')
		}
		out = strconv.AppendInt(out, id, 10)
	}
	return string(out)
}
