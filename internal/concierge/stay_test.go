package concierge

import (
	"testing"
	"time"
)

func TestNamesMatch(t *testing.T) {
	t.Parallel()
	match := []struct{ typed, onRecord string }{
		{"Garcia", "Garcia"},
		{"garcia", "Garcia"},
		{"GARCIA", "Garcia"},
		{"Garcia", "García"},
		{"garcía", "Garcia"},
		{"Müller", "Müller"},
		{"Muller", "Müller"},
		{"muller", "Müller"},
		{"MULLER", "Müller"},
		{"müller", "Müller"},
		{"MÜLLER", "Müller"},
		{"Mu\u0308ller", "Müller"}, // decomposed ü typed, composed on record
		{"Müller", "Mu\u0308ller"},
		{"  Müller  ", "Müller"},
		{"\tmuller\n", "Müller"},
		{"Muller", "  Müller "},
		{"Muller\u00a0", "Müller"}, // no-break space is a space
		{"de la Cruz", "De La Cruz"},
		{"de  la   cruz", "De la Cruz"}, // repeated inner spaces
		{"De La Cruz", "de  la cruz"},
		{"dubois", "Dubois"},
		{"Ĉeĥoslovakio", "Cehoslovakio"},
		{"Sørensen", "Sørensen"},
		{"O'Brien", "o'brien"},
		{"Smith-Jones", "SMITH-JONES"},
	}
	for _, c := range match {
		if !NamesMatch(c.typed, c.onRecord) {
			t.Errorf("NamesMatch(%q, %q) = false, want true", c.typed, c.onRecord)
		}
	}
	noMatch := []struct{ typed, onRecord string }{
		{"", "Garcia"},
		{"", ""},
		{"   ", ""},
		{"   ", "   "},
		{"\t\n", "Garcia"},
		{"Garcia", ""},
		{"Garci", "Garcia"},
		{"Garcias", "Garcia"},
		{"Mueller", "Müller"}, // a transliteration is a different name
		{"Smith", "Garcia"},
		{"Dubois", "Dubuis"},
		{"DeLaCruz", "De la Cruz"}, // inner spaces are significant, only their number is not
		{"Smith Jones", "Smith-Jones"},
		{"Garcia Lopez", "Garcia"},
	}
	for _, c := range noMatch {
		if NamesMatch(c.typed, c.onRecord) {
			t.Errorf("NamesMatch(%q, %q) = true, want false", c.typed, c.onRecord)
		}
	}
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"2026-11-25", "2024-02-29", "2026-12-31", "2026-01-01"} {
		if d, err := ParseDate(s); err != nil || string(d) != s {
			t.Errorf("ParseDate(%q) = %q, %v", s, d, err)
		}
	}
	for _, s := range []string{"", "2026-11-31", "2025-02-29", "2026-13-01", "2026-1-5", "25/11/2026", "2026-11-25T00:00:00Z", " 2026-11-25"} {
		if d, err := ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) = %q, want an error", s, d)
		}
	}
}

func TestDateOf(t *testing.T) {
	t.Parallel()
	loc := madrid(t)
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		utc  string
		loc  *time.Location
		want Date
	}{
		// 23:30 UTC is already the next day in Madrid (UTC+1 in winter, UTC+2 in summer).
		{"2026-11-25T23:30:00Z", loc, "2026-11-26"},
		{"2026-11-25T22:59:59Z", loc, "2026-11-25"},
		{"2026-11-25T23:00:00Z", loc, "2026-11-26"},
		{"2026-07-15T21:59:59Z", loc, "2026-07-15"},
		{"2026-07-15T22:00:00Z", loc, "2026-07-16"},
		// New Year in Madrid, still the old year in UTC and New York.
		{"2026-12-31T23:30:00Z", loc, "2027-01-01"},
		{"2026-12-31T23:30:00Z", time.UTC, "2026-12-31"},
		{"2027-01-01T03:00:00Z", ny, "2026-12-31"},
		{"2026-11-25T15:30:00Z", tokyo, "2026-11-26"},
	}
	for _, c := range cases {
		at, err := time.Parse(time.RFC3339, c.utc)
		if err != nil {
			t.Fatal(err)
		}
		if got := DateOf(at, c.loc); got != c.want {
			t.Errorf("DateOf(%s, %s) = %s, want %s", c.utc, c.loc, got, c.want)
		}
	}
}

