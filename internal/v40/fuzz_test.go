package v40

import (
	"errors"
	"math"
	"testing"

	"concierge/internal/concierge"
)

// FuzzPaging checks parsePagingValues on any query values: it never panics; it fails only with
// ValidationFailed; on success 1 ≤ Number ≤ 1000000 and 0 ≤ Length ≤ MaxPageLength, and the
// store page it converts to has a non-negative offset that did not overflow.
func FuzzPaging(f *testing.F) {
	f.Add("", "", false, "")
	f.Add("1", "20", true, "true")
	f.Add("1000000", "200", true, "false")
	f.Add("0", "0", true, "maybe")
	f.Add("-1", "-1", true, "1")
	f.Add("9223372036854775807", "9223372036854775807", true, "T")
	f.Add("+5", " 200 ", true, " F ")
	f.Add("1000001", "201", true, "")
	f.Add("5", "", true, "")
	f.Fuzz(func(t *testing.T, number, length string, hasLength bool, desc string) {
		p, err := parsePagingValues(number, length, hasLength, desc)
		if err != nil {
			var e *concierge.Error
			if !errors.As(err, &e) || e.Code != concierge.CodeValidationFailed || len(e.Fields) == 0 {
				t.Fatalf("(%q, %q, %v, %q): error %v, want ValidationFailed with fields", number, length, hasLength, desc, err)
			}
			for _, fe := range e.Fields {
				switch fe.Field {
				case "PageNumber", "PageLength", "DescendingOrder":
				default:
					t.Fatalf("unexpected field %q", fe.Field)
				}
			}
			return
		}
		if p.Number < 1 || p.Number > maxPageNumber {
			t.Fatalf("(%q, %q, %v, %q): Number %d", number, length, hasLength, desc, p.Number)
		}
		if p.Length < 0 || p.Length > concierge.MaxPageLength {
			t.Fatalf("(%q, %q, %v, %q): Length %d", number, length, hasLength, desc, p.Length)
		}
		if !hasLength && p.Length != 0 {
			t.Fatalf("absent PageLength gave Length %d", p.Length)
		}
		pg := p.page()
		if pg.Offset < 0 || pg.Limit < 0 || pg.Limit > concierge.MaxPageLength {
			t.Fatalf("(%q, %q, %v, %q): page %+v", number, length, hasLength, desc, pg)
		}
		// No overflow: the offset computed in 64-bit equals (Number-1)*Length exactly, and
		// fits in an int32, so it is safe on any platform and any SQL integer.
		size := int64(p.Length)
		if size == 0 { // not given: pages of the default length, never everything
			size = defaultPageLength
		}
		want := (int64(p.Number) - 1) * size
		if int64(pg.Offset) != want || want > math.MaxInt32 {
			t.Fatalf("(%q, %q, %v, %q): offset %d, want %d", number, length, hasLength, desc, pg.Offset, want)
		}
		if int64(pg.Limit) != size {
			t.Fatalf("limit %d, want %d", pg.Limit, size)
		}
		if pg.Descending != p.Descending {
			t.Fatalf("descending lost: %+v → %+v", p, pg)
		}
	})
}
