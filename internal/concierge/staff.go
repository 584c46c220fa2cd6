package concierge

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

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
	DisabledAt       *time.Time // set: the user cannot log in and their sessions stop working
}

// Valid reports whether r is one of the three staff roles.
func (r Role) Valid() bool {
	return r == RoleAgent || r == RoleManager || r == RoleAdmin
}

// StaffSession is a staff user's login: the bearer token it was issued is known only to the
// client; the store keeps the SHA-256 of it (Hash). It stops working at ExpiresAt or when
// revoked (logout).
type StaffSession struct {
	ID        int64
	UserID    int64
	Hash      []byte
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
}

// APIKey lets a hotel system (PMS, POS) call the admin API. It acts as a principal of its own
// with role RoleManager (scoped to PropertyIDs) or RoleAdmin (every property; PropertyIDs is
// then empty). Only the SHA-256 of the secret is stored.
type APIKey struct {
	ID          int64
	Name        string
	Hash        []byte
	Role        Role
	PropertyIDs []int64
	CreatedAt   time.Time
	RevokedAt   *time.Time
}

// Principal is an authenticated caller of the staff and admin API: a staff user (User and
// Session set) or an API key (APIKey set). It answers what the caller may see:
//
//   - an agent sees only their service centers (and the properties those belong to);
//   - a manager sees everything at their properties;
//   - an admin sees everything.
//
// A role that is not one of these sees nothing.
type Principal struct {
	User    *StaffUser    // the staff user, when a staff session authenticated
	Session *StaffSession // the staff session, when a staff session authenticated
	APIKey  *APIKey       // the API key, when an API key authenticated
	Role    Role

	// PropertyIDs are the properties the principal may see, ascending: a manager's own, an
	// agent's service centers' properties, a manager key's. Empty for an admin, who sees all.
	PropertyIDs []int64
	// ServiceCenters are the staff user's service centers (any role), ascending by id; for an
	// agent, exactly what they may see. Empty for an API key.
	ServiceCenters []ServiceCenter
}

// NewStaffPrincipal returns the principal of staff user u, whose service centers are centers
// (those of u.ServiceCenterIDs; others are ignored). Session is left nil for the caller to set.
func NewStaffPrincipal(u StaffUser, centers []ServiceCenter) *Principal {
	p := &Principal{User: &u, Role: u.Role}
	for _, sc := range centers {
		if slices.Contains(u.ServiceCenterIDs, sc.ID) {
			p.ServiceCenters = append(p.ServiceCenters, sc)
		}
	}
	slices.SortFunc(p.ServiceCenters, func(a, b ServiceCenter) int { return cmp.Compare(a.ID, b.ID) })
	switch u.Role {
	case RoleManager:
		p.PropertyIDs = sortedIDs(u.PropertyIDs)
	case RoleAgent:
		ids := make([]int64, 0, len(p.ServiceCenters))
		for _, sc := range p.ServiceCenters {
			ids = append(ids, sc.PropertyID)
		}
		p.PropertyIDs = sortedIDs(ids)
	}
	return p
}

// NewAPIKeyPrincipal returns the principal of API key k.
func NewAPIKeyPrincipal(k APIKey) *Principal {
	p := &Principal{APIKey: &k, Role: k.Role}
	if k.Role == RoleManager {
		p.PropertyIDs = sortedIDs(k.PropertyIDs)
	}
	return p
}

// sortedIDs returns ids ascending without duplicates, in a new slice.
func sortedIDs(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// IsAdmin reports whether the principal has the admin role.
func (p *Principal) IsAdmin() bool { return p != nil && p.Role == RoleAdmin }

// ServiceCenterIDs returns the ids of the principal's service centers, ascending.
func (p *Principal) ServiceCenterIDs() []int64 {
	ids := make([]int64, len(p.ServiceCenters))
	for i, sc := range p.ServiceCenters {
		ids[i] = sc.ID
	}
	return ids
}

// CanSeeProperty reports whether the principal may see anything of property id: an admin
// any, a manager their properties, an agent the properties of their service centers.
func (p *Principal) CanSeeProperty(id int64) bool {
	if p == nil {
		return false
	}
	switch p.Role {
	case RoleAdmin:
		return true
	case RoleManager, RoleAgent:
		_, found := slices.BinarySearch(p.PropertyIDs, id)
		return found
	}
	return false
}

// CanSeeServiceCenter reports whether the principal may see the work of service center id,
// which belongs to property propertyID: an admin any, a manager any at their properties, an
// agent only their own service centers.
func (p *Principal) CanSeeServiceCenter(id, propertyID int64) bool {
	if p == nil {
		return false
	}
	switch p.Role {
	case RoleAdmin:
		return true
	case RoleManager:
		return p.CanSeeProperty(propertyID)
	case RoleAgent:
		for _, sc := range p.ServiceCenters {
			if sc.ID == id && sc.PropertyID == propertyID {
				return true
			}
		}
	}
	return false
}

// String names the principal for logs, never with a secret: "user 3 (frontdesk)" or "api key 7".
func (p *Principal) String() string {
	switch {
	case p == nil:
		return "nobody"
	case p.User != nil:
		return fmt.Sprintf("user %d (%s)", p.User.ID, p.User.Username)
	case p.APIKey != nil:
		return fmt.Sprintf("api key %d", p.APIKey.ID)
	}
	return "nobody"
}
