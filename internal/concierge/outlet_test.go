package concierge

import (
	"strings"
	"testing"
	"time"
)

// madrid is the demo property's time zone; its DST changes in 2026 are on Sunday 29 March
// (02:00 CET → 03:00 CEST) and Sunday 25 October (03:00 CEST → 02:00 CET).
func madrid(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func hm(h, m int) int { return h*60 + m }

func TestIsOpenWithoutHoursIsAlwaysOpen(t *testing.T) {
	t.Parallel()
	loc := madrid(t)
	o := Outlet{Code: "FRONTDESK"}
	for _, at := range []time.Time{
		time.Date(2026, 11, 25, 0, 0, 0, 0, loc),
		time.Date(2026, 11, 25, 3, 17, 0, 0, loc),
		time.Date(2026, 11, 29, 23, 59, 59, 0, loc),
		time.Date(2026, 3, 29, 2, 30, 0, 0, loc), // a wall time that does not exist
	} {
		if !o.IsOpen(at, loc) {
			t.Errorf("outlet without hours closed at %v", at)
		}
	}
	if o := (Outlet{Hours: []OpeningHours{}}); !o.IsOpen(time.Now(), loc) {
		t.Error("outlet with an empty (non-nil) hours list is closed")
	}
}

func TestIsOpenSameDayInterval(t *testing.T) {
	t.Parallel()
	loc := madrid(t)
	// Wednesday 2026-11-25, 09:00–21:00 (the demo spa).
	o := Outlet{Hours: []OpeningHours{{Day: time.Wednesday, Open: hm(9, 0), Close: hm(21, 0)}}}
	cases := []struct {
		day, h, m, s int
		want         bool
	}{
		{25, 8, 59, 59, false},
		{25, 9, 0, 0, true}, // open is inclusive
		{25, 9, 0, 1, true},
		{25, 12, 0, 0, true},
		{25, 20, 59, 59, true},
		{25, 21, 0, 0, false}, // close is exclusive
		{25, 23, 0, 0, false},
		{24, 12, 0, 0, false}, // Tuesday
		{26, 12, 0, 0, false}, // Thursday
		{18, 12, 0, 0, true},  // the Wednesday before
	}
	for _, c := range cases {
		at := time.Date(2026, 11, c.day, c.h, c.m, c.s, 0, loc)
		if got := o.IsOpen(at, loc); got != c.want {
			t.Errorf("IsOpen(%v %v) = %v, want %v", at.Weekday(), at.Format("15:04:05"), got, c.want)
		}
	}
}

func TestIsOpenConvertsTheInstantToTheLocation(t *testing.T) {
	t.Parallel()
	loc := madrid(t)
	o := Outlet{Hours: []OpeningHours{{Day: time.Wednesday, Open: hm(9, 0), Close: hm(21, 0)}}}
	// 08:30 UTC is 09:30 in Madrid (CET, UTC+1) in November: open.
	if !o.IsOpen(time.Date(2026, 11, 25, 8, 30, 0, 0, time.UTC), loc) {
		t.Error("08:30 UTC = 09:30 CET should be open")
	}
	// 20:30 UTC is 21:30 in Madrid: closed.
	if o.IsOpen(time.Date(2026, 11, 25, 20, 30, 0, 0, time.UTC), loc) {
		t.Error("20:30 UTC = 21:30 CET should be closed")
	}
	// Tuesday 23:30 UTC is Wednesday 00:30 in Madrid: the weekday is the local one.
	o2 := Outlet{Hours: []OpeningHours{{Day: time.Wednesday, Open: 0, Close: hm(1, 0)}}}
	if !o2.IsOpen(time.Date(2026, 11, 24, 23, 30, 0, 0, time.UTC), loc) {
		t.Error("Tuesday 23:30 UTC = Wednesday 00:30 CET should be open")
	}
}

func TestIsOpenOvernightInterval(t *testing.T) {
	t.Parallel()
	loc := madrid(t)
	// Friday 22:00 to Saturday 02:00. 2026-11-27 is a Friday.
	o := Outlet{Hours: []OpeningHours{{Day: time.Friday, Open: hm(22, 0), Close: hm(2, 0)}}}
	cases := []struct {
		day, h, m int
		want      bool
	}{
		{26, 22, 30, false}, // Thursday night
		{27, 1, 0, false},   // Friday early morning: the spill is from Thursday, which has no hours
		{27, 21, 59, false},
		{27, 22, 0, true},
		{27, 23, 59, true},
		{28, 0, 0, true}, // Saturday: spill of Friday's interval
		{28, 1, 59, true},
		{28, 2, 0, false},
		{28, 22, 30, false}, // Saturday night: no interval
		{29, 1, 0, false},   // Sunday early morning
	}
	for _, c := range cases {
		at := time.Date(2026, 11, c.day, c.h, c.m, 0, 0, loc)
		if got := o.IsOpen(at, loc); got != c.want {
			t.Errorf("IsOpen(%v %s) = %v, want %v", at.Weekday(), at.Format("15:04"), got, c.want)
		}
	}
}

func TestIsOpenOvernightWrapsTheWeek(t *testing.T) {
	t.Parallel()
	loc := madrid(t)
	// Saturday 22:00 to Sunday 02:00: Sunday (0) follows Saturday (6).
	o := Outlet{Hours: []OpeningHours{{Day: time.Saturday, Open: hm(22, 0), Close: hm(2, 0)}}}
	if !o.IsOpen(time.Date(2026, 11, 28, 23, 0, 0, 0, loc), loc) {
		t.Error("Saturday 23:00 should be open")
	}
	if !o.IsOpen(time.Date(2026, 11, 29, 1, 30, 0, 0, loc), loc) {
		t.Error("Sunday 01:30 should be open (spill of Saturday)")
	}
	if o.IsOpen(time.Date(2026, 11, 29, 2, 0, 0, 0, loc), loc) {
		t.Error("Sunday 02:00 should be closed")
	}
	if o.IsOpen(time.Date(2026, 11, 30, 1, 0, 0, 0, loc), loc) {
		t.Error("Monday 01:00 should be closed")
	}
	// Sunday 22:00 to Monday 02:00.
	o = Outlet{Hours: []OpeningHours{{Day: time.Sunday, Open: hm(22, 0), Close: hm(2, 0)}}}
	if !o.IsOpen(time.Date(2026, 11, 30, 1, 0, 0, 0, loc), loc) {
		t.Error("Monday 01:00 should be open (spill of Sunday)")
	}
	if o.IsOpen(time.Date(2026, 11, 29, 1, 0, 0, 0, loc), loc) {
		t.Error("Sunday 01:00 should be closed (Saturday has no hours)")
	}
}

func TestIsOpenCloseAtMidnight(t *testing.T) {
	t.Parallel()
	loc := madrid(t)
	// Wednesday 18:00–24:00.
	o := Outlet{Hours: []OpeningHours{{Day: time.Wednesday, Open: hm(18, 0), Close: 24 * 60}}}
	if !o.IsOpen(time.Date(2026, 11, 25, 23, 59, 59, 999, loc), loc) {
		t.Error("Wednesday 23:59:59 should be open")
	}
	if o.IsOpen(time.Date(2026, 11, 26, 0, 0, 0, 0, loc), loc) {
		t.Error("Thursday 00:00 should be closed: 24:00 ends the day")
	}
	if o.IsOpen(time.Date(2026, 11, 25, 17, 59, 0, 0, loc), loc) {
		t.Error("Wednesday 17:59 should be closed")
	}
	// All day: 00:00–24:00.
	o = Outlet{Hours: []OpeningHours{{Day: time.Wednesday, Open: 0, Close: 24 * 60}}}
	for _, at := range []time.Time{
		time.Date(2026, 11, 25, 0, 0, 0, 0, loc),
		time.Date(2026, 11, 25, 23, 59, 0, 0, loc),
	} {
		if !o.IsOpen(at, loc) {
			t.Errorf("all-day outlet closed at %v", at)
		}
	}
	if o.IsOpen(time.Date(2026, 11, 26, 0, 0, 0, 0, loc), loc) {
		t.Error("all-day Wednesday outlet open on Thursday")
	}
}

func TestIsOpenSeveralIntervals(t *testing.T) {
	t.Parallel()
	loc := madrid(t)
	// Wednesday 07:00–10:00 and 13:00–15:00 (breakfast and lunch).
	o := Outlet{Hours: []OpeningHours{
		{Day: time.Wednesday, Open: hm(7, 0), Close: hm(10, 0)},
		{Day: time.Wednesday, Open: hm(13, 0), Close: hm(15, 0)},
	}}
	for _, c := range []struct {
		h    int
		want bool
	}{{6, false}, {7, true}, {9, true}, {10, false}, {12, false}, {13, true}, {14, true}, {15, false}} {
		if got := o.IsOpen(time.Date(2026, 11, 25, c.h, 0, 0, 0, loc), loc); got != c.want {
			t.Errorf("IsOpen(%02d:00) = %v, want %v", c.h, got, c.want)
		}
	}
}

func TestIsOpenOnDSTChangeDays(t *testing.T) {
	t.Parallel()
	loc := madrid(t)
	utc := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	t.Run("spring forward", func(t *testing.T) {
		// Sunday 29 March 2026: 01:00 UTC is when 02:00 CET becomes 03:00 CEST.
		day := []OpeningHours{{Day: time.Sunday, Open: hm(9, 0), Close: hm(21, 0)}}
		o := Outlet{Hours: day}
		// Opening is at 09:00 wall time, which is 07:00 UTC under CEST (not 08:00).
		if o.IsOpen(utc("2026-03-29T06:59:00Z"), loc) {
			t.Error("08:59 CEST should be closed")
		}
		if !o.IsOpen(utc("2026-03-29T07:00:00Z"), loc) {
			t.Error("09:00 CEST (07:00 UTC) should be open")
		}
		if !o.IsOpen(utc("2026-03-29T18:59:00Z"), loc) {
			t.Error("20:59 CEST should be open")
		}
		if o.IsOpen(utc("2026-03-29T19:00:00Z"), loc) {
			t.Error("21:00 CEST should be closed")
		}
		// An interval inside the skipped hour never opens; the next hour opens at the jump.
		skipped := Outlet{Hours: []OpeningHours{{Day: time.Sunday, Open: hm(2, 0), Close: hm(3, 0)}}}
		for _, s := range []string{"2026-03-29T00:59:59Z", "2026-03-29T01:00:00Z", "2026-03-29T01:30:00Z"} {
			if skipped.IsOpen(utc(s), loc) {
				t.Errorf("02:00–03:00 open at %s (%v), an hour that does not exist", s, utc(s).In(loc))
			}
		}
		after := Outlet{Hours: []OpeningHours{{Day: time.Sunday, Open: hm(3, 0), Close: hm(4, 0)}}}
		if after.IsOpen(utc("2026-03-29T00:59:59Z"), loc) {
			t.Error("03:00–04:00 open at 01:59:59 CET")
		}
		if !after.IsOpen(utc("2026-03-29T01:00:00Z"), loc) {
			t.Error("03:00–04:00 closed at 03:00 CEST, the instant after 01:59:59 CET")
		}
		// Saturday 22:00 → Sunday 02:00 spills into the short night: it ends at the jump.
		night := Outlet{Hours: []OpeningHours{{Day: time.Saturday, Open: hm(22, 0), Close: hm(2, 0)}}}
		if !night.IsOpen(utc("2026-03-29T00:59:00Z"), loc) {
			t.Error("overnight interval closed at 01:59 CET")
		}
		if night.IsOpen(utc("2026-03-29T01:00:00Z"), loc) {
			t.Error("overnight interval open at 03:00 CEST")
		}
	})
	t.Run("fall back", func(t *testing.T) {
		// Sunday 25 October 2026: 01:00 UTC is when 03:00 CEST becomes 02:00 CET, so the wall
		// times 02:00–02:59 happen twice.
		o := Outlet{Hours: []OpeningHours{{Day: time.Sunday, Open: hm(2, 0), Close: hm(3, 0)}}}
		for _, s := range []string{"2026-10-25T00:00:00Z", "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z", "2026-10-25T01:59:00Z"} {
			if !o.IsOpen(utc(s), loc) {
				t.Errorf("02:00–03:00 closed at %s (%v)", s, utc(s).In(loc))
			}
		}
		if o.IsOpen(utc("2026-10-25T02:00:00Z"), loc) {
			t.Error("02:00–03:00 open at 03:00 CET")
		}
		if o.IsOpen(utc("2026-10-24T23:59:00Z"), loc) {
			t.Error("02:00–03:00 open at 01:59 CEST")
		}
		// 09:00–21:00 on the long day follows wall time: 08:00 UTC to 20:00 UTC.
		day := Outlet{Hours: []OpeningHours{{Day: time.Sunday, Open: hm(9, 0), Close: hm(21, 0)}}}
		if day.IsOpen(utc("2026-10-25T07:59:00Z"), loc) {
			t.Error("08:59 CET should be closed")
		}
		if !day.IsOpen(utc("2026-10-25T08:00:00Z"), loc) {
			t.Error("09:00 CET should be open")
		}
		if day.IsOpen(utc("2026-10-25T20:00:00Z"), loc) {
			t.Error("21:00 CET should be closed")
		}
		// Saturday 22:00 → Sunday 02:00 closes at the first 02:00 and stays closed during the
		// repeated hour (its wall times are ≥ 02:00).
		night := Outlet{Hours: []OpeningHours{{Day: time.Saturday, Open: hm(22, 0), Close: hm(2, 0)}}}
		if !night.IsOpen(utc("2026-10-24T23:59:00Z"), loc) {
			t.Error("overnight interval closed at 01:59 CEST")
		}
		for _, s := range []string{"2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z"} {
			if night.IsOpen(utc(s), loc) {
				t.Errorf("overnight interval open at %s (%v)", s, utc(s).In(loc))
			}
		}
	})
}

func TestFirstAvailableOutlet(t *testing.T) {
	t.Parallel()
	loc := madrid(t)
	noon := time.Date(2026, 11, 25, 12, 0, 0, 0, loc) // Wednesday
	night := time.Date(2026, 11, 25, 23, 30, 0, 0, loc)
	wednesday := func(open, close int) []OpeningHours {
		return []OpeningHours{{Day: time.Wednesday, Open: open, Close: close}}
	}
	// Deliberately out of order: the function must sort by SortOrder, then Code.
	outlets := []Outlet{
		{Code: "SPA", SortOrder: 3, AllowGuestMessages: true, Hours: wednesday(hm(9, 0), hm(21, 0))},
		{Code: "GIFTSHOP", SortOrder: 0, AllowGuestMessages: false, AllowNonVerifiedGuests: true},
		{Code: "ROOMSERVICE", SortOrder: 2, AllowGuestMessages: true, Hours: wednesday(hm(6, 0), hm(23, 0))},
		{Code: "BAR", SortOrder: 2, AllowGuestMessages: true, Hours: wednesday(hm(18, 0), 24*60)},
		{Code: "CONCIERGE", SortOrder: 5, AllowGuestMessages: true, AllowNonVerifiedGuests: true},
	}
	cases := []struct {
		name        string
		outlets     []Outlet
		nonVerified bool
		at          time.Time
		want        string // "" for ok == false
	}{
		{"skips a closed outlet earlier in order", outlets, false, noon, "ROOMSERVICE"},
		{"tie on sort order broken by code", outlets, false, time.Date(2026, 11, 25, 19, 0, 0, 0, loc), "BAR"},
		{"late at night only the bar is open", outlets, false, night, "BAR"},
		{"non-verified only", outlets, true, noon, "CONCIERGE"},
		{"never an outlet without guest messages", []Outlet{outlets[1]}, false, noon, ""},
		{"never an outlet without guest messages (non-verified)", []Outlet{outlets[1]}, true, noon, ""},
		{"none allow non-verified guests", outlets[:4], true, noon, ""},
		{"empty list", nil, false, noon, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := append([]Outlet(nil), c.outlets...)
			got, ok := FirstAvailableOutlet(in, c.nonVerified, c.at, loc)
			if c.want == "" {
				if ok {
					t.Fatalf("got %s, want none", got.Code)
				}
				return
			}
			if !ok || got.Code != c.want {
				t.Fatalf("got %q (ok %v), want %s", got.Code, ok, c.want)
			}
			for i := range in {
				if in[i].Code != c.outlets[i].Code {
					t.Fatalf("the caller's slice was reordered: %v", in)
				}
			}
		})
	}
	t.Run("all closed: the lowest that allows guest messages", func(t *testing.T) {
		sunday := time.Date(2026, 11, 29, 12, 0, 0, 0, loc) // no Wednesday outlet is open
		got, ok := FirstAvailableOutlet(outlets[:4], false, sunday, loc)
		if !ok || got.Code != "BAR" {
			t.Fatalf("got %q (ok %v), want BAR", got.Code, ok)
		}
		closedNV := []Outlet{
			{Code: "B", SortOrder: 9, AllowGuestMessages: true, AllowNonVerifiedGuests: true, Hours: wednesday(hm(9, 0), hm(10, 0))},
			{Code: "A", SortOrder: 1, AllowGuestMessages: true, Hours: wednesday(hm(9, 0), hm(10, 0))},
			{Code: "C", SortOrder: 10, AllowGuestMessages: true, AllowNonVerifiedGuests: true, Hours: wednesday(hm(9, 0), hm(10, 0))},
		}
		got, ok = FirstAvailableOutlet(closedNV, true, sunday, loc)
		if !ok || got.Code != "B" {
			t.Fatalf("non-verified, all closed: got %q (ok %v), want B", got.Code, ok)
		}
		got, ok = FirstAvailableOutlet(closedNV, false, sunday, loc)
		if !ok || got.Code != "A" {
			t.Fatalf("verified, all closed: got %q (ok %v), want A", got.Code, ok)
		}
	})
	t.Run("an open outlet later in order beats a closed one earlier", func(t *testing.T) {
		in := []Outlet{
			{Code: "EARLY", SortOrder: 1, AllowGuestMessages: true, Hours: wednesday(hm(6, 0), hm(7, 0))},
			{Code: "LATE", SortOrder: 2, AllowGuestMessages: true},
		}
		if got, ok := FirstAvailableOutlet(in, false, noon, loc); !ok || got.Code != "LATE" {
			t.Fatalf("got %q (ok %v), want LATE", got.Code, ok)
		}
	})
	t.Run("demo outlets", func(t *testing.T) {
		demo := []Outlet{
			{Code: "FRONTDESK", SortOrder: 1, AllowGuestMessages: true, AllowNonVerifiedGuests: true},
			{Code: "ROOMSERVICE", SortOrder: 2, AllowGuestMessages: true, Hours: wednesday(hm(6, 0), hm(23, 0))},
			{Code: "SPA", SortOrder: 3, AllowGuestMessages: true, Hours: wednesday(hm(9, 0), hm(21, 0))},
			{Code: "GIFTSHOP", SortOrder: 4},
		}
		for _, nv := range []bool{false, true} {
			if got, ok := FirstAvailableOutlet(demo, nv, noon, loc); !ok || got.Code != "FRONTDESK" {
				t.Fatalf("nonVerified %v: got %q (ok %v), want FRONTDESK", nv, got.Code, ok)
			}
		}
	})
}

