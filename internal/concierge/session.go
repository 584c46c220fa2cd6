package concierge

import "time"

// Guest is a non-verified guest identity: an identifier chosen by the integrator's app, unique per
// property. The same identifier at the same property is the same guest.
type Guest struct {
	ID         int64
	PropertyID int64
	Identifier string
	CreatedAt  time.Time
}

// Session is one guest app's session. It is verified when StayID is set; non-verified when only
// GuestID is set; anonymous when neither is.
type Session struct {
	ID               int64
	PropertyID       int64
	StayID           *int64
	GuestID          *int64
	Language         string
	LanguageExplicit bool // the client chose the language (LoginByRoom keeps it)
	Version          string
	IssuedAt         time.Time
	ExpiresAt        time.Time // idle expiry for sessions without a stay; unused when verified
	LastSeenAt       time.Time
	RevokedAt        *time.Time
	// InterfaceTokenID is the interface token the session was initialised with (kept by
	// LoginByRoom's replacement); revoking the token revokes the session. Nil for sessions
	// stored before sessions recorded it.
	InterfaceTokenID *int64
}

// Verified reports whether the session is matched to a stay.
func (s Session) Verified() bool { return s.StayID != nil }

// GuestSession is an authenticated session with everything the rules need about its guest.
type GuestSession struct {
	Session  Session
	Token    string // the token the client presented (or was just issued)
	Property Property
	Stay     *Stay  // set for verified sessions
	Guest    *Guest // set for non-verified identities
}

// Owner returns who owns the conversations the session may see.
func (g GuestSession) Owner() Owner {
	return Owner{PropertyID: g.Property.ID, StayID: g.Session.StayID, GuestID: g.Session.GuestID}
}

// Owner names the guest whose conversations a caller may reach: a stay, a non-verified
// identity, or both (a non-verified session later verified by LoginByRoom), at one property.
type Owner struct {
	PropertyID int64
	StayID     *int64
	GuestID    *int64
}

// Empty reports whether the owner names nobody (an anonymous session).
func (o Owner) Empty() bool { return o.StayID == nil && o.GuestID == nil }

// Owns reports whether the session's guest owns conversation c: same property, and c belongs
// to the session's stay or to its non-verified identity.
func (g GuestSession) Owns(c Conversation) bool {
	if c.PropertyID != g.Property.ID {
		return false
	}
	s := g.Session
	return (s.StayID != nil && c.StayID != nil && *s.StayID == *c.StayID) ||
		(s.GuestID != nil && c.GuestID != nil && *s.GuestID == *c.GuestID)
}
