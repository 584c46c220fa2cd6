package postgres

import (
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestWords checks the cutting and folding against what SQLite's FTS5 (unicode61,
// remove_diacritics 2) makes of the same texts.
func TestWords(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"¿Hay más toallas?", []string{"hay", "mas", "toallas"}},
		{"foo-bar baz", []string{"foo", "bar", "baz"}},
		{"Ærø straße", []string{"ærø", "straße"}}, // no letter folds into two
		{"x1y2 3.5", []string{"x1y2", "3", "5"}},
		{"ﬁne ǅ", []string{"ﬁne", "ǆ"}}, // compatibility forms are kept
		{`a"b 'c' \d`, []string{"a", "b", "c", "d"}},
		{"ÉCOLE", []string{"ecole"}},
		{"日本語 テキスト", []string{"日本語", "テキスト"}},
		{"", nil},
		{`" ¿?`, nil},
		{"bad \xff utf8", []string{"bad", "utf8"}},
	} {
		if got := words(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("words(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	long := strings.Repeat("é", maxLexeme)
	if ws := words(long); len(ws) != 1 || len(ws[0]) > maxLexeme || !utf8.ValidString(ws[0]) {
		t.Errorf("a long word was not cut to %d bytes: %d words", maxLexeme, len(ws))
	}
}

func TestSearchQuery(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		terms []string
		want  string
		ok    bool
	}{
		{[]string{"Más"}, `('mas':*)`, true},
		{[]string{"mas", "toallas"}, `('mas':*) & ('toallas':*)`, true},
		{[]string{`a"b`}, `('a' <-> 'b':*)`, true},
		{[]string{`it's`}, `('it' <-> 's':*)`, true},
		{[]string{"x", `"`}, "", false},
	} {
		got, ok := searchQuery(c.terms)
		if got != c.want || ok != c.ok {
			t.Errorf("searchQuery(%q) = %q, %v; want %q, %v", c.terms, got, ok, c.want, c.ok)
		}
	}
}

// FuzzSearch checks that PostgreSQL accepts the tsvector and tsquery literals built from any
// text and term, and that a text is always found by its own words, as one phrase term and as
// one term per word prefix.
func FuzzSearch(f *testing.F) {
	db := openDSNTB(f, newDatabase(f))
	for _, s := range []string{"¿Hay más toallas?", `a"b 'c' \d :* & | ! <->`, "ǅ ﬁ Ærø", "\xff\xfe", "", "1:2 'x':*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 300 {
			return
		}
		vector := searchVector(text)
		ws := words(text)
		for _, w := range ws {
			if w == "" || strings.IndexFunc(w, func(r rune) bool {
				return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.Is(unicode.Co, r)
			}) >= 0 {
				t.Fatalf("words(%q) has %q", text, w)
			}
		}
		phrase, ok := searchQuery([]string{text})
		if ok != (len(ws) > 0) {
			t.Fatalf("searchQuery(%q) ok = %v with words %q", text, ok, ws)
		}
		if !ok {
			return
		}
		prefixes := make([]string, len(ws))
		for i, w := range ws {
			r, _ := utf8.DecodeRuneInString(w)
			prefixes[i] = string(r)
		}
		each, _ := searchQuery(prefixes)
		var byPhrase, byPrefixes bool
		err := db.pool.QueryRow(t.Context(), `SELECT $1::tsvector @@ $2::tsquery, $1::tsvector @@ $3::tsquery`,
			vector, phrase, each).Scan(&byPhrase, &byPrefixes)
		if err != nil {
			t.Fatalf("text %q: vector %q, queries %q %q: %v", text, vector, phrase, each, err)
		}
		if !byPhrase || !byPrefixes {
			t.Errorf("text %q (vector %q) not found by %q (%v) or %q (%v)", text, vector, phrase, byPhrase, each, byPrefixes)
		}
	})
}
