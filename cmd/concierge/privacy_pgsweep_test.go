package main

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/jackc/pgx/v5"
	"golang.org/x/text/unicode/norm"
)

// findInPostgres is findInDatabase for the PostgreSQL database at dsn: it searches every
// column of type text, varchar, char, bytea, json, jsonb, tsvector or an array of those in
// every table of the public schema (information_schema.columns), case-insensitively and in
// the accent-folded form; a tsvector is searched as the text its lexemes spell in position
// order, which is the folded form the search index stores.
func findInPostgres(t testing.TB, dsn string, needles []string) []string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `
		SELECT c.table_name, c.column_name, c.data_type, c.udt_name
		FROM information_schema.columns c
		JOIN information_schema.tables tb ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name
		WHERE c.table_schema = 'public' AND tb.table_type = 'BASE TABLE'
		  AND (c.data_type IN ('text', 'character varying', 'character', 'bytea', 'json', 'jsonb', 'tsvector')
		       OR (c.data_type = 'ARRAY' AND c.udt_name IN ('_text', '_varchar', '_bpchar', '_bytea', '_json', '_jsonb')))
		ORDER BY c.table_name, c.ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	type column struct{ name, kind string }
	tables := map[string][]column{}
	for rows.Next() {
		var table, name, dataType, udt string
		if err := rows.Scan(&table, &name, &dataType, &udt); err != nil {
			t.Fatal(err)
		}
		tables[table] = append(tables[table], column{name, dataType})
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	if len(tables) == 0 {
		t.Fatal("the sweep found no text column in the public schema")
	}
	type needle struct{ raw, lower, folded, words string }
	ns := make([]needle, len(needles))
	for i, n := range needles {
		ns[i] = needle{n, strings.ToLower(n), foldText(n), strings.Join(textWords(n), " ")}
	}
	var found []string
	names := make([]string, 0, len(tables))
	for table := range tables {
		names = append(names, table)
	}
	slices.Sort(names)
	for _, table := range names {
		cols := tables[table]
		exprs := make([]string, len(cols))
		for i, c := range cols {
			exprs[i] = pgx.Identifier{c.name}.Sanitize()
			if c.kind != "bytea" {
				exprs[i] += "::text"
			}
		}
		rows, err := conn.Query(ctx, "SELECT "+strings.Join(exprs, ", ")+" FROM "+pgx.Identifier{table}.Sanitize())
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		for rows.Next() {
			vals := make([][]byte, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("%s: %v", table, err)
			}
			for i, v := range vals {
				if v == nil {
					continue
				}
				lower, folded := bytes.ToLower(v), foldText(string(v))
				var spelled string
				if cols[i].kind == "tsvector" {
					spelled = tsvectorText(t, string(v))
				}
				for _, n := range ns {
					if bytes.Contains(lower, []byte(n.lower)) || strings.Contains(folded, n.folded) ||
						(spelled != "" && n.words != "" && strings.Contains(" "+spelled+" ", " "+n.words+" ")) {
						found = append(found, fmt.Sprintf("%q in %s.%s", n.raw, table, cols[i].name))
					}
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		rows.Close()
	}
	return found
}

// foldText lower-cases s and removes its accents (canonical decomposition without its
// combining marks), as the search index does.
func foldText(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToValidUTF8(s, " ")) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// textWords cuts s into folded words as the search index does: runs of letters, digits and
// private-use characters.
func textWords(s string) []string {
	return strings.FieldsFunc(foldText(s), func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsNumber(r) || unicode.Is(unicode.Co, r))
	})
}

// tsvectorText returns the words of a tsvector's text form ('w':1,3 'x':2) in position
// order, separated by spaces; lexemes without positions come last.
func tsvectorText(t testing.TB, v string) string {
	t.Helper()
	byPos := map[int][]string{}
	var unplaced []string
	for i := 0; i < len(v); {
		if v[i] == ' ' {
			i++
			continue
		}
		if v[i] != '\'' {
			t.Fatalf("tsvector %q: want a quoted lexeme at %d", v, i)
		}
		var w strings.Builder
		i++
		for i < len(v) {
			if v[i] == '\\' && i+1 < len(v) {
				w.WriteByte(v[i+1])
				i += 2
			} else if v[i] == '\'' && i+1 < len(v) && v[i+1] == '\'' {
				w.WriteByte('\'')
				i += 2
			} else if v[i] == '\'' {
				i++
				break
			} else {
				w.WriteByte(v[i])
				i++
			}
		}
		if i < len(v) && v[i] == ':' {
			j := i + 1
			for j < len(v) && v[j] != ' ' {
				j++
			}
			for _, p := range strings.Split(v[i+1:j], ",") {
				n, err := strconv.Atoi(strings.TrimRight(p, "ABCD"))
				if err != nil {
					t.Fatalf("tsvector %q: position %q", v, p)
				}
				byPos[n] = append(byPos[n], w.String())
			}
			i = j
		} else {
			unplaced = append(unplaced, w.String())
		}
	}
	pos := make([]int, 0, len(byPos))
	for p := range byPos {
		pos = append(pos, p)
	}
	slices.Sort(pos)
	var out []string
	for _, p := range pos {
		out = append(out, byPos[p]...)
	}
	return strings.Join(append(out, unplaced...), " ")
}
