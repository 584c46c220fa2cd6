package concierge

import "time"

// Property is a hotel.
type Property struct {
	ID              int64
	Code            string // e.g. "DEMO"; unique, matched case-insensitively
	Name            string
	BrandCode       string
	GroupCode       string
	TimeZone        string // IANA name, e.g. "Europe/Madrid"
	DefaultLanguage string // BCP 47 base language, e.g. "en"
	HideStaffNames  bool   // when set, guests never see staff names on messages
	CreatedAt       time.Time
}

// Location loads the property's time zone (UTC when the name is unknown) from the zone
// database on every call (LoadLocation); the Service asks its Config.TimeZones instead.
func (p Property) Location() *time.Location { return LoadLocation(p.TimeZone) }

// LoadLocation loads the time zone named name from the zone database, reading it on every
// call; UTC when there is no such zone.
func LoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// TimeZones finds time zones by IANA name, for the Service: it needs a property's zone on
// every guest request (a stay ends at the end of its departure day there).
type TimeZones interface {
	// Location returns the time zone named name, UTC when there is none.
	Location(name string) *time.Location
}

// zoneDatabase is the TimeZones that loads each zone from the zone database when asked for.
type zoneDatabase struct{}

// Location returns LoadLocation(name).
func (zoneDatabase) Location(name string) *time.Location { return LoadLocation(name) }

// ServiceCenter is a team at a property that answers the conversations of its outlets.
type ServiceCenter struct {
	ID            int64
	PropertyID    int64
	Code          string
	Name          string
	StaffLanguage string // the language the team reads and writes
}

// InterfaceToken is an integrator's key: it grants guest-session initialisation at a set of
// properties. Only the SHA-256 hash of the secret is stored.
type InterfaceToken struct {
	ID          int64
	Name        string
	Hash        []byte
	PropertyIDs []int64
	RevokedAt   *time.Time
	CreatedAt   time.Time
}

// Grants reports whether the token is live and granted the property.
func (t InterfaceToken) Grants(propertyID int64) bool {
	if t.RevokedAt != nil {
		return false
	}
	for _, id := range t.PropertyIDs {
		if id == propertyID {
			return true
		}
	}
	return false
}
