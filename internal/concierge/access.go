package concierge

import "strconv"

// An AccessSubject names whose right to stream an access.ended event ended (or may have
// ended): a guest session, a stay, a non-verified guest, an interface token, a staff login, a
// staff user or an API key. Streams subscribe to the hub with the subjects of their
// credential as topics, so that such an event wakes exactly the streams it may end, and each
// of them then checks its credential in the store (as a request would) and ends when it no
// longer works. The names never collide with the hub's other topics (service_events.go).
type AccessSubject string

// SessionSubject names a guest session (logged out, replaced, its interface token revoked).
func SessionSubject(id int64) AccessSubject { return accessSubject("session", id) }

// StaySubject names a stay (its departure moved, or erased) and so its verified sessions.
func StaySubject(id int64) AccessSubject { return accessSubject("stay", id) }

// GuestSubject names a non-verified guest identity (erased) and so its sessions.
func GuestSubject(id int64) AccessSubject { return accessSubject("guest", id) }

// InterfaceTokenSubject names an interface token (revoked) and so the sessions opened with it.
func InterfaceTokenSubject(id int64) AccessSubject { return accessSubject("token", id) }

// StaffSessionSubject names a staff login (logged out).
func StaffSessionSubject(id int64) AccessSubject { return accessSubject("login", id) }

// StaffUserSubject names a staff user (disabled, role or grants changed, sessions ended) and
// so all their logins.
func StaffUserSubject(id int64) AccessSubject { return accessSubject("user", id) }

// APIKeySubject names an API key (revoked).
func APIKeySubject(id int64) AccessSubject { return accessSubject("key", id) }

func accessSubject(what string, id int64) AccessSubject {
	return AccessSubject("end:" + what + "/" + strconv.FormatInt(id, 10))
}

// guestSubjects returns the subjects whose access.ended may end a stream of gs.
func guestSubjects(gs *GuestSession) []AccessSubject {
	out := []AccessSubject{SessionSubject(gs.Session.ID)}
	if id := gs.Session.StayID; id != nil {
		out = append(out, StaySubject(*id))
	}
	if id := gs.Session.GuestID; id != nil {
		out = append(out, GuestSubject(*id))
	}
	if id := gs.Session.InterfaceTokenID; id != nil {
		out = append(out, InterfaceTokenSubject(*id))
	}
	return out
}

// staffSubjects returns the subjects whose access.ended may end a stream of p.
func staffSubjects(p *Principal) []AccessSubject {
	var out []AccessSubject
	if p.Session != nil {
		out = append(out, StaffSessionSubject(p.Session.ID))
	}
	if p.User != nil {
		out = append(out, StaffUserSubject(p.User.ID))
	}
	if p.APIKey != nil {
		out = append(out, APIKeySubject(p.APIKey.ID))
	}
	return out
}

// concerns reports whether ev is an access.ended event about one of subjects.
func concerns(ev Event, subjects []AccessSubject) bool {
	if ev.Kind != EventAccessEnded {
		return false
	}
	for _, s := range subjects {
		if string(s) == ev.Subject {
			return true
		}
	}
	return false
}
