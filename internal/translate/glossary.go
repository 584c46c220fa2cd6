package translate

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Glossary terms are replaced before the provider by placeholders "[[0]]", "[[1]]", … that
// Apertium and LibreTranslate leave as they are (tested against a real APy), and restored
// afterwards with the text as the guest or staff member wrote it.

// placeholder matches a placeholder in a provider's output, tolerating added spaces.
var placeholder = regexp.MustCompile(`\[\[\s*([0-9]+)\s*\]\]`)

// Masked is a text with its glossary terms replaced by placeholders.
type Masked struct {
	Text  string   // what goes to the provider
	Terms []string // the replaced occurrences, verbatim, by placeholder number
}

// Mask replaces every occurrence of the terms in text — ignoring case, as whole words, the
// longest term first — with placeholders. A text that already holds "[[" is left as it is
// (its own brackets would be taken for placeholders).
func Mask(text string, terms []string) Masked {
	m := Masked{Text: text}
	if len(terms) == 0 || strings.Contains(text, "[[") {
		return m
	}
	sorted := slices.Clone(terms)
	slices.SortFunc(sorted, func(a, b string) int { return utf8.RuneCountInString(b) - utf8.RuneCountInString(a) })
	var alts []string
	for _, t := range sorted {
		if t = strings.TrimSpace(t); t != "" {
			alts = append(alts, regexp.QuoteMeta(t))
		}
	}
	if len(alts) == 0 {
		return m
	}
	re, err := regexp.Compile(`(?i)` + strings.Join(alts, "|"))
	if err != nil {
		return m
	}
	var b strings.Builder
	last := 0
	for _, loc := range re.FindAllStringIndex(text, -1) {
		if !wordBoundary(text, loc[0], loc[1]) {
			continue
		}
		b.WriteString(text[last:loc[0]])
		b.WriteString("[[" + strconv.Itoa(len(m.Terms)) + "]]")
		m.Terms = append(m.Terms, text[loc[0]:loc[1]])
		last = loc[1]
	}
	if len(m.Terms) == 0 {
		return m
	}
	b.WriteString(text[last:])
	m.Text = b.String()
	return m
}

// wordBoundary reports whether text[i:j] neither starts nor ends inside a word.
func wordBoundary(text string, i, j int) bool {
	if i > 0 {
		r, _ := utf8.DecodeLastRuneInString(text[:i])
		if isWord(r) {
			return false
		}
	}
	if j < len(text) {
		r, _ := utf8.DecodeRuneInString(text[j:])
		if isWord(r) {
			return false
		}
	}
	return true
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }

// Unmask puts the terms back into a provider's translation of m.Text. A placeholder the
// provider dropped is lost; one it invented (a number without a term) is left as it is.
func (m Masked) Unmask(translated string) string {
	if len(m.Terms) == 0 {
		return translated
	}
	return placeholder.ReplaceAllStringFunc(translated, func(s string) string {
		n, err := strconv.Atoi(placeholder.FindStringSubmatch(s)[1])
		if err != nil || n < 0 || n >= len(m.Terms) {
			return s
		}
		return m.Terms[n]
	})
}
