package concierge

import (
	"context"
	"time"
)

// GuestSessions writes guest sessions: which interface tokens may open one, and that ending
// one ends its streams (access.ended), written once over the store's transactions.
type GuestSessions struct {
	store Transactor
}

// NewGuestSessions returns the session writes over store.
func NewGuestSessions(store Transactor) GuestSessions { return GuestSessions{store: store} }

// Create stores a new session and sets its ID; ErrNotFound, storing nothing, when
// s.InterfaceTokenID names a revoked or unknown interface token.
func (w GuestSessions) Create(ctx context.Context, s *Session) error {
	var id int64
	err := w.store.Write(ctx, func(tx Tx) error {
		var err error
		id, err = insertSession(ctx, tx, s)
		return err
	})
	if err != nil {
		return err
	}
	s.ID = id
	return nil
}

// Replace revokes the live session oldID at revokedAt, with access.ended (SessionSubject), and
// stores next (setting its ID), in one transaction; ErrNotFound when oldID does not exist or
// is already revoked, or when next.InterfaceTokenID names a revoked or unknown token.
func (w GuestSessions) Replace(ctx context.Context, oldID int64, revokedAt time.Time, next *Session) error {
	var id int64
	err := w.store.Write(ctx, func(tx Tx) error {
		if err := revokeSession(ctx, tx, oldID, revokedAt); err != nil {
			return err
		}
		var err error
		id, err = insertSession(ctx, tx, next)
		return err
	})
	if err != nil {
		return err
	}
	next.ID = id
	return nil
}

// Revoke marks the live session id revoked at at, with access.ended (SessionSubject);
// ErrNotFound when it does not exist or is already revoked.
func (w GuestSessions) Revoke(ctx context.Context, id int64, at time.Time) error {
	return w.store.Write(ctx, func(tx Tx) error { return revokeSession(ctx, tx, id, at) })
}

// insertSession stores s in tx and returns its id; ErrNotFound when its interface token is
// revoked or unknown (the token is held against a revocation until the commit, so that a
// revocation's ending of the token's sessions sees this one).
func insertSession(ctx context.Context, tx Tx, s *Session) (int64, error) {
	if s.InterfaceTokenID != nil {
		revoked, err := tx.LockInterfaceToken(ctx, *s.InterfaceTokenID)
		if err != nil {
			return 0, err
		}
		if revoked {
			return 0, ErrNotFound
		}
	}
	return tx.InsertSession(ctx, s)
}

// revokeSession revokes the live session id in tx and appends its access.ended.
func revokeSession(ctx context.Context, tx Tx, id int64, at time.Time) error {
	if err := tx.RevokeSession(ctx, id, at); err != nil {
		return err
	}
	return tx.AppendAccessEnded(ctx, SessionSubject(id), at)
}
