package postgres

import (
	"context"
	"embed"
	"fmt"
	"log/slog"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"concierge/internal/migration"
)

// migrationFiles holds the schema's versioned migrations, NNNN_name.sql, applied in version
// order. A released migration is never edited: a change is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLock is the key of the transaction-level advisory lock that migrating nodes take,
// so that only one of several nodes starting at once applies the migrations ("conc" in ASCII).
const migrationLock int64 = 0x636f6e63

// migrations returns the embedded migrations in version order; it errors on a badly named file
// or a version used twice.
func migrations() ([]migration.Migration, error) {
	ms, err := migration.Load(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
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
		return 0, fmt.Errorf("postgres: %w", err)
	}
	return v, nil
}

// migrate applies the pending migrations in one transaction that first takes the advisory
// lock migrationLock: a node that starts while another migrates waits for it, then finds the
// migrations applied. It returns how many it applied; on an error none is applied.
func migrate(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) (int, error) {
	ms, err := migrations()
	if err != nil {
		return 0, err
	}
	var applied []migration.Migration
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    integer     PRIMARY KEY,
			applied_at timestamptz NOT NULL DEFAULT now()
		)`); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		rows, err := tx.Query(ctx, `SELECT version FROM schema_migrations`)
		if err != nil {
			return err
		}
		done, err := pgx.CollectRows(rows, pgx.RowTo[int32])
		if err != nil {
			return err
		}
		for _, m := range ms {
			if slices.Contains(done, int32(m.Version)) {
				continue
			}
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, m.Version); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			applied = append(applied, m)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: migrate: %w", err)
	}
	for _, m := range applied {
		logger.InfoContext(ctx, "postgres migration applied", "version", m.Version, "name", m.Name)
	}
	return len(applied), nil
}
