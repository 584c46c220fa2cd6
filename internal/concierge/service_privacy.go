package concierge

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// GuestRef names whose data an export or erasure is about: a stay by booking reference, or
// a non-verified guest by identifier (exactly one of the two).
type GuestRef struct {
	BookingReference string
	GuestIdentifier  string
}

// GuestExport is everything held about a stay or a non-verified guest, with the property
// and its outlets (to name them).
type GuestExport struct {
	GuestData
	Property   Property
	Outlets    map[int64]Outlet
	ExportedAt time.Time
}

// maxLegalHoldReason bounds a legal hold's reason.
const maxLegalHoldReason = 500

// guestOwner resolves ref at prop. Errors: ValidationFailed (fields bookingReference,
// guestIdentifier: none or both given); StayNotFound; GuestNotFound.
func (s *Service) guestOwner(ctx context.Context, prop Property, ref GuestRef) (Owner, string, error) {
	ref.BookingReference, ref.GuestIdentifier = strings.TrimSpace(ref.BookingReference), strings.TrimSpace(ref.GuestIdentifier)
	if (ref.BookingReference == "") == (ref.GuestIdentifier == "") {
		var v Validation
		v.Add("bookingReference", "give either a booking reference or a guest identifier")
		return Owner{}, "", v.Err()
	}
	if ref.BookingReference != "" {
		if len(ref.BookingReference) > maxIdentifierLength {
			return Owner{}, "", Errorf(CodeStayNotFound, "There is no stay with this booking reference.")
		}
		st, err := s.store.StayByReference(ctx, prop.ID, ref.BookingReference)
		if errors.Is(err, ErrNotFound) {
			return Owner{}, "", Errorf(CodeStayNotFound, "There is no stay with this booking reference.")
		}
		if err != nil {
			return Owner{}, "", s.internal(ctx, "stay by reference", err)
		}
		o := Owner{PropertyID: prop.ID, StayID: &st.ID}
		noteOwner(ctx, o)
		return o, "stay:" + idRef(st.ID), nil
	}
	if len(ref.GuestIdentifier) > maxIdentifierLength {
		return Owner{}, "", Errorf(CodeGuestNotFound, "There is no guest with this identifier.")
	}
	g, err := s.store.GuestByIdentifier(ctx, prop.ID, ref.GuestIdentifier)
	if errors.Is(err, ErrNotFound) {
		return Owner{}, "", Errorf(CodeGuestNotFound, "There is no guest with this identifier.")
	}
	if err != nil {
		return Owner{}, "", s.internal(ctx, "guest by identifier", err)
	}
	o := Owner{PropertyID: prop.ID, GuestID: &g.ID}
	noteOwner(ctx, o)
	return o, "guest:" + idRef(g.ID), nil
}

// ExportGuestData returns everything held about a stay or a non-verified guest of the
// property (SPEC: the right of access), and records the export in the audit log. Errors, in
// this order: Forbidden unless p is a manager or an admin; PropertyNotFound; ValidationFailed;
// StayNotFound; GuestNotFound.
func (s *Service) ExportGuestData(ctx context.Context, p *Principal, propertyCode string, ref GuestRef) (GuestExport, error) {
	prop, err := s.managedProperty(ctx, p, propertyCode, "export guest data")
	if err != nil {
		return GuestExport{}, err
	}
	owner, objRef, err := s.guestOwner(ctx, prop, ref)
	if err != nil {
		return GuestExport{}, err
	}
	data, err := s.store.GuestData(ctx, owner)
	if errors.Is(err, ErrNotFound) {
		return GuestExport{}, Errorf(CodeStayNotFound, "There is no such stay or guest any more.")
	}
	if err != nil {
		return GuestExport{}, s.internal(ctx, "guest data", err)
	}
	outlets, err := s.store.OutletsByProperty(ctx, prop.ID)
	if err != nil {
		return GuestExport{}, s.internal(ctx, "outlets by property", err)
	}
	out := GuestExport{GuestData: data, Property: prop, Outlets: map[int64]Outlet{}, ExportedAt: s.now()}
	for _, o := range outlets {
		out.Outlets[o.ID] = o
	}
	s.audit(ctx, p, AuditGuestDataExported, strings.SplitN(objRef, ":", 2)[0], objRef, prop.ID,
		fmt.Sprintf("conversations=%d messages=%d", len(data.Conversations), len(data.Messages)))
	return out, nil
}

