package concierge

import "time"

// Role is what a staff user may do.
type Role string

// The staff roles: agents see their service centers, managers their properties, admins all.
const (
	RoleAgent   Role = "agent"
	RoleManager Role = "manager"
	RoleAdmin   Role = "admin"
)

// StaffUser is a member of staff who answers conversations or administers the server.
type StaffUser struct {
	ID               int64
	Username         string
	DisplayName      string
	PasswordHash     string // PHC-formatted argon2id hash
	Role             Role
	ServiceCenterIDs []int64
	PropertyIDs      []int64
	CreatedAt        time.Time
}
