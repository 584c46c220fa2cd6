package concierge

import (
	"context"
	"errors"
)

// ReissueSecret answers the secret of the given kind (Secret…) belonging to object ref, for the
// replay of a remembered answer that issued it: remembered answers never keep secrets (SPEC §10).
//
// A guest session's token is derived from the session and the server's key, so the replay of a
// session start answers a working token of the same session: IdentityTokenExpired when that
// session has since ended (logged out, replaced or erased). Staff login tokens, API keys and
// interface tokens are random and stored hashed, so they cannot be given again: their replays
// answer IdempotencyKeyReused (409), saying what was created.
func (s *Service) ReissueSecret(ctx context.Context, kind string, ref int64) (string, error) {
	switch kind {
	case SecretGuestSession:
		sess, err := s.store.SessionByID(ctx, ref)
		if errors.Is(err, ErrNotFound) || (err == nil && sess.RevokedAt != nil) {
			return "", Errorf(CodeIdentityTokenExpired, "The session this request opened has ended; open a new one.")
		}
		if err != nil {
			return "", s.internal(ctx, "session by id", err)
		}
		return s.tokens.Sign(sess.ID, sess.IssuedAt), nil
	case SecretStaffSession:
		return "", Errorf(CodeIdempotencyKeyReused, "This login succeeded, but its token is not kept and cannot be "+
			"answered again: log in again with a new Idempotency-Key.")
	case SecretAPIKey:
		return "", Errorf(CodeIdempotencyKeyReused, "API key %d was created by this request, but its secret is not "+
			"kept and cannot be answered again: if it was lost, revoke the key and create another.", ref)
	case SecretInterfaceToken:
		return "", Errorf(CodeIdempotencyKeyReused, "Interface token %d was created by this request, but its secret "+
			"is not kept and cannot be answered again: if it was lost, revoke the token and create another.", ref)
	}
	return "", s.internal(ctx, "reissue secret", errors.New("unknown secret kind "+kind))
}