// EraseGuestData erases a stay's or a non-verified guest's data on request (SPEC: the right
// to erasure): their conversations and everything derived from them, then the stay or guest
// itself, in one transaction with an audit entry that keeps no personal data. Conversations
// under a legal hold are kept (Erasure.Held), and so is then the stay or guest. Errors, in
// this order: Forbidden unless p is a manager or an admin; PropertyNotFound; ValidationFailed;
// StayNotFound; GuestNotFound.
func (s *Service) EraseGuestData(ctx context.Context, p *Principal, propertyCode string, ref GuestRef) (Erasure, error) {
	prop, err := s.managedProperty(ctx, p, propertyCode, "erase guest data")
	if err != nil {
		return Erasure{}, err
	}
	owner, objRef, err := s.guestOwner(ctx, prop, ref)
	if err != nil {
		return Erasure{}, err
	}
	audit := s.auditEntry(ctx, p, AuditGuestDataErased, strings.SplitN(objRef, ":", 2)[0], objRef, prop.ID, "")
	e, err := s.erasures.Erase(ctx, owner, audit)
	if errors.Is(err, ErrNotFound) {
		return Erasure{}, Errorf(CodeStayNotFound, "There is no such stay or guest any more.")
	}
	if err != nil {
		return Erasure{}, s.internal(ctx, "erase guest data", err)
	}
	s.credentialsChanged() // the erased guest's live streams end
	s.counters.GuestDataErased("request", e)
	s.logger.InfoContext(ctx, "guest data erased", "object", objRef, "conversations", e.Conversations,
		"held", e.Held, "by", p.String())
	return e, nil
}

// RetentionSettings returns a property's retention settings (the defaults when none were
// set). Errors: Forbidden unless p is a manager or an admin; PropertyNotFound.
func (s *Service) RetentionSettings(ctx context.Context, p *Principal, propertyCode string) (RetentionSettings, error) {
	prop, err := s.managedProperty(ctx, p, propertyCode, "manage retention")
	if err != nil {
		return RetentionSettings{}, err
	}
	return s.retentionOf(ctx, prop.ID)
}

// retentionOf returns a property's settings, or the defaults.
func (s *Service) retentionOf(ctx context.Context, propertyID int64) (RetentionSettings, error) {
	rs, err := s.store.RetentionSettings(ctx, propertyID)
	if errors.Is(err, ErrNotFound) {
		return RetentionSettings{PropertyID: propertyID, StayDays: DefaultStayRetentionDays, GuestDays: DefaultGuestRetentionDays}, nil
	}
	return rs, s.internal(ctx, "retention settings", err)
}

// maxRetentionDays bounds the retention settings (ten years).
const maxRetentionDays = 3660

// SetRetentionSettings changes a property's retention (nil: unchanged) and returns it.
// Errors: Forbidden unless p is a manager or an admin; PropertyNotFound; ValidationFailed
// (fields stayDays, guestDays: 1 to 3660).
func (s *Service) SetRetentionSettings(ctx context.Context, p *Principal, propertyCode string, stayDays, guestDays *int) (RetentionSettings, error) {
	prop, err := s.managedProperty(ctx, p, propertyCode, "manage retention")
	if err != nil {
		return RetentionSettings{}, err
	}
	rs, err := s.retentionOf(ctx, prop.ID)
	if err != nil {
		return RetentionSettings{}, err
	}
	var v Validation
	for field, val := range map[string]*int{"stayDays": stayDays, "guestDays": guestDays} {
		if val != nil && (*val < 1 || *val > maxRetentionDays) {
			v.Add(field, fmt.Sprintf("must be between 1 and %d days", maxRetentionDays))
		}
	}
	if err := v.Err(); err != nil {
		return RetentionSettings{}, err
	}
	setIf(&rs.StayDays, stayDays)
	setIf(&rs.GuestDays, guestDays)
	rs.UpdatedAt = s.now()
	audit := s.auditEntry(ctx, p, AuditRetentionChanged, "property", prop.Code, prop.ID,
		fmt.Sprintf("stayDays=%d guestDays=%d", rs.StayDays, rs.GuestDays))
	if err := s.configuration.SetRetentionSettings(ctx, rs, audit); err != nil {
		return RetentionSettings{}, s.internal(ctx, "set retention settings", err)
	}
	return rs, nil
}

