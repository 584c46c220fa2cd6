package concierge

import (
	"context"
	"time"
)

// Credentials writes the changes that end or narrow a credential's right: revoking an API
// key, an interface token (with the guest sessions it opened) or a staff login, and updating a
// staff user. Each appends the access.ended event that makes the streams concerned re-check
// their right, and its audit entry, in the change's transaction: written once over the store's
// transactions.
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
		if err := tx.RevokeCredential(ctx, CredentialAPIKey, id, at); err != nil {
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
		if err := tx.RevokeCredential(ctx, CredentialInterfaceToken, id, at); err != nil {
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
		if err := tx.RevokeCredential(ctx, CredentialStaffSession, id, at); err != nil {
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
