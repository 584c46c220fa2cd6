package storetest

import (
	"crypto/sha256"
	"testing"

	"concierge/internal/concierge"
)

// mustProperty creates a property with the given code.
func mustProperty(t *testing.T, s concierge.Store, code string) concierge.Property {
	t.Helper()
	p := concierge.Property{Code: code, Name: "Hotel " + code, BrandCode: "BRAND", GroupCode: "GROUP",
		TimeZone: "Europe/Madrid", DefaultLanguage: "en", CreatedAt: t0}
	noErr(t, "CreateProperty", s.CreateProperty(t.Context(), &p))
	return p
}

// mustServiceCenter creates a service center at the property.
func mustServiceCenter(t *testing.T, s concierge.Store, propertyID int64, code, name string) concierge.ServiceCenter {
	t.Helper()
	sc := concierge.ServiceCenter{PropertyID: propertyID, Code: code, Name: name, StaffLanguage: "en"}
	noErr(t, "CreateServiceCenter", s.CreateServiceCenter(t.Context(), &sc))
	return sc
}

// mustOutlet creates an always-open outlet, taking guest messages, answered by the center.
func mustOutlet(t *testing.T, s concierge.Store, sc concierge.ServiceCenter, code string, sortOrder int) concierge.Outlet {
	t.Helper()
	o := concierge.Outlet{PropertyID: sc.PropertyID, Code: code, Name: "Outlet " + code,
		ServiceCenterID: sc.ID, AllowGuestMessages: true, SortOrder: sortOrder}
	noErr(t, "CreateOutlet", s.CreateOutlet(t.Context(), &o))
	return o
}

// mustStay creates a stay in the room.
func mustStay(t *testing.T, s concierge.Store, propertyID int64, room string, arrival, departure concierge.Date) concierge.Stay {
	t.Helper()
	st := concierge.Stay{PropertyID: propertyID, RoomNumber: room, FirstName: "Ana", LastName: "García",
		Language: "es", Arrival: arrival, Departure: departure, BookingReference: code("BK")}
	noErr(t, "CreateStay", s.CreateStay(t.Context(), &st))
	return st
}

// mustGuest ensures the non-verified guest with the identifier.
func mustGuest(t *testing.T, s concierge.Store, propertyID int64, identifier string) concierge.Guest {
	t.Helper()
	g, err := s.EnsureGuest(t.Context(), propertyID, identifier, t0)
	noErr(t, "EnsureGuest", err)
	return g
}

// hash returns the SHA-256 of secret.
func hash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// place is a property with one service center and one outlet: the least a conversation needs.
type place struct {
	Property      concierge.Property
	ServiceCenter concierge.ServiceCenter
	Outlet        concierge.Outlet
}

// mustPlace creates a property with a service center and an outlet.
func mustPlace(t *testing.T, s concierge.Store, propertyCode string) place {
	t.Helper()
	p := mustProperty(t, s, propertyCode)
	sc := mustServiceCenter(t, s, p.ID, "FO", "Front Office "+propertyCode)
	return place{Property: p, ServiceCenter: sc, Outlet: mustOutlet(t, s, sc, "FRONTDESK", 1)}
}

// conversation returns an open conversation at the outlet for the given stay and guest.
func conversation(o concierge.Outlet, stayID, guestID *int64) concierge.Conversation {
	return concierge.Conversation{Code: code("C"), PropertyID: o.PropertyID, OutletID: o.ID,
		StayID: stayID, GuestID: guestID, Subject: o.Name, Status: concierge.ConversationOpen,
		GuestLanguage: "es", CreatedAt: t0, UpdatedAt: t0}
}

// message returns a message of the type created minute minutes after t0.
func message(typ concierge.MessageType, minute int) concierge.Message {
	return concierge.Message{Code: code("M"), Type: typ, Content: string(typ) + " message",
		Language: "es", CreatedAt: at(minute)}
}
