package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"concierge/internal/concierge"
)

// CreateStaffSession stores s and sets s.ID. It returns concierge.ErrConflict when another
// staff session has the same hash, and an error when the staff user does not exist.
func (db *DB) CreateStaffSession(ctx context.Context, s *concierge.StaffSession) error {
	var id int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = insert(ctx, tx, `INSERT INTO staff_sessions (staff_user_id, hash, created_at,
			expires_at, revoked_at) VALUES (?, ?, ?, ?, ?)`,
			s.UserID, s.Hash, timeArg(s.CreatedAt), timeArg(s.ExpiresAt), nullTimeArg(s.RevokedAt))
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
	var created, expires int64
	var revoked sql.NullInt64
	err := db.readStmts.queryRow(ctx, nil, `SELECT id, staff_user_id, hash, created_at, expires_at,
		revoked_at FROM staff_sessions WHERE hash = ?`, hash).
		Scan(&s.ID, &s.UserID, &s.Hash, &created, &expires, &revoked)
	if err != nil {
		return concierge.StaffSession{}, storeErr(err, "staff session by hash")
	}
	s.CreatedAt, s.ExpiresAt, s.RevokedAt = timeOf(created), timeOf(expires), nullTimeOf(revoked)
	return s, nil
}

// StaffSessionWithUser returns the staff session, expired or revoked or not, whose token
// hashes to hash, with its staff user (disabled or not) and the user's service center and
// property ids ascending, read with one prepared statement. It returns concierge.ErrNotFound
// when no session has that hash (deleting a staff user deletes their sessions).
func (db *DB) StaffSessionWithUser(ctx context.Context, hash []byte) (concierge.StaffSession, concierge.StaffUser, error) {
	var s concierge.StaffSession
	var created, expires int64
	var revoked sql.NullInt64
	row := prefixedRow{r: db.readStmts.queryRow(ctx, nil, `SELECT s.id, s.staff_user_id, s.hash,
		s.created_at, s.expires_at, s.revoked_at, `+staffUserGrantColumns+`
		FROM staff_sessions AS s JOIN staff_users ON staff_users.id = s.staff_user_id
		WHERE s.hash = ?`, hash),
		pre: []any{&s.ID, &s.UserID, &s.Hash, &created, &expires, &revoked}}
	u, err := scanStaffUserGrants(row)
	if err != nil {
		return concierge.StaffSession{}, concierge.StaffUser{}, storeErr(err, "staff session with user")
	}
	s.CreatedAt, s.ExpiresAt, s.RevokedAt = timeOf(created), timeOf(expires), nullTimeOf(revoked)
	return s, u, nil
}

// DeleteEndedSessions deletes up to limit anonymous guest sessions that expired before before
// and up to limit staff sessions that expired or were revoked before before, and returns how
// many of each it deleted.
func (db *DB) DeleteEndedSessions(ctx context.Context, before time.Time, limit int) (guest, staff int, err error) {
	b := timeArg(before)
	err = db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id IN (SELECT id FROM sessions
			WHERE stay_id IS NULL AND guest_id IS NULL AND expires_at < ? LIMIT ?)`, b, limitArg(limit))
		if err != nil {
			return err
		}
		g, err := res.RowsAffected()
		if err != nil {
			return err
		}
		res, err = tx.ExecContext(ctx, `DELETE FROM staff_sessions WHERE id IN (SELECT id FROM staff_sessions
			WHERE expires_at < ? OR revoked_at < ? LIMIT ?)`, b, b, limitArg(limit))
		if err != nil {
			return err
		}
		s, err := res.RowsAffected()
		guest, staff = int(g), int(s)
		return err
	})
	return guest, staff, storeErr(err, "delete ended sessions")
}
