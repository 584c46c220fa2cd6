package importer

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"concierge/internal/concierge"
)

func TestDetect(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		data string
		want Format
	}{
		{"stays.csv", `[{"a":1}]`, CSV},
		{"STAYS.JSON", "bookingReference,roomNumber", JSON},
		{"stays.txt", "  \n [ {} ]", JSON},
		{"stays", "\xef\xbb\xbf[]", JSON},
		{"stays", "bookingReference,roomNumber", CSV},
		{"", "", CSV},
	} {
		if got := Detect(c.name, []byte(c.data)); got != c.want {
			t.Errorf("Detect(%q, %q) = %v, want %v", c.name, c.data, got, c.want)
		}
	}
}

func TestParseStaysCSV(t *testing.T) {
	t.Parallel()
	data := "\xef\xbb\xbfBooking_Reference,room number,FirstName,last-name,language,arrival,departure\n" +
		"BK-1,101,Ana,García,es,2026-11-24,2026-11-28\n" +
		"\n" + // blank lines are skipped
		"BK-2,102,John,Smith,en,2026-11-24\n" + // a column short
		"\"BK-3\",\"10\n3\",Lena,Müller,de,2026-11-24,2026-11-28\n" + // a quoted field over two lines
		"BK-4,104,\"Claire\"x,Dubois,fr,2026-11-24,2026-11-28\n" + // bad quoting
		"BK-5,105,Old,Guest,en,2026-11-01,2026-11-03\n"
	rows, rejected, err := ParseStays([]byte(data), CSV)
	if err != nil {
		t.Fatal(err)
	}
	want := []concierge.StayRow{
		{Line: 2, BookingReference: "BK-1", StayInput: concierge.StayInput{RoomNumber: "101", FirstName: "Ana", LastName: "García", Language: "es", Arrival: "2026-11-24", Departure: "2026-11-28"}},
		{Line: 5, BookingReference: "BK-3", StayInput: concierge.StayInput{RoomNumber: "10\n3", FirstName: "Lena", LastName: "Müller", Language: "de", Arrival: "2026-11-24", Departure: "2026-11-28"}},
		{Line: 8, BookingReference: "BK-5", StayInput: concierge.StayInput{RoomNumber: "105", FirstName: "Old", LastName: "Guest", Language: "en", Arrival: "2026-11-01", Departure: "2026-11-03"}},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows\n%+v\nwant\n%+v", rows, want)
	}
	if len(rejected) != 2 || rejected[0].Line != 4 || rejected[0].Reason != "has 6 columns, the header has 7" ||
		rejected[1].Line != 7 || !strings.HasPrefix(rejected[1].Reason, "not valid CSV") {
		t.Errorf("rejected %+v", rejected)
	}
}

func TestParseOrdersCSVOptionalColumnsAndAliases(t *testing.T) {
	t.Parallel()
	rows, rejected, err := ParseOrders([]byte("order,booking,outlet,status\nORD-1,BK-1,ROOMSERVICE,pending\n"), CSV)
	if err != nil || len(rejected) != 0 {
		t.Fatal(err, rejected)
	}
	want := []concierge.OrderRow{{Line: 2, Code: "ORD-1", OrderInput: concierge.OrderInput{BookingReference: "BK-1", OutletCode: "ROOMSERVICE", Status: "pending"}}}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows %+v", rows)
	}
	// Stays: firstName and languageCode columns may be left out.
	srows, _, err := ParseStays([]byte("bookingReference,roomNumber,lastName,arrival,departure\nBK,1,X,2026-01-01,2026-01-02\n"), CSV)
	if err != nil || len(srows) != 1 || srows[0].LastName != "X" || srows[0].FirstName != "" {
		t.Fatal(err, srows)
	}
}

func TestParseFileErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		data   string
		format Format
		want   string
	}{
		{"empty CSV", "", CSV, "empty"},
		{"unknown column", "bookingReference,roomNumber,lastName,arrival,departure,shoeSize\n", CSV, `unknown column "shoeSize"`},
		{"repeated column", "bookingReference,roomNumber,lastName,arrival,departure,room\n", CSV, `column "roomNumber" twice`},
		{"missing column", "bookingReference,roomNumber,arrival,departure\n", CSV, `lacks the column "lastName"`},
		{"JSON object", `{"bookingReference":"x"}`, JSON, "one array"},
		{"JSON broken", "[\n{\"a\":\"b\"},\n{\"a\":", JSON, "near line 3"},
		{"JSON trailing", `[] []`, JSON, "more than one"},
		{"JSON empty", ``, JSON, "one array"},
	} {
		_, _, err := ParseStays([]byte(c.data), c.format)
		var e *concierge.Error
		if !errors.As(err, &e) || e.Code != concierge.CodeValidationFailed || len(e.Fields) != 1 || e.Fields[0].Field != "file" ||
			!strings.Contains(e.Message, c.want) {
			t.Errorf("%s: %v, want ValidationFailed (file) mentioning %q", c.name, err, c.want)
		}
	}
}

func TestParseStaysJSON(t *testing.T) {
	t.Parallel()
	data := `[
  {"bookingReference": "BK-1", "RoomNumber": "101", "firstName": "Ana", "last_name": "García",
   "languageCode": "es", "arrival": "2026-11-24", "departure": "2026-11-28", "loyalty": 3},
  {"bookingReference": "BK-2", "roomNumber": 102},
  "BK-3",
  null,
  {"bookingReference": "BK-4", "roomNumber": null, "lastName": "Smith"}
]`
	rows, rejected, err := ParseStays([]byte(data), JSON)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Line != 2 || rows[0].LastName != "García" || rows[0].RoomNumber != "101" ||
		rows[1].Line != 7 || rows[1].BookingReference != "BK-4" || rows[1].RoomNumber != "" {
		t.Errorf("rows %+v", rows)
	}
	want := []concierge.Rejection{{Line: 4, Reason: "roomNumber: must be a string"}, {Line: 5, Reason: "is not a JSON object"}, {Line: 6, Reason: "is not a JSON object"}}
	if !reflect.DeepEqual(rejected, want) {
		t.Errorf("rejected %+v\nwant %+v", rejected, want)
	}
}

// FuzzParse checks that no input makes the parsers panic, and that every row and rejection
// they report carries a line of the input.
func FuzzParse(f *testing.F) {
	f.Add([]byte("bookingReference,roomNumber,lastName,arrival,departure\nBK,1,X,2026-01-01,2026-01-02\n"), false)
	f.Add([]byte("code,bookingReference,outletCode,status\nO,BK,RS,Pending\n\"x\ny\",a\n"), true)
	f.Add([]byte(`[{"bookingReference":"BK","roomNumber":"1"},3,null,{"code":"O","status":"Pending"}]`), false)
	f.Add([]byte("[\n\n{\"code\":\"O\"}\n]"), true)
	f.Fuzz(func(t *testing.T, data []byte, orders bool) {
		lines := bytes.Count(data, []byte{'\n'}) + 1
		check := func(line int, what string) {
			if line < 1 || line > lines {
				t.Fatalf("%s line %d outside 1..%d", what, line, lines)
			}
		}
		for _, f := range []Format{CSV, JSON} {
			if orders {
				rows, rej, err := ParseOrders(data, f)
				if err != nil && concierge.ErrorCode(err) != concierge.CodeValidationFailed {
					t.Fatalf("error %v", err)
				}
				for _, r := range rows {
					check(r.Line, "row")
				}
				for _, r := range rej {
					check(r.Line, "rejection")
				}
				continue
			}
			rows, rej, err := ParseStays(data, f)
			if err != nil && concierge.ErrorCode(err) != concierge.CodeValidationFailed {
				t.Fatalf("error %v", err)
			}
			for _, r := range rows {
				check(r.Line, "row")
			}
			for _, r := range rej {
				check(r.Line, "rejection")
			}
		}
	})
}
