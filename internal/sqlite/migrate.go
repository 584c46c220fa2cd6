package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// migrationFiles holds the schema's versioned migrations, NNNN_name.sql, applied in version
// order. A released migration is never edited: a change is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one embedded schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in version order; it errors on a badly named file
// or a version used twice.
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("sqlite: migrations: %w", err)
	}
	var out []migration
	for _, e := range entries {
		name := e.Name()
		prefix, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(prefix)
		if !ok || err != nil || v <= 0 || path.Ext(name) != ".sql" {
			return nil, fmt.Errorf("sqlite: migration file %q is not named NNNN_name.sql", name)
		}
		body, err := migrationFiles.ReadFile("migrations/" + name)
		if err != nil {
			return nil, fmt.Errorf("sqlite: migrations: %w", err)
		}
		out = append(out, migration{version: v, name: name, sql: string(body)})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("sqlite: migrations %q and %q share version %d", out[i-1].name, out[i].name, out[i].version)
		}
	}
	return out, nil
}

// latestVersion returns the version of the newest embedded migration.
func latestVersion() (int, error) {
	ms, err := migrations()
	if err != nil {
		return 0, err
	}
	if len(ms) == 0 {
		return 0, fmt.Errorf("sqlite: no embedded migrations")
	}
	return ms[len(ms)-1].version, nil
}

// Migrate opens (creating it if needed) the SQLite database file at path, applies every
// embedded migration not yet applied, each in its own transaction and in version order, and
// closes the file. It returns how many migrations it applied (0 when the schema was current),
// or an error when the file cannot be opened or a migration fails; migrations applied before
// the failing one stay applied. A nil logger discards log records.
func Migrate(ctx context.Context, path string, logger *slog.Logger) (applied int, err error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	writer, err := openWriter(ctx, path)
	if err != nil {
		return 0, err
	}
	defer func() {
		if cerr := writer.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("sqlite: close %s: %w", path, cerr)
		}
	}()
	return migrate(ctx, writer, logger)
}

// migrate applies the pending migrations through writer, whose transactions begin IMMEDIATE:
// each one re-checks under the write lock whether its migration is applied, so two processes
// migrating the same file at once apply each migration exactly once.
func migrate(ctx context.Context, writer *sql.DB, logger *slog.Logger) (int, error) {
	ms, err := migrations()
	if err != nil {
		return 0, err
	}
	if _, err := writer.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		return 0, fmt.Errorf("sqlite: create schema_migrations: %w", err)
	}
	applied := 0
	for _, m := range ms {
		did, err := applyMigration(ctx, writer, m, logger)
		if err != nil {
			return applied, err
		}
		if did {
			applied++
			logger.InfoContext(ctx, "sqlite migration applied", "version", m.version, "name", m.name)
		}
	}
	return applied, nil
}

// applyMigration applies m in one transaction unless it is already applied, and reports
// whether it did. It logs a line when it begins m (inside the transaction, so a process
// killed after that line leaves m unapplied, to be applied whole by the next run).
func applyMigration(ctx context.Context, writer *sql.DB, m migration, logger *slog.Logger) (bool, error) {
	tx, err := writer.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("sqlite: migration %s: begin: %w", m.name, err)
	}
	defer func() { _ = tx.Rollback() }()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
		return false, fmt.Errorf("sqlite: migration %s: %w", m.name, err)
	}
	if n > 0 {
		return false, nil
	}
	logger.InfoContext(ctx, "sqlite migration starting", "version", m.version, "name", m.name)
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, fmt.Errorf("sqlite: migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
		m.version, time.Now().UnixNano()); err != nil {
		return false, fmt.Errorf("sqlite: migration %s: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("sqlite: migration %s: commit: %w", m.name, err)
	}
	return true, nil
}
