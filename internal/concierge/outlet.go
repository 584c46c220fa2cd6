package concierge

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Outlet is a point of service at a property (front desk, room service, spa).
type Outlet struct {
	ID                     int64
	PropertyID             int64
	Code                   string
	Name                   string
	Description            string
	ServiceCenterID        int64
	AllowGuestMessages     bool
	AllowNonVerifiedGuests bool
	SortOrder              int
	Hours                  []OpeningHours // empty: always open
}

// OpeningHours is one opening interval on one weekday, in the property's time zone, in minutes
// after midnight. Close may be ≤ Open for an interval that runs past midnight into the next day;
// Close 1440 means midnight at the end of the day.
type OpeningHours struct {
	Day   time.Weekday
	Open  int // minutes after midnight, 0..1439
	Close int // minutes after midnight, 1..1440
}

// Validate reports whether the interval is well-formed.
func (h OpeningHours) Validate() error {
	if h.Day < time.Sunday || h.Day > time.Saturday {
		return fmt.Errorf("day %d out of range", h.Day)
	}
	if h.Open < 0 || h.Open >= 24*60 {
		return fmt.Errorf("open %d out of range", h.Open)
	}
	if h.Close <= 0 || h.Close > 24*60 {
		return fmt.Errorf("close %d out of range", h.Close)
	}
	return nil
}

// FormatClock renders minutes after midnight as "HH:MM".
func FormatClock(minutes int) string {
	return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60)
}

// ParseClock parses "HH:MM" (00:00 to 24:00, two digits each) into minutes after midnight.
func ParseClock(s string) (int, error) {
	if len(s) != 5 || s[2] != ':' || !isDigits(s[:2]) || !isDigits(s[3:]) {
		return 0, fmt.Errorf("time %q is not HH:MM", s)
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	if m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("time %q out of range", s)
	}
	return h*60 + m, nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ParseWeekday parses an English day name ("Monday", "mon"), case-insensitively.
func ParseWeekday(s string) (time.Weekday, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for d := time.Sunday; d <= time.Saturday; d++ {
		name := strings.ToLower(d.String())
		if s == name || (len(s) == 3 && strings.HasPrefix(name, s)) {
			return d, nil
		}
	}
	return 0, fmt.Errorf("unknown day %q", s)
}

// IsOpen reports whether the outlet is open at instant t in location loc.
// An outlet without opening hours is always open.
func (o Outlet) IsOpen(t time.Time, loc *time.Location) bool {
	if len(o.Hours) == 0 {
		return true
	}
	local := t.In(loc)
	minute := local.Hour()*60 + local.Minute()
	today := local.Weekday()
	yesterday := (today + 6) % 7
	for _, h := range o.Hours {
		switch {
		case h.Close > h.Open: // same-day interval
			if h.Day == today && minute >= h.Open && minute < h.Close {
				return true
			}
		default: // runs past midnight
			if h.Day == today && minute >= h.Open {
				return true
			}
			if h.Day == yesterday && minute < h.Close {
				return true
			}
		}
	}
	return false
}

// SortOutlets orders outlets by sort order, then code: the order guests see them in.
func SortOutlets(outlets []Outlet) {
	sort.SliceStable(outlets, func(i, j int) bool {
		if outlets[i].SortOrder != outlets[j].SortOrder {
			return outlets[i].SortOrder < outlets[j].SortOrder
		}
		return outlets[i].Code < outlets[j].Code
	})
}

// FirstAvailableOutlet applies the rule of SPEC §4.2: among the outlets that allow guest
// messages (and, when nonVerifiedOnly, non-verified guests), the first in sort order that is open
// at t; when all are closed, the first of them. ok is false when none qualifies.
func FirstAvailableOutlet(outlets []Outlet, nonVerifiedOnly bool, t time.Time, loc *time.Location) (Outlet, bool) {
	sorted := append([]Outlet(nil), outlets...)
	SortOutlets(sorted)
	var first *Outlet
	for i := range sorted {
		o := &sorted[i]
		if !o.AllowGuestMessages || (nonVerifiedOnly && !o.AllowNonVerifiedGuests) {
			continue
		}
		if o.IsOpen(t, loc) {
			return *o, true
		}
		if first == nil {
			first = o
		}
	}
	if first == nil {
		return Outlet{}, false
	}
	return *first, true
}