func TestAddDays(t *testing.T) {
	t.Parallel()
	cases := []struct {
		d    Date
		n    int
		want Date
	}{
		{"2026-11-25", 0, "2026-11-25"},
		{"2026-11-25", 1, "2026-11-26"},
		{"2026-11-25", -1, "2026-11-24"},
		{"2026-11-30", 1, "2026-12-01"},
		{"2026-12-31", 1, "2027-01-01"},
		{"2027-01-01", -1, "2026-12-31"},
		{"2026-01-31", 1, "2026-02-01"},
		{"2026-02-28", 1, "2026-03-01"},
		{"2024-02-28", 1, "2024-02-29"}, // leap year
		{"2024-03-01", -1, "2024-02-29"},
		{"2026-03-01", -1, "2026-02-28"},
		{"2026-03-28", 1, "2026-03-29"}, // DST change days do not matter for calendar days
		{"2026-03-29", 1, "2026-03-30"},
		{"2026-10-25", 1, "2026-10-26"},
		{"2026-11-25", 37, "2027-01-01"},
		{"2026-11-25", -365, "2025-11-25"},
	}
	for _, c := range cases {
		if got := c.d.AddDays(c.n); got != c.want {
			t.Errorf("%s.AddDays(%d) = %s, want %s", c.d, c.n, got, c.want)
		}
	}
	if got := Date("not a date").AddDays(1); got != "not a date" {
		t.Errorf("AddDays on an invalid date = %q, want it unchanged", got)
	}
}

func TestEndOf(t *testing.T) {
	t.Parallel()
	loc := madrid(t)
	cases := []struct {
		d     Date
		want  time.Time
		hours float64 // length of the day in loc
	}{
		{"2026-11-25", time.Date(2026, 11, 26, 0, 0, 0, 0, loc), 24},
		{"2026-12-31", time.Date(2027, 1, 1, 0, 0, 0, 0, loc), 24},
		{"2026-03-29", time.Date(2026, 3, 30, 0, 0, 0, 0, loc), 23},  // spring forward
		{"2026-10-25", time.Date(2026, 10, 26, 0, 0, 0, 0, loc), 25}, // fall back
	}
	for _, c := range cases {
		got := c.d.EndOf(loc)
		if !got.Equal(c.want) {
			t.Errorf("%s.EndOf = %v, want %v", c.d, got, c.want)
		}
		start := c.d.AddDays(-1).EndOf(loc)
		if h := got.Sub(start).Hours(); h != c.hours {
			t.Errorf("%s lasts %v hours in Madrid, want %v", c.d, h, c.hours)
		}
		// The last instant of the day is still that day; EndOf is the next one.
		if DateOf(got.Add(-time.Nanosecond), loc) != c.d || DateOf(got, loc) != c.d.AddDays(1) {
			t.Errorf("%s.EndOf = %v is not the boundary of the day", c.d, got)
		}
	}
	if got := Date("2026-11-25").EndOf(time.UTC); !got.Equal(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("EndOf in UTC = %v", got)
	}
	if got := Date("garbage").EndOf(loc); !got.IsZero() {
		t.Errorf("EndOf of an invalid date = %v, want the zero time", got)
	}
}

func TestStayCurrentOn(t *testing.T) {
	t.Parallel()
	s := Stay{Arrival: "2026-11-24", Departure: "2026-11-28"}
	cases := map[Date]bool{
		"2026-11-23": false,
		"2026-11-24": true, // arrival day
		"2026-11-25": true,
		"2026-11-28": true, // departure day
		"2026-11-29": false,
		"2025-11-25": false,
		"2027-11-25": false,
	}
	for day, want := range cases {
		if got := s.CurrentOn(day); got != want {
			t.Errorf("CurrentOn(%s) = %v, want %v", day, got, want)
		}
	}
	// A one-night stay across a month and year boundary.
	s = Stay{Arrival: "2026-12-31", Departure: "2027-01-01"}
	for day, want := range map[Date]bool{"2026-12-30": false, "2026-12-31": true, "2027-01-01": true, "2027-01-02": false} {
		if got := s.CurrentOn(day); got != want {
			t.Errorf("new year stay: CurrentOn(%s) = %v, want %v", day, got, want)
		}
	}
	// A day-use stay.
	s = Stay{Arrival: "2026-11-25", Departure: "2026-11-25"}
	if !s.CurrentOn("2026-11-25") || s.CurrentOn("2026-11-24") || s.CurrentOn("2026-11-26") {
		t.Error("day-use stay: wrong CurrentOn")
	}
	// The demo stays: current from yesterday to three days from today, property time.
	loc := madrid(t)
	now := time.Date(2026, 11, 25, 0, 30, 0, 0, loc)
	today := DateOf(now, loc)
	demo := Stay{Arrival: today.AddDays(-1), Departure: today.AddDays(3)}
	if !demo.CurrentOn(today) || !demo.CurrentOn(today.AddDays(3)) || demo.CurrentOn(today.AddDays(4)) {
		t.Error("demo stay: wrong CurrentOn")
	}
	// At 00:30 Madrid time it is still the previous day in UTC: current-ness is a property-time
	// question, and the day after departure is not current.
	ended := Stay{Arrival: "2026-11-20", Departure: "2026-11-24"}
	if ended.CurrentOn(DateOf(now, loc)) {
		t.Error("stay that departed yesterday (property time) is current")
	}
	if !ended.CurrentOn(DateOf(now, time.UTC)) {
		t.Error("sanity: in UTC it is still the departure day")
	}
}
