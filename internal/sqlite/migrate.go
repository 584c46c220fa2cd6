package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"log/slog"
	"time"

	"concierge/internal/migration"
)

// migrationFiles holds the schema's versioned migrations, NNNN_name.sql, applied in version
// order. A released migration is never edited: a change is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrations returns the embedded migrations in version order; it errors on a badly named file
// or a version used twice.
func migrations() ([]migration.Migration, error) {
	ms, err := migration.Load(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return ms, nil
}

// latestVersion returns the version of the newest embedded migration.
func latestVersion() (int, error) {
	ms, err := migrations()
	if err != nil {
		return 0, err
	}
	v, err := migration.Latest(ms)
	if err != nil {
		return 0, fmt.Errorf("sqlite: %w", err)
	}
	return v, nil
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
			logger.InfoContext(ctx, "sqlite migration applied", "version", m.Version, "name", m.Name)
		}
	}
	return applied, nil
}

// applyMigration applies m in one transaction unless it is already applied, and reports
// whether it did. It logs a line when it begins m (inside the transaction, so a process
// killed after that line leaves m unapplied, to be applied whole by the next run).
func applyMigration(ctx context.Context, writer *sql.DB, m migration.Migration, logger *slog.Logger) (bool, error) {
	tx, err := writer.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("sqlite: migration %s: begin: %w", m.Name, err)
	}
	defer func() { _ = tx.Rollback() }()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&n); err != nil {
		return false, fmt.Errorf("sqlite: migration %s: %w", m.Name, err)
	}
	if n > 0 {
		return false, nil
	}
	logger.InfoContext(ctx, "sqlite migration starting", "version", m.Version, "name", m.Name)
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, fmt.Errorf("sqlite: migration %s: %w", m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
		m.Version, time.Now().UnixNano()); err != nil {
		return false, fmt.Errorf("sqlite: migration %s: %w", m.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("sqlite: migration %s: commit: %w", m.Name, err)
	}
	return true, nil
}
