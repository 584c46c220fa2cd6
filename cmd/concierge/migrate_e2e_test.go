package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestMigrateCommand: `concierge migrate` prepares an empty database of the engine under test
// (SQLite file or PostgreSQL URL), is a no-op the second time, and a server then starts on it.
func TestMigrateCommand(t *testing.T) {
	dir := t.TempDir()
	db := testDB(t, dir)
	migrate := func() string {
		t.Helper()
		var out bytes.Buffer
		if err := run(context.Background(), []string{"concierge", "migrate", "--db", db}, func(string) string { return "" }, &out, &out); err != nil {
			t.Fatalf("migrate: %v\n%s", err, out.String())
		}
		return out.String()
	}
	if first := migrate(); !strings.Contains(first, "migration(s) applied") || strings.Contains(first, ": 0 migration(s)") {
		t.Fatalf("the first migrate applied nothing: %s", first)
	}
	if second := migrate(); !strings.Contains(second, ": 0 migration(s) applied") {
		t.Fatalf("the second migrate applied something: %s", second)
	}
	s := startServer(t, serverOptions{dir: dir, demo: true})
	s.loginRoom(t, "101", "Garcia")
}
