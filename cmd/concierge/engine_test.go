package main

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"concierge/internal/concierge"
	"concierge/internal/pgtest"
)

// The end-to-end suite runs against either engine: SQLite (the default) or, with
// CONCIERGE_TEST_ENGINE=postgres, PostgreSQL, each server getting a fresh pgtest database
// instead of a SQLite file (scripts/test runs the suite both ways).
const envTestEngine = "CONCIERGE_TEST_ENGINE"

// TestMain stops the throwaway PostgreSQL server pgtest may have started.
func TestMain(m *testing.M) { pgtest.Main(m) }

// testPostgres reports whether this run of the suite uses PostgreSQL; it fails on an unknown
// engine name.
func testPostgres(t testing.TB) bool {
	t.Helper()
	switch e := os.Getenv(envTestEngine); e {
	case "", "sqlite":
		return false
	case "postgres", "postgresql":
		return true
	default:
		t.Fatalf("%s=%q: want sqlite or postgres", envTestEngine, e)
		return false
	}
}

// sqliteOnly skips t in the PostgreSQL run of the suite; why says what makes it SQLite-specific.
// It runs in the SQLite run like any other test.
func sqliteOnly(t testing.TB, why string) {
	t.Helper()
	if testPostgres(t) {
		t.Skip("SQLite only: " + why)
	}
}

// testDB returns the --db value of the data directory dir: the SQLite file in it or, in the
// PostgreSQL run, a pgtest database. The same dir always gives the same database (its DSN is
// kept in dir/postgres.dsn), so tests that restart a server on a directory find their data.
func testDB(t testing.TB, dir string) string {
	t.Helper()
	if !testPostgres(t) {
		return filepath.Join(dir, "concierge.db")
	}
	file := filepath.Join(dir, "postgres.dsn")
	b, err := os.ReadFile(file)
	if err == nil {
		return strings.TrimSpace(string(b))
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	dsn := pgtest.NewDatabase(t)
	if err := os.WriteFile(file, []byte(dsn+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return dsn
}

// openTestStore opens the store of database db (a --db value) beside the servers, as the
// `concierge` commands do, applying migrations. The caller closes it.
func openTestStore(t testing.TB, db string) concierge.Store {
	t.Helper()
	st, err := openStore(context.Background(), config{DB: db}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("open %s: %v", db, err)
	}
	return st
}
