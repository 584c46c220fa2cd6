package concierge

import (
	"context"
	"time"
)

// AuditAction names what an audit entry records.
type AuditAction string

// The audited actions.
const (
	AuditLogin                AuditAction = "staff.login"
	AuditLoginFailed          AuditAction = "staff.login_failed"
	AuditStaffUserCreated     AuditAction = "staff_user.created"
	AuditStaffUserUpdated     AuditAction = "staff_user.updated" // role, grants or display name
	AuditStaffPasswordSet     AuditAction = "staff_user.password_set"
	AuditStaffUserDisabled    AuditAction = "staff_user.disabled"
	AuditStaffUserEnabled     AuditAction = "staff_user.enabled"
	AuditAPIKeyCreated        AuditAction = "api_key.created"
	AuditAPIKeyRevoked        AuditAction = "api_key.revoked"
	AuditInterfaceTokenMade   AuditAction = "interface_token.created"
	AuditInterfaceTokenRevoke AuditAction = "interface_token.revoked"
	AuditWebhookCreated       AuditAction = "webhook.created"
	AuditWebhookUpdated       AuditAction = "webhook.updated"
	AuditWebhookDeleted       AuditAction = "webhook.deleted"
	AuditWebhookRedelivered   AuditAction = "webhook.redelivered"
	AuditGuestDataExported    AuditAction = "guest_data.exported"
	AuditGuestDataErased      AuditAction = "guest_data.erased"
	AuditRetentionErased      AuditAction = "retention.erased"
	AuditRetentionChanged     AuditAction = "retention.updated"
	AuditLegalHoldSet         AuditAction = "legal_hold.set"
	AuditLegalHoldCleared     AuditAction = "legal_hold.cleared"
)

// The kinds of actor of an audit entry.
const (
	ActorStaff  = "staff"   // a staff user (ActorID: staff user id)
	ActorAPIKey = "api_key" // an API key (ActorID: API key id)
	ActorSystem = "system"  // the server itself (the retention job) or the local CLI operator
	ActorNone   = "none"    // nobody authenticated (a failed login with an unknown username)
)

// AuditEntry is one record of the audit log: who did what to which object, when and from
// where. It never holds a guest's personal data: guests' objects are named by their integer
// ids only ("stay:12", "guest:7", "conversation:40"), never by names, booking references or
// codes, so that nothing is left to tie an entry to a person once their data is erased.
type AuditEntry struct {
	ID         int64
	At         time.Time
	ActorKind  string // ActorStaff, ActorAPIKey, ActorSystem or ActorNone
	ActorID    *int64
	ActorName  string // staff username or API key name; "" for the system or nobody
	Action     AuditAction
	ObjectKind string // "staff_user", "api_key", "interface_token", "webhook", "stay", "guest", "conversation", "property", ""
	ObjectRef  string // the object's id or code
	PropertyID *int64 // the property concerned, when one is (managers see those entries)
	Client     string // the caller's address ("" for the system)
	Detail     string // a short free text without personal data ("role=manager", "3 conversations")
}

// AuditFilter selects audit entries: newest first, with ID below BeforeID (0: from the
// newest), at most Limit (≤ 0: all). PropertyIDs, when not nil, keeps only the entries of
// those properties.
type AuditFilter struct {
	BeforeID    int64
	Limit       int
	PropertyIDs []int64
}

// AuditStore keeps the audit log. It is part of Store. Writes that change what is audited
// (webhooks, legal holds, erasures, staff users, API keys, interface tokens) take their entry
// and append it in their own transaction, so that the change and its entry are stored together
// or not at all; a write that changes nothing (ErrNotFound, ErrConflict) appends nothing. A
// write that creates an object appends its entry with ObjectRef set to the new object's id
// followed by the ObjectRef given: "" gives "12", ":alice" gives "12:alice". The stores append
// a copy: the caller's entry is not written to.
type AuditStore interface {
	// AppendAudit stores e and sets its ID.
	AppendAudit(ctx context.Context, e *AuditEntry) error
	// ListAudit lists audit entries as f selects them.
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
}

// AtOr returns when e happened, or fallback when e is nil or has no time: the time of the
// events a store appends with an audited change.
func (e *AuditEntry) AtOr(fallback time.Time) time.Time {
	if e == nil || e.At.IsZero() {
		return fallback
	}
	return e.At
}