// heldConversation finds a conversation a manager may hold. Errors: Forbidden unless p is a
// manager or an admin; ConversationNotFound.
func (s *Service) heldConversation(ctx context.Context, p *Principal, code string) (ConversationDetail, error) {
	if err := requireManager(p, "manage legal holds"); err != nil {
		return ConversationDetail{}, err
	}
	return s.visibleConversation(ctx, p, code)
}

// LegalHoldOf returns a conversation's legal hold, nil when it has none. Errors: Forbidden;
// ConversationNotFound.
func (s *Service) LegalHoldOf(ctx context.Context, p *Principal, conversationCode string) (*LegalHold, error) {
	c, err := s.heldConversation(ctx, p, conversationCode)
	if err != nil {
		return nil, err
	}
	h, err := s.store.LegalHoldOf(ctx, c.ID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, s.internal(ctx, "legal hold", err)
	}
	return &h, nil
}

// SetLegalHold puts a conversation under a legal hold with a reason (replacing any): neither
// retention nor an erasure request erases it until the hold is cleared. Errors: Forbidden
// unless p is a manager or an admin; ConversationNotFound; ValidationFailed (field reason:
// required, at most 500 characters).
func (s *Service) SetLegalHold(ctx context.Context, p *Principal, conversationCode, reason string) (LegalHold, error) {
	c, err := s.heldConversation(ctx, p, conversationCode)
	if err != nil {
		return LegalHold{}, err
	}
	reason = strings.TrimSpace(reason)
	var v Validation
	switch {
	case reason == "":
		v.Add("reason", "is required")
	case len(reason) > maxLegalHoldReason:
		v.Add("reason", fmt.Sprintf("must be at most %d bytes", maxLegalHoldReason))
	case strings.ContainsRune(reason, 0):
		v.Add("reason", "must not contain NUL characters")
	}
	if err := v.Err(); err != nil {
		return LegalHold{}, err
	}
	h := LegalHold{ConversationID: c.ID, Reason: reason, SetBy: p.String(), SetAt: s.now()}
	if p.User != nil {
		h.SetBy = p.User.Username
	} else if p.APIKey != nil {
		h.SetBy = p.APIKey.Name
	}
	audit := s.auditEntry(ctx, p, AuditLegalHoldSet, "conversation", "conversation:"+idRef(c.ID), c.PropertyID, "")
	if err := s.configuration.SetLegalHold(ctx, h, audit); err != nil {
		if errors.Is(err, ErrNotFound) {
			return LegalHold{}, conversationNotFound(conversationCode)
		}
		return LegalHold{}, s.internal(ctx, "set legal hold", err)
	}
	return h, nil
}

// ClearLegalHold lifts a conversation's legal hold; clearing none is not an error. Errors:
// Forbidden unless p is a manager or an admin; ConversationNotFound.
func (s *Service) ClearLegalHold(ctx context.Context, p *Principal, conversationCode string) error {
	c, err := s.heldConversation(ctx, p, conversationCode)
	if err != nil {
		return err
	}
	audit := s.auditEntry(ctx, p, AuditLegalHoldCleared, "conversation", "conversation:"+idRef(c.ID), c.PropertyID, "")
	err = s.configuration.ClearLegalHold(ctx, c.ID, audit)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return s.internal(ctx, "clear legal hold", err)
}

// RetentionRun counts what one run of the retention job erased.
type RetentionRun struct {
	Stays, Guests, Conversations int
	// Sessions and StaffSessions count the ended sessions deleted (deleteEndedSessions).
	Sessions, StaffSessions int
}

// EndedSessionKeep is how long the retention job keeps a session after it ended (an anonymous
// guest session after its idle expiry, a staff session after it expired or was revoked):
// meanwhile its token is still answered "expired" rather than "not valid".
const EndedSessionKeep = 24 * time.Hour

