package storecache

import (
	"sync"
	"time"

	"concierge/internal/concierge"
)

// Zones is a concierge.TimeZones that loads each time zone from the zone database once (a
// load reads and parses a file) and keeps it. The zero Zones is ready for use; it is safe for
// concurrent use.
type Zones struct {
	m sync.Map // name → *time.Location
}

// Location returns the time zone named name, UTC when there is none (see
// concierge.LoadLocation).
func (z *Zones) Location(name string) *time.Location {
	if loc, ok := z.m.Load(name); ok {
		return loc.(*time.Location)
	}
	loc := concierge.LoadLocation(name)
	z.m.Store(name, loc)
	return loc
}
