package concierge

import (
	"context"
	"strconv"
	"time"
)

// Credentials writes staff users, API keys, interface tokens and staff logins: creating one
// (with its audit entry, which names the new id), and the changes that end or narrow a right
// (revoking an API key, an interface token with the guest sessions it opened, a staff login;
// updating a staff user), each with the access.ended event that makes the streams concerned
// re-check their right and its audit entry, in the change's transaction: written once over the
// store's transactions.
type Credentials struct {
	store Transactor
	now   func() time.Time
}

// NewCredentials returns the credential writes over store; now (nil: time.Now) dates the
// access.ended event of a staff user update without an audit entry.
func NewCredentials(store Transactor, now func() time.Time) Credentials {
	if now == nil {
		now = time.Now
	}
	return Credentials{store: store, now: now}
}

// RevokeAPIKey marks API key id revoked at at, with access.ended (APIKeySubject) and audit
// (nil: none); ErrNotFound, writing nothing, when the key does not exist or is already revoked.
func (w Credentials) RevokeAPIKey(ctx context.Context, id int64, at time.Time, audit *AuditEntry) error {
	return w.store.Write(ctx, func(tx Tx) error {
		if err := tx.RevokeAPIKey(ctx, id, at); err != nil {
			return err
		}
		return endedAndAudited(ctx, tx, APIKeySubject(id), at, audit)
	})
}

// RevokeInterfaceToken marks interface token id revoked at at and revokes the live guest
// sessions opened with it, with access.ended (InterfaceTokenSubject) and audit (nil: none);
// ErrNotFound, writing nothing, when the token does not exist or is already revoked. The token
// is revoked first, so that a session being opened with it (GuestSessions.Create, which locks
// the token) has committed before and is revoked here, or waits and is refused.
func (w Credentials) RevokeInterfaceToken(ctx context.Context, id int64, at time.Time, audit *AuditEntry) error {
	return w.store.Write(ctx, func(tx Tx) error {
		if err := tx.RevokeInterfaceToken(ctx, id, at); err != nil {
			return err
		}
		if err := tx.RevokeSessionsOfToken(ctx, id, at); err != nil {
			return err
		}
		return endedAndAudited(ctx, tx, InterfaceTokenSubject(id), at, audit)
	})
}

// RevokeStaffSession marks staff login id revoked at at, with access.ended
// (StaffSessionSubject); ErrNotFound when it does not exist or is already revoked.
func (w Credentials) RevokeStaffSession(ctx context.Context, id int64, at time.Time) error {
	return w.store.Write(ctx, func(tx Tx) error {
		if err := tx.RevokeStaffSession(ctx, id, at); err != nil {
			return err
		}
		return tx.AppendAccessEnded(ctx, StaffSessionSubject(id), at)
	})
}

// RevokeStaffSessionsOfUser marks every live staff login of the user revoked at at, with
// access.ended (StaffUserSubject), and returns how many it revoked.
func (w Credentials) RevokeStaffSessionsOfUser(ctx context.Context, userID int64, at time.Time) (int, error) {
	var n int
	err := w.store.Write(ctx, func(tx Tx) error {
		var err error
		if n, err = tx.RevokeStaffSessionsOfUser(ctx, userID, at); err != nil {
			return err
		}
		return tx.AppendAccessEnded(ctx, StaffUserSubject(userID), at)
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// UpdateStaffUser stores the display name, password hash, role and disabled time of u,
// replaces their grants, revokes their live logins at endSessionsAt when it is not zero, and
// appends access.ended (StaffUserSubject: the user's streams re-check what they may now see)
// and audit (nil: none), in one transaction; it returns how many logins it revoked.
// ErrNotFound when no staff user has u.ID.
func (w Credentials) UpdateStaffUser(ctx context.Context, u StaffUser, endSessionsAt time.Time, audit *AuditEntry) (int, error) {
	at := audit.AtOr(w.now())
	var ended int
	err := w.store.Write(ctx, func(tx Tx) error {
		n := 0
		if err := tx.UpdateStaffUser(ctx, &u); err != nil {
			return err
		}
		if !endSessionsAt.IsZero() {
			var err error
			if n, err = tx.RevokeStaffSessionsOfUser(ctx, u.ID, endSessionsAt); err != nil {
				return err
			}
		}
		ended = n
		return endedAndAudited(ctx, tx, StaffUserSubject(u.ID), at, audit)
	})
	if err != nil {
		return 0, err
	}
	return ended, nil
}

// CreateStaffUser stores u with their grants (each once) and sets u.ID, with audit (nil:
// none), its ObjectRef prefixed with the new id, in one transaction; ErrConflict, storing
// nothing, when the username is taken.
func (w Credentials) CreateStaffUser(ctx context.Context, u *StaffUser, audit *AuditEntry) error {
	return w.create(ctx, &u.ID, audit, func(tx Tx) (int64, error) { return tx.InsertStaffUser(ctx, u) })
}

// CreateAPIKey stores k with its property grants (each once) and sets k.ID, with audit (nil:
// none), its ObjectRef prefixed with the new id, in one transaction; ErrConflict, storing
// nothing, when another key has the same hash.
func (w Credentials) CreateAPIKey(ctx context.Context, k *APIKey, audit *AuditEntry) error {
	return w.create(ctx, &k.ID, audit, func(tx Tx) (int64, error) { return tx.InsertAPIKey(ctx, k) })
}

// CreateInterfaceToken stores t with its property grants (each once) and sets t.ID, with
// audit (nil: none), its ObjectRef prefixed with the new id, in one transaction; ErrConflict,
// storing nothing, when another token has the same hash.
func (w Credentials) CreateInterfaceToken(ctx context.Context, t *InterfaceToken, audit *AuditEntry) error {
	return w.create(ctx, &t.ID, audit, func(tx Tx) (int64, error) { return tx.InsertInterfaceToken(ctx, t) })
}

// create runs insert and appends audit for the new row in one transaction, then sets *id.
func (w Credentials) create(ctx context.Context, id *int64, audit *AuditEntry, insert func(Tx) (int64, error)) error {
	var created int64
	err := w.store.Write(ctx, func(tx Tx) error {
		var err error
		if created, err = insert(tx); err != nil || audit == nil {
			return err
		}
		entry := *audit
		entry.ObjectRef = strconv.FormatInt(created, 10) + audit.ObjectRef
		return tx.InsertAudit(ctx, &entry)
	})
	if err != nil {
		return err
	}
	*id = created
	return nil
}

// endedAndAudited appends access.ended about subject at at and a copy of audit (nil: none).
func endedAndAudited(ctx context.Context, tx Tx, subject AccessSubject, at time.Time, audit *AuditEntry) error {
	if err := tx.AppendAccessEnded(ctx, subject, at); err != nil {
		return err
	}
	if audit == nil {
		return nil
	}
	entry := *audit
	return tx.InsertAudit(ctx, &entry)
}
