package concierge

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseHours(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in     []OpeningHoursInput
		want   []OpeningHours
		fields []string
	}{
		{nil, []OpeningHours{}, nil},
		{[]OpeningHoursInput{{"Monday", "06:00", "23:00"}, {"sun", "22:00", "02:00"}, {" FRIDAY ", "00:00", "24:00"}},
			[]OpeningHours{{time.Monday, 360, 1380}, {time.Sunday, 1320, 120}, {time.Friday, 0, 1440}}, nil},
		// "00:00" as a close is the end of the day.
		{[]OpeningHoursInput{{"tue", "18:00", "00:00"}}, []OpeningHours{{time.Tuesday, 1080, 1440}}, nil},
		{[]OpeningHoursInput{{"Funday", "06:00", "07:00"}}, nil, []string{"openingHours[0].day"}},
		{[]OpeningHoursInput{{"", "06:00", "07:00"}}, nil, []string{"openingHours[0].day"}},
		{[]OpeningHoursInput{{"mon", "24:00", "07:00"}}, nil, []string{"openingHours[0].open"}},
		{[]OpeningHoursInput{{"mon", "6:00", "24:01"}}, nil, []string{"openingHours[0].open", "openingHours[0].close"}},
		{[]OpeningHoursInput{{"mon", "06:00", "07:00"}, {"mon", "06:60", "07:00"}}, nil, []string{"openingHours[1].open"}},
		{[]OpeningHoursInput{{"mon", "06:00", "07:00"}, {strings.Repeat("mon", 10), "06:00", "07:00"}}, nil, []string{"openingHours[1].day"}},
	} {
		var v Validation
		got := parseHours(&v, c.in)
		var fields []string
		for _, f := range v.Fields {
			fields = append(fields, f.Field)
		}
		if !reflect.DeepEqual(fields, c.fields) {
			t.Errorf("%v: fields %v, want %v", c.in, fields, c.fields)
		}
		if c.fields == nil && !reflect.DeepEqual(got, c.want) {
			t.Errorf("%v: hours %v, want %v", c.in, got, c.want)
		}
	}
	var v Validation
	parseHours(&v, make([]OpeningHoursInput, maxOpeningHours+1))
	if len(v.Fields) != 1 || v.Fields[0].Field != "openingHours" {
		t.Errorf("too many intervals: %v", v.Fields)
	}
}

func FuzzParseHours(f *testing.F) {
	f.Add("Monday", "06:00", "23:00")
	f.Add("sun", "22:00", "00:00")
	f.Add("x", "24:00", "99:99")
	f.Fuzz(func(t *testing.T, day, open, closing string) {
		var v Validation
		got := parseHours(&v, []OpeningHoursInput{{day, open, closing}})
		if len(v.Fields) == 0 {
			if len(got) != 1 || got[0].Validate() != nil {
				t.Fatalf("accepted %q %q %q as %v", day, open, closing, got)
			}
		} else if len(got) != 0 {
			t.Fatalf("refused %q %q %q yet returned %v", day, open, closing, got)
		}
	})
}

func TestCheckCodeUsernameTimeZoneLanguage(t *testing.T) {
	t.Parallel()
	for value, ok := range map[string]bool{"DEMO": true, "front_desk-2": true, "": false, "a b": false, "ÑANDÚ": false,
		"a/b": false, strings.Repeat("C", maxCodeLength): true, strings.Repeat("C", maxCodeLength+1): false} {
		var v Validation
		checkCode(&v, "code", value)
		if (len(v.Fields) == 0) != ok {
			t.Errorf("checkCode(%q): %v", value, v.Fields)
		}
	}
	for value, ok := range map[string]bool{"frontdesk": true, "ana.garcia@hotel.example": true, "a b": false, "": false, "a/b": false,
		strings.Repeat("u", maxUsernameLength+1): false} {
		var v Validation
		checkUsername(&v, value)
		if (len(v.Fields) == 0) != ok {
			t.Errorf("checkUsername(%q): %v", value, v.Fields)
		}
	}
	for value, ok := range map[string]bool{"Europe/Madrid": true, "UTC": true, "America/Argentina/Buenos_Aires": true,
		"": false, "Local": false, "Mars/Olympus": false, "../../etc/passwd": false, "Europe/Madrid\x00": false} {
		var v Validation
		checkTimeZone(&v, "timeZone", value)
		if (len(v.Fields) == 0) != ok {
			t.Errorf("checkTimeZone(%q): %v", value, v.Fields)
		}
	}
	for value, want := range map[string]string{"es-MX": "es", "EN": "en", "": "", "not a tag": "", "zz-!!": ""} {
		var v Validation
		if got := checkLanguage(&v, "language", value); got != want || (want == "") != (len(v.Fields) == 1) {
			t.Errorf("checkLanguage(%q) = %q, %v", value, got, v.Fields)
		}
	}
}

func TestManagesUser(t *testing.T) {
	t.Parallel()
	centers := []ServiceCenter{{ID: 1, PropertyID: 10}, {ID: 2, PropertyID: 10}, {ID: 3, PropertyID: 20}}
	admin := &Principal{Role: RoleAdmin}
	manager := &Principal{Role: RoleManager, PropertyIDs: []int64{10}}
	agentP := &Principal{Role: RoleAgent, PropertyIDs: []int64{10}}
	for _, c := range []struct {
		name    string
		p       *Principal
		u       StaffUser
		manages bool
	}{
		{"admin: anyone", admin, StaffUser{Role: RoleAdmin}, true},
		{"manager: agent of their property", manager, StaffUser{Role: RoleAgent, ServiceCenterIDs: []int64{1, 2}, PropertyIDs: []int64{10}}, true},
		{"manager: agent also elsewhere", manager, StaffUser{Role: RoleAgent, ServiceCenterIDs: []int64{1, 3}}, false},
		{"manager: agent with another property", manager, StaffUser{Role: RoleAgent, ServiceCenterIDs: []int64{1}, PropertyIDs: []int64{20}}, false},
		{"manager: agent of nothing", manager, StaffUser{Role: RoleAgent}, false},
		{"manager: agent of an unknown center", manager, StaffUser{Role: RoleAgent, ServiceCenterIDs: []int64{99}}, false},
		{"manager: another manager", manager, StaffUser{Role: RoleManager, PropertyIDs: []int64{10}}, false},
		{"manager: an admin", manager, StaffUser{Role: RoleAdmin, PropertyIDs: []int64{10}}, false},
		{"agent: nobody", agentP, StaffUser{Role: RoleAgent, ServiceCenterIDs: []int64{1}}, false},
		{"nil: nobody", nil, StaffUser{Role: RoleAgent, ServiceCenterIDs: []int64{1}}, false},
	} {
		if got := managesUser(c.p, c.u, centers); got != c.manages {
			t.Errorf("%s: managesUser = %v", c.name, got)
		}
	}
}
