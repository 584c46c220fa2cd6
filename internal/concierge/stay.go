package concierge

import (
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Date is a calendar day without a time zone, as "YYYY-MM-DD".
type Date string

// DateOf returns the calendar day of t in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	return Date(t.In(loc).Format(time.DateOnly))
}

// ParseDate parses "YYYY-MM-DD".
func ParseDate(s string) (Date, error) {
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return "", err
	}
	return Date(s), nil
}

// AddDays returns the day n days after d (n may be negative).
func (d Date) AddDays(n int) Date {
	t, err := time.Parse(time.DateOnly, string(d))
	if err != nil {
		return d
	}
	return Date(t.AddDate(0, 0, n).Format(time.DateOnly))
}

// EndOf returns the first instant after day d in loc (midnight at its end).
func (d Date) EndOf(loc *time.Location) time.Time {
	t, err := time.ParseInLocation(time.DateOnly, string(d), loc)
	if err != nil {
		return time.Time{}
	}
	return t.AddDate(0, 0, 1)
}

// Stay is a guest's stay at a property, imported from the PMS: the unit of guest identity.
type Stay struct {
	ID               int64
	PropertyID       int64
	RoomNumber       string
	FirstName        string
	LastName         string
	Language         string
	Arrival          Date
	Departure        Date
	BookingReference string
}

// CurrentOn reports whether the stay is current on day: arrival ≤ day ≤ departure.
func (s Stay) CurrentOn(day Date) bool {
	return s.Arrival <= day && day <= s.Departure
}

// foldName reduces a name for matching: trimmed, accents removed, case folded.
func foldName(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, strings.TrimSpace(s))
	if err != nil {
		out = strings.TrimSpace(s)
	}
	return strings.ToLower(strings.Join(strings.Fields(out), " "))
}

// NamesMatch reports whether a last name typed by a guest matches the stay's: case-insensitive,
// ignoring accents and surrounding (and repeated inner) spaces, so "muller" matches "Müller".
func NamesMatch(typed, onRecord string) bool {
	a := foldName(typed)
	return a != "" && a == foldName(onRecord)
}
