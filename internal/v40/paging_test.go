package v40

import (
	"errors"
	"net/http/httptest"
	"testing"

	"concierge/internal/concierge"
)

func TestParsePagingValuesDefaults(t *testing.T) {
	t.Parallel()
	p, err := parsePagingValues("", "", false, "")
	if err != nil {
		t.Fatal(err)
	}
	if p != (paging{Number: 1}) {
		t.Fatalf("defaults %+v", p)
	}
	if pg := p.page(); pg != (concierge.Page{Limit: defaultPageLength}) {
		t.Fatalf("default page %+v, want the first %d", pg, defaultPageLength)
	}
	// PageLength present but blank is the default; a value with hasLength false is ignored.
	for _, c := range []struct {
		length string
		has    bool
	}{{"", true}, {"  ", true}, {"50", false}, {"garbage", false}} {
		p, err := parsePagingValues("", c.length, c.has, "")
		if err != nil || p.Length != 0 {
			t.Errorf("PageLength %q (present %v): %+v, %v", c.length, c.has, p, err)
		}
	}
}

func TestParsePagingValuesGood(t *testing.T) {
	t.Parallel()
	cases := []struct {
		number, length, desc string
		want                 paging
		page                 concierge.Page
	}{
		{"1", "20", "", paging{1, 20, false}, concierge.Page{Offset: 0, Limit: 20}},
		{"2", "20", "false", paging{2, 20, false}, concierge.Page{Offset: 20, Limit: 20}},
		{" 3 ", " 10 ", " true ", paging{3, 10, true}, concierge.Page{Offset: 20, Limit: 10, Descending: true}},
		{"+4", "1", "1", paging{4, 1, true}, concierge.Page{Offset: 3, Limit: 1, Descending: true}},
		{"007", "200", "TRUE", paging{7, 200, true}, concierge.Page{Offset: 1200, Limit: 200, Descending: true}},
		{"1000000", "200", "True", paging{1000000, 200, true}, concierge.Page{Offset: 199999800, Limit: 200, Descending: true}},
		{"5", "", "t", paging{5, 0, true}, concierge.Page{Offset: 800, Limit: 200, Descending: true}}, // no length: default
		{"", "", "F", paging{1, 0, false}, concierge.Page{Limit: 200}},
		{"", "", "0", paging{1, 0, false}, concierge.Page{Limit: 200}},
	}
	for _, c := range cases {
		got, err := parsePagingValues(c.number, c.length, true, c.desc)
		if err != nil {
			t.Errorf("(%q, %q, %q): %v", c.number, c.length, c.desc, err)
			continue
		}
		if got != c.want {
			t.Errorf("(%q, %q, %q) = %+v, want %+v", c.number, c.length, c.desc, got, c.want)
		}
		if pg := got.page(); pg != c.page {
			t.Errorf("(%q, %q, %q).page() = %+v, want %+v", c.number, c.length, c.desc, pg, c.page)
		}
	}
}

func TestParsePagingValuesBad(t *testing.T) {
	t.Parallel()
	cases := []struct {
		number, length, desc string
		fields               []string
	}{
		{"0", "", "", []string{"PageNumber"}},
		{"-1", "", "", []string{"PageNumber"}},
		{"1000001", "", "", []string{"PageNumber"}},
		{"99999999999999999999999", "", "", []string{"PageNumber"}},
		{"1.5", "", "", []string{"PageNumber"}},
		{"1e3", "", "", []string{"PageNumber"}},
		{"0x10", "", "", []string{"PageNumber"}},
		{"one", "", "", []string{"PageNumber"}},
		{"1 2", "", "", []string{"PageNumber"}},
		{"", "0", "", []string{"PageLength"}},
		{"", "-5", "", []string{"PageLength"}},
		{"", "201", "", []string{"PageLength"}},
		{"", "1000", "", []string{"PageLength"}},
		{"", "ten", "", []string{"PageLength"}},
		{"", "20.0", "", []string{"PageLength"}},
		{"", "", "yes", []string{"DescendingOrder"}},
		{"", "", "no", []string{"DescendingOrder"}},
		{"", "", "2", []string{"DescendingOrder"}},
		{"", "", "desc", []string{"DescendingOrder"}},
		{"0", "0", "maybe", []string{"PageNumber", "PageLength", "DescendingOrder"}},
		{"2", "201", "true", []string{"PageLength"}},
	}
	for _, c := range cases {
		_, err := parsePagingValues(c.number, c.length, true, c.desc)
		var e *concierge.Error
		if !errors.As(err, &e) || e.Code != concierge.CodeValidationFailed {
			t.Errorf("(%q, %q, %q): error %v, want ValidationFailed", c.number, c.length, c.desc, err)
			continue
		}
		var fields []string
		for _, f := range e.Fields {
			fields = append(fields, f.Field)
		}
		if len(fields) != len(c.fields) {
			t.Errorf("(%q, %q, %q): fields %v, want %v", c.number, c.length, c.desc, fields, c.fields)
			continue
		}
		for i := range fields {
			if fields[i] != c.fields[i] {
				t.Errorf("(%q, %q, %q): fields %v, want %v", c.number, c.length, c.desc, fields, c.fields)
			}
		}
	}
}

func TestParsePagingQuery(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest("GET", "/API/V40/Interactive/Messages?sessiontoken=x&pagenumber=3&PAGELENGTH=25&descendingorder=true", nil)
	p, err := parsePaging(params{r: r})
	if err != nil {
		t.Fatal(err)
	}
	if p != (paging{Number: 3, Length: 25, Descending: true}) {
		t.Fatalf("%+v", p)
	}
	r = httptest.NewRequest("GET", "/API/V40/Interactive/Messages?PageLength=", nil)
	if p, err := parsePaging(params{r: r}); err != nil || p.Length != 0 {
		t.Fatalf("empty PageLength: %+v, %v", p, err)
	}
	r = httptest.NewRequest("GET", "/API/V40/Interactive/Messages?PageLength=201", nil)
	if _, err := parsePaging(params{r: r}); concierge.ErrorCode(err) != concierge.CodeValidationFailed {
		t.Fatalf("PageLength=201: %v", err)
	}
}
