package concierge

import "context"

// StaffStore persists staff users and their credentials. It is part of Store.
type StaffStore interface {
	// CreateStaffUser stores a staff user with their service centers and properties;
	// ErrConflict when the username is taken (case-insensitively).
	CreateStaffUser(ctx context.Context, u *StaffUser) error
}