// RunRetention erases, for every property, the stays whose departure is more than the
// property's StayDays ago and the non-verified guests inactive for more than its GuestDays,
// with their conversations (except those under a legal hold), batch owners per read, each
// owner in its own transaction, so that no transaction is long; then it deletes the anonymous
// guest sessions and the staff sessions that ended more than EndedSessionKeep ago, batch at a
// time. Errors: InternalError (what was erased before stays erased).
func (s *Service) RunRetention(ctx context.Context, batch int) (RetentionRun, error) {
	var run RetentionRun
	if batch <= 0 {
		batch = 50
	}
	defer func() {
		if run.Stays+run.Guests > 0 {
			s.credentialsChanged() // the erased guests' live streams end
		}
	}()
	var after int64
	for {
		props, err := s.store.ListProperties(ctx, after, 100)
		if err != nil {
			return run, s.internal(ctx, "list properties", err)
		}
		for _, prop := range props {
			after = prop.ID
			if err := s.retainProperty(ctx, prop, batch, &run); err != nil {
				return run, err
			}
		}
		if len(props) < 100 {
			return run, s.deleteEndedSessions(ctx, batch, &run)
		}
	}
}

// deleteEndedSessions deletes, batch at a time, the anonymous guest sessions and the staff
// sessions that ended more than EndedSessionKeep ago, counting them in run.
func (s *Service) deleteEndedSessions(ctx context.Context, batch int, run *RetentionRun) error {
	before := s.now().Add(-EndedSessionKeep)
	for ctx.Err() == nil {
		guest, staff, err := s.store.DeleteEndedSessions(ctx, before, batch)
		if err != nil {
			return s.internal(ctx, "delete ended sessions", err)
		}
		run.Sessions += guest
		run.StaffSessions += staff
		if guest < batch && staff < batch {
			return nil
		}
	}
	return ctx.Err()
}

// retainProperty runs retention at one property.
func (s *Service) retainProperty(ctx context.Context, prop Property, batch int, run *RetentionRun) error {
	rs, err := s.retentionOf(ctx, prop.ID)
	if err != nil {
		return err
	}
	now := s.now()
	cutoff := DateOf(now, s.location(prop)).AddDays(-rs.StayDays)
	erase := func(owner Owner, kind string, id int64) (Erasure, error) {
		audit := s.auditEntry(ctx, LocalOperator(), AuditRetentionErased, kind, kind+":"+idRef(id), prop.ID, "")
		e, err := s.erasures.Erase(ctx, owner, audit)
		if errors.Is(err, ErrNotFound) {
			return Erasure{}, nil // erased meanwhile
		}
		if err == nil {
			s.counters.GuestDataErased("retention", e)
		}
		return e, s.internal(ctx, "erase guest data", err)
	}
	for ctx.Err() == nil {
		stays, err := s.store.ExpiredStays(ctx, prop.ID, cutoff, batch)
		if err != nil {
			return s.internal(ctx, "expired stays", err)
		}
		progress := false
		for _, st := range stays {
			e, err := erase(Owner{PropertyID: prop.ID, StayID: &st.ID}, "stay", st.ID)
			if err != nil {
				return err
			}
			run.Stays++
			run.Conversations += e.Conversations
			progress = progress || e.Conversations > 0 || e.OwnerErased
		}
		if len(stays) < batch || !progress {
			break
		}
	}
	before := now.Add(-time.Duration(rs.GuestDays) * 24 * time.Hour)
	for ctx.Err() == nil {
		guests, err := s.store.InactiveGuests(ctx, prop.ID, before, batch)
		if err != nil {
			return s.internal(ctx, "inactive guests", err)
		}
		progress := false
		for _, g := range guests {
			e, err := erase(Owner{PropertyID: prop.ID, GuestID: &g.ID}, "guest", g.ID)
			if err != nil {
				return err
			}
			run.Guests++
			run.Conversations += e.Conversations
			progress = progress || e.Conversations > 0 || e.OwnerErased
		}
		if len(guests) < batch || !progress {
			break
		}
	}
	return ctx.Err()
}
