package postgres

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Inbox search matches what the SQLite store's FTS5 table (tokenizer unicode61,
// remove_diacritics 2) finds: a text is cut into words, runs of letters, digits and
// private-use characters; words are compared with their accents removed and lower-cased; a
// search term is itself cut into words, matched as a phrase whose last word is a prefix.
//
// The store does the cutting and folding in Go and hands PostgreSQL the result as a tsvector
// (each word a lexeme with its position) and a tsquery (prefix and phrase operators), so that
// no text search configuration or parser of the server takes part: results do not depend on
// the server's locale or installed extensions.

// maxLexeme bounds a word's length in bytes (PostgreSQL refuses lexemes of 2 KiB or more);
// longer words are cut, in the text and in the terms alike.
const maxLexeme = 1024

// maxPosition is the highest position a tsvector records; later words share it.
const maxPosition = 16383

// words cuts s into folded words: accents removed (canonical decomposition without its
// combining marks) and lower-cased.
func words(s string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			w := b.String()
			if len(w) > maxLexeme {
				w = w[:maxLexeme]
				for !utf8.ValidString(w) {
					w = w[:len(w)-1]
				}
			}
			out = append(out, w)
			b.Reset()
		}
	}
	for _, r := range norm.NFD.String(strings.ToValidUTF8(s, " ")) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// A combining mark: the accent of the letter before it.
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsNumber(r) || unicode.Is(unicode.Co, r):
			b.WriteRune(unicode.ToLower(r))
		default:
			flush()
		}
	}
	flush()
	return out
}

// quoteLexeme returns w as a quoted tsvector/tsquery lexeme.
func quoteLexeme(w string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(w) + "'"
}

// searchVector returns the tsvector literal of a message text: every word with its position.
func searchVector(text string) string {
	ws := words(text)
	var b strings.Builder
	for i, w := range ws {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quoteLexeme(w))
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(min(i+1, maxPosition)))
	}
	return b.String()
}

// searchQuery returns the tsquery literal that finds texts containing every term: each term's
// words as a phrase (<->), its last word as a prefix (:*). ok is false when a term has no word,
// which no text can contain.
func searchQuery(terms []string) (query string, ok bool) {
	parts := make([]string, 0, len(terms))
	for _, t := range terms {
		ws := words(t)
		if len(ws) == 0 {
			return "", false
		}
		quoted := make([]string, len(ws))
		for i, w := range ws {
			quoted[i] = quoteLexeme(w)
		}
		quoted[len(ws)-1] += ":*"
		parts = append(parts, "("+strings.Join(quoted, " <-> ")+")")
	}
	return strings.Join(parts, " & "), true
}