func TestSortOutlets(t *testing.T) {
	t.Parallel()
	in := []Outlet{{Code: "C", SortOrder: 1}, {Code: "B", SortOrder: 2}, {Code: "A", SortOrder: 2}, {Code: "Z", SortOrder: -1}}
	SortOutlets(in)
	var got []string
	for _, o := range in {
		got = append(got, o.Code)
	}
	if want := "Z C A B"; strings.Join(got, " ") != want {
		t.Fatalf("order %v, want %s", got, want)
	}
}

func TestParseClock(t *testing.T) {
	t.Parallel()
	good := map[string]int{
		"00:00": 0,
		"00:01": 1,
		"06:00": 360,
		"09:30": 570,
		"12:00": 720,
		"23:59": 1439,
		"24:00": 1440,
	}
	for s, want := range good {
		got, err := ParseClock(s)
		if err != nil || got != want {
			t.Errorf("ParseClock(%q) = %d, %v; want %d", s, got, err, want)
		}
		if FormatClock(got) != s {
			t.Errorf("FormatClock(%d) = %q, want %q", got, FormatClock(got), s)
		}
	}
	bad := []string{
		"", "9:00", "09:0", "0900", "09-00", "09:000", "009:00", "ab:cd", "0x:00", "09:xx",
		"24:01", "25:00", "99:99", "09:60", "-1:00", "12:00pm", "12:00 ", "T09:00",
	}
	for _, s := range bad {
		if got, err := ParseClock(s); err == nil {
			t.Errorf("ParseClock(%q) = %d, want an error", s, got)
		}
	}
}

