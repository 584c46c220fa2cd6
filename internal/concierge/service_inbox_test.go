package concierge

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplitDisplayName(t *testing.T) {
	t.Parallel()
	for name, want := range map[string][2]string{
		"Front Desk Agent":   {"Front", "Desk Agent"},
		"  Maria   Lopez  ":  {"Maria", "Lopez"},
		"Cher":               {"Cher", ""},
		"":                   {"", ""},
		" \t ":               {"", ""},
		"Jean-Luc  Picard X": {"Jean-Luc", "Picard X"},
	} {
		first, last := splitDisplayName(name)
		if first != want[0] || last != want[1] {
			t.Errorf("splitDisplayName(%q) = %q, %q; want %q, %q", name, first, last, want[0], want[1])
		}
	}
}

func TestSearchTerms(t *testing.T) {
	t.Parallel()
	for q, want := range map[string][]string{
		"¿Hay MÁS toallas?":       {"hay", "más", "toallas"},
		`"table" OR *deux*`:       {"table", "or", "deux"},
		"room 101, please":        {"room", "101", "please"},
		"l'hôtel":                 {"l", "hôtel"},
		"!!! ???":                 {},
		"e\u0301te\u0301 (NFD)":   {"e\u0301te\u0301", "nfd"},
		"  niño   ":               {"niño"},
		"NEAR(a b) AND c^d:e -f+": {"near", "a", "b", "and", "c", "d", "e", "f"},
	} {
		got := searchTerms(q)
		if len(got) == 0 && len(want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("searchTerms(%q) = %q, want %q", q, got, want)
		}
	}
}

func TestScopeOf(t *testing.T) {
	t.Parallel()
	agent := NewStaffPrincipal(StaffUser{ID: 1, Role: RoleAgent, ServiceCenterIDs: []int64{3, 2}},
		[]ServiceCenter{{ID: 2, PropertyID: 9}, {ID: 3, PropertyID: 9}})
	manager := NewStaffPrincipal(StaffUser{ID: 2, Role: RoleManager, PropertyIDs: []int64{9, 4}, ServiceCenterIDs: []int64{2}},
		[]ServiceCenter{{ID: 2, PropertyID: 9}})
	cases := []struct {
		what string
		p    *Principal
		want InboxScope
	}{
		{"nil", nil, InboxScope{}},
		{"agent: their service centers only", agent, InboxScope{ServiceCenterIDs: []int64{2, 3}}},
		{"manager: their properties", manager, InboxScope{PropertyIDs: []int64{4, 9}}},
		{"admin: all", NewStaffPrincipal(StaffUser{Role: RoleAdmin}, nil), InboxScope{All: true}},
		{"manager key", NewAPIKeyPrincipal(APIKey{Role: RoleManager, PropertyIDs: []int64{5}}), InboxScope{PropertyIDs: []int64{5}}},
		{"admin key", NewAPIKeyPrincipal(APIKey{Role: RoleAdmin}), InboxScope{All: true}},
		{"unknown role", NewStaffPrincipal(StaffUser{Role: "owner", PropertyIDs: []int64{1}}, nil), InboxScope{}},
	}
	for _, c := range cases {
		if got := scopeOf(c.p); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: scopeOf = %+v, want %+v", c.what, got, c.want)
		}
	}
}

func TestInboxPreview(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", InboxPreviewLength)
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"Hello", "Hello"},
		{long, long},             // exactly the length: kept whole
		{long + "x", long + "…"}, // one more: cut
		{strings.Repeat("a", 199) + "日本", strings.Repeat("a", 199) + "日…"}, // cut between runes, never inside one
		{strings.Repeat("🙂", 300), strings.Repeat("🙂", 200) + "…"},
	} {
		got := inboxPreview(c.in)
		if got != c.want {
			t.Errorf("inboxPreview(%d runes) = %q, want %q", utf8.RuneCountInString(c.in), got, c.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("inboxPreview(%q) is not valid UTF-8", c.in)
		}
	}
}
