package concierge

import (
	"context"
)

// StaffStore persists staff users and their credentials: staff sessions and API keys. It is
// part of Store.
type StaffStore interface {
	// StaffUserByUsername finds a staff user by username, case-insensitively, with their
	// service center and property ids ascending; ErrNotFound when none.
	StaffUserByUsername(ctx context.Context, username string) (StaffUser, error)
	// StaffUserByID finds a staff user, with their service center and property ids ascending;
	// ErrNotFound when none.
	StaffUserByID(ctx context.Context, id int64) (StaffUser, error)
	// ServiceCentersByIDs returns the service centers with these ids, ascending by id; ids
	// that name no service center are skipped (no error).
	ServiceCentersByIDs(ctx context.Context, ids []int64) ([]ServiceCenter, error)

	// CreateStaffSession stores a staff session and sets its ID; ErrConflict when another
	// session has the same hash.
	CreateStaffSession(ctx context.Context, s *StaffSession) error
	// StaffSessionByHash finds a staff session, expired or revoked or not, by the SHA-256 of
	// its token; ErrNotFound when none.
	StaffSessionByHash(ctx context.Context, hash []byte) (StaffSession, error)
	// StaffSessionWithUser finds a staff session, expired or revoked or not, by the SHA-256 of
	// its token, with its staff user, disabled or not, as StaffUserByID returns them, in one
	// statement; ErrNotFound when none (deleting a staff user deletes their sessions).
	StaffSessionWithUser(ctx context.Context, hash []byte) (StaffSession, StaffUser, error)

	// APIKeyByHash finds an API key, revoked or not, by the SHA-256 of its secret, with its
	// property ids ascending; ErrNotFound when none.
	APIKeyByHash(ctx context.Context, hash []byte) (APIKey, error)
	// APIKeyByID finds an API key, revoked or not, with its property ids ascending;
	// ErrNotFound when none.
	APIKeyByID(ctx context.Context, id int64) (APIKey, error)
	// ListAPIKeys lists API keys, revoked or not, whose id is greater than afterID, ascending
	// by id, at most limit of them (limit ≤ 0: all), each with its property ids ascending.
	ListAPIKeys(ctx context.Context, afterID int64, limit int) ([]APIKey, error)
}