// TestParseClockRejectsSignsAndSpaces guards against a scanner that is too lenient: an earlier
// ParseClock used fmt.Sscanf("%02d:%02d"), which skips leading spaces and accepts a sign inside
// each two-character field, so strings that are not HH:MM parsed.
func TestParseClockRejectsSignsAndSpaces(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"+9:00", " 9:00", "-0:00", " 0:00", "09:+5", "09:-0", "09: 5", "09:5 "} {
		if got, err := ParseClock(s); err == nil {
			t.Errorf("ParseClock(%q) = %d, want an error: it is not HH:MM", s, got)
		}
	}
}

func TestFormatClock(t *testing.T) {
	t.Parallel()
	for m, want := range map[int]string{0: "00:00", 5: "00:05", 60: "01:00", 545: "09:05", 1439: "23:59", 1440: "24:00"} {
		if got := FormatClock(m); got != want {
			t.Errorf("FormatClock(%d) = %q, want %q", m, got, want)
		}
	}
}

func TestParseWeekday(t *testing.T) {
	t.Parallel()
	good := map[string]time.Weekday{
		"Sunday": time.Sunday, "sunday": time.Sunday, "SUN": time.Sunday, " sun ": time.Sunday,
		"Monday": time.Monday, "mon": time.Monday,
		"Tuesday": time.Tuesday, "tue": time.Tuesday,
		"WEDNESDAY": time.Wednesday, "Wed": time.Wednesday,
		"thursday": time.Thursday, "thu": time.Thursday,
		"Friday": time.Friday, "fri": time.Friday,
		"Saturday": time.Saturday, "sat": time.Saturday,
	}
	for s, want := range good {
		if got, err := ParseWeekday(s); err != nil || got != want {
			t.Errorf("ParseWeekday(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "  ", "mo", "tues", "thurs", "Mon.", "lunes", "xyz", "0", "7", "Sundays", "s"} {
		if got, err := ParseWeekday(s); err == nil {
			t.Errorf("ParseWeekday(%q) = %v, want an error", s, got)
		}
	}
}

func TestOpeningHoursValidate(t *testing.T) {
	t.Parallel()
	good := []OpeningHours{
		{Day: time.Sunday, Open: 0, Close: 1440},
		{Day: time.Saturday, Open: 1439, Close: 1},
		{Day: time.Wednesday, Open: hm(22, 0), Close: hm(2, 0)},
		{Day: time.Monday, Open: hm(9, 0), Close: hm(9, 0)}, // 24 hours from 09:00
	}
	for _, h := range good {
		if err := h.Validate(); err != nil {
			t.Errorf("%+v: %v", h, err)
		}
	}
	bad := []OpeningHours{
		{Day: -1, Open: 0, Close: 60},
		{Day: 7, Open: 0, Close: 60},
		{Day: time.Monday, Open: -1, Close: 60},
		{Day: time.Monday, Open: 1440, Close: 60},
		{Day: time.Monday, Open: 0, Close: 0},
		{Day: time.Monday, Open: 0, Close: -5},
		{Day: time.Monday, Open: 0, Close: 1441},
	}
	for _, h := range bad {
		if err := h.Validate(); err == nil {
			t.Errorf("%+v: no error", h)
		}
	}
}
