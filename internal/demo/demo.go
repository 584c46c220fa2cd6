// Package demo loads the demo data of SPEC §11 into an empty store.
package demo

import (
	"context"
	"fmt"
	"time"

	"concierge/internal/concierge"
	"concierge/internal/password"
)

// Password is the password of every demo staff user. It is printed at start-up with a warning.
const Password = "demo-password"

// InterfaceToken is the demo integrator's interface token.
const InterfaceToken = "demo-interface-token"

// Load creates the demo property, its token, service centers, outlets, stays, orders and staff
// users, with stays relative to now in the property's time zone. It returns false without
// writing anything when the store already holds a property. Store errors are returned as is.
func Load(ctx context.Context, st concierge.Store, now time.Time, hashParams password.Params) (bool, error) {
	n, err := st.CountProperties(ctx)
	if err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	prop := concierge.Property{Code: "DEMO", Name: "Concierge Demo Hotel", BrandCode: "DEMOBRAND",
		GroupCode: "DEMOGROUP", TimeZone: "Europe/Madrid", DefaultLanguage: "en", CreatedAt: now}
	if err := st.CreateProperty(ctx, &prop); err != nil {
		return false, fmt.Errorf("demo property: %w", err)
	}
	tok := concierge.InterfaceToken{Name: "Demo integrator", Hash: concierge.HashSecret(InterfaceToken),
		PropertyIDs: []int64{prop.ID}, CreatedAt: now}
	if err := concierge.NewCredentials(st, nil).CreateInterfaceToken(ctx, &tok, nil); err != nil {
		return false, fmt.Errorf("demo interface token: %w", err)
	}

	centers := map[string]*concierge.ServiceCenter{}
	for _, sc := range []concierge.ServiceCenter{
		{Code: "FO", Name: "Front Office", StaffLanguage: "en"},
		{Code: "RS", Name: "Room Service", StaffLanguage: "en"},
		{Code: "SPA", Name: "Spa", StaffLanguage: "en"},
	} {
		sc.PropertyID = prop.ID
		if err := st.CreateServiceCenter(ctx, &sc); err != nil {
			return false, fmt.Errorf("demo service center %s: %w", sc.Code, err)
		}
		centers[sc.Code] = &sc
	}

	outlets := map[string]*concierge.Outlet{}
	for i, o := range []concierge.Outlet{
		{Code: "FRONTDESK", Name: "Front Desk", Description: "Reception, keys, checkout and anything else.",
			ServiceCenterID: centers["FO"].ID, AllowGuestMessages: true, AllowNonVerifiedGuests: true},
		{Code: "ROOMSERVICE", Name: "In-Room Dining", Description: "Food and drinks to your room.",
			ServiceCenterID: centers["RS"].ID, AllowGuestMessages: true, Hours: everyDay(6*60, 23*60)},
		{Code: "SPA", Name: "Spa & Wellness", Description: "Treatments, massages and the pool.",
			ServiceCenterID: centers["SPA"].ID, AllowGuestMessages: true, Hours: everyDay(9*60, 21*60)},
		{Code: "GIFTSHOP", Name: "Gift Shop", Description: "Souvenirs and essentials.",
			ServiceCenterID: centers["FO"].ID},
	} {
		o.PropertyID = prop.ID
		o.SortOrder = (i + 1) * 10
		if err := st.CreateOutlet(ctx, &o); err != nil {
			return false, fmt.Errorf("demo outlet %s: %w", o.Code, err)
		}
		outlets[o.Code] = &o
	}

	today := concierge.DateOf(now, prop.Location())
	stays := map[string]*concierge.Stay{}
	for _, s := range []concierge.Stay{
		{RoomNumber: "101", FirstName: "Ana", LastName: "Garcia", Language: "es", BookingReference: "DEMO-101"},
		{RoomNumber: "102", FirstName: "John", LastName: "Smith", Language: "en", BookingReference: "DEMO-102"},
		{RoomNumber: "103", FirstName: "Lena", LastName: "Müller", Language: "de", BookingReference: "DEMO-103"},
		{RoomNumber: "104", FirstName: "Claire", LastName: "Dubois", Language: "fr", BookingReference: "DEMO-104"},
		{RoomNumber: "105", FirstName: "Old", LastName: "Guest", Language: "en", BookingReference: "DEMO-105",
			Arrival: today.AddDays(-10), Departure: today.AddDays(-7)},
	} {
		s.PropertyID = prop.ID
		if s.Arrival == "" {
			s.Arrival, s.Departure = today.AddDays(-1), today.AddDays(3)
		}
		if err := st.CreateStay(ctx, &s); err != nil {
			return false, fmt.Errorf("demo stay %s: %w", s.RoomNumber, err)
		}
		stays[s.RoomNumber] = &s
	}

	for _, o := range []struct {
		code, room string
		status     concierge.OrderStatus
	}{
		{"ORD-1001", "101", concierge.OrderPending},
		{"ORD-1002", "102", concierge.OrderAcknowledged},
	} {
		order := concierge.Order{PropertyID: prop.ID, Code: o.code, StayID: &stays[o.room].ID,
			OutletID: &outlets["ROOMSERVICE"].ID, Status: o.status, UpdatedAt: now}
		if err := st.CreateOrder(ctx, &order); err != nil {
			return false, fmt.Errorf("demo order %s: %w", o.code, err)
		}
	}

	for _, u := range []struct {
		name, display string
		role          concierge.Role
		center        string
	}{
		{"admin", "Demo Admin", concierge.RoleAdmin, ""},
		{"frontdesk", "Front Desk Agent", concierge.RoleAgent, "FO"},
		{"roomservice", "Room Service Agent", concierge.RoleAgent, "RS"},
	} {
		hash, err := password.Hash(Password, hashParams)
		if err != nil {
			return false, err
		}
		user := concierge.StaffUser{Username: u.name, DisplayName: u.display, PasswordHash: hash,
			Role: u.role, PropertyIDs: []int64{prop.ID}, CreatedAt: now}
		if u.center != "" {
			user.ServiceCenterIDs = []int64{centers[u.center].ID}
		}
		if err := concierge.NewCredentials(st, nil).CreateStaffUser(ctx, &user, nil); err != nil {
			return false, fmt.Errorf("demo staff user %s: %w", u.name, err)
		}
	}
	return true, nil
}

// everyDay returns opening hours from open to close (minutes after midnight) on all seven days.
func everyDay(open, close int) []concierge.OpeningHours {
	hours := make([]concierge.OpeningHours, 0, 7)
	for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		hours = append(hours, concierge.OpeningHours{Day: d, Open: open, Close: close})
	}
	return hours
}
