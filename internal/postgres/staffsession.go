package postgres

import (
	"context"
	"fmt"
	"time"

	"concierge/internal/concierge"
)

// CreateStaffSession stores s and sets s.ID. It returns concierge.ErrConflict when another
// staff session has the same hash, and an error when the staff user does not exist.
func (db *DB) CreateStaffSession(ctx context.Context, s *concierge.StaffSession) error {
	var id int64
	err := db.write(ctx, func(tx *wtx) error {
		var err error
		id, err = insertID(ctx, tx, `INSERT INTO staff_sessions (staff_user_id, hash, created_at,
			expires_at, revoked_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			s.UserID, s.Hash, s.CreatedAt, s.ExpiresAt, s.RevokedAt)
		return err
	})
	if err != nil {
		return storeErr(err, fmt.Sprintf("create staff session of user %d", s.UserID))
	}
	s.ID = id
	return nil
}

// StaffSessionByHash returns the staff session, expired or revoked or not, whose token hashes
// to hash, or concierge.ErrNotFound when there is none.
func (db *DB) StaffSessionByHash(ctx context.Context, hash []byte) (concierge.StaffSession, error) {
	var s concierge.StaffSession
	err := db.pool.QueryRow(ctx, `SELECT id, staff_user_id, hash, created_at, expires_at,
		revoked_at FROM staff_sessions WHERE hash = $1`, hash).
		Scan(&s.ID, &s.UserID, &s.Hash, &s.CreatedAt, &s.ExpiresAt, &s.RevokedAt)
	if err != nil {
		return concierge.StaffSession{}, storeErr(err, "staff session by hash")
	}
	s.CreatedAt, s.ExpiresAt, s.RevokedAt = utc(s.CreatedAt), utc(s.ExpiresAt), utcPtr(s.RevokedAt)
	return s, nil
}

// StaffSessionWithUser returns the staff session, expired or revoked or not, whose token
// hashes to hash, with its staff user (disabled or not) and the user's service center and
// property ids ascending, read in one statement. It returns concierge.ErrNotFound when no
// session has that hash (deleting a staff user deletes their sessions).
func (db *DB) StaffSessionWithUser(ctx context.Context, hash []byte) (concierge.StaffSession, concierge.StaffUser, error) {
	var s concierge.StaffSession
	row := prefixedRow{r: db.pool.QueryRow(ctx, `SELECT s.id, s.staff_user_id, s.hash, s.created_at,
		s.expires_at, s.revoked_at, `+staffUserColumns+`
		FROM staff_sessions s JOIN staff_users u ON u.id = s.staff_user_id WHERE s.hash = $1`, hash),
		pre: []any{&s.ID, &s.UserID, &s.Hash, &s.CreatedAt, &s.ExpiresAt, &s.RevokedAt}}
	u, err := scanStaffUser(row)
	if err != nil {
		return concierge.StaffSession{}, concierge.StaffUser{}, storeErr(err, "staff session with user")
	}
	s.CreatedAt, s.ExpiresAt, s.RevokedAt = utc(s.CreatedAt), utc(s.ExpiresAt), utcPtr(s.RevokedAt)
	return s, u, nil
}

// DeleteEndedSessions deletes up to limit anonymous guest sessions that expired before before
// and up to limit staff sessions that expired or were revoked before before, and returns how
// many of each it deleted.
func (db *DB) DeleteEndedSessions(ctx context.Context, before time.Time, limit int) (guest, staff int, err error) {
	err = db.write(ctx, func(tx *wtx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM sessions WHERE id IN (SELECT id FROM sessions
			WHERE stay_id IS NULL AND guest_id IS NULL AND expires_at < $1 LIMIT $2)`, before, limitArg(limit))
		if err != nil {
			return err
		}
		guest = int(tag.RowsAffected())
		tag, err = tx.Exec(ctx, `DELETE FROM staff_sessions WHERE id IN (SELECT id FROM staff_sessions
			WHERE expires_at < $1 OR revoked_at < $1 LIMIT $2)`, before, limitArg(limit))
		staff = int(tag.RowsAffected())
		return err
	})
	return guest, staff, storeErr(err, "delete ended sessions")
}
