package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"concierge/internal/concierge"
	"concierge/internal/postgres"
	"concierge/internal/sessiontoken"
	"concierge/internal/v40"
)

// Several nodes on one PostgreSQL database (README "Several nodes") must share, besides the
// data, the session signing keys, the rate limits and the back-off of failed verifications and
// logins. With SQLite (one process) these stay in the process and in the key file.

// sharedCallTimeout bounds one call to the shared rate limits and back-off, whose interfaces
// carry no context (v40.Limiter, concierge.VerificationGuard).
const sharedCallTimeout = 5 * time.Second

// The back-off policies (the same with either engine).
var (
	verificationPolicy = postgres.GuardPolicy{Free: 5, Base: 2 * time.Second, MaxDelay: 5 * time.Minute, Window: 15 * time.Minute}
	loginPolicy        = postgres.GuardPolicy{Free: 5, Base: time.Second, MaxDelay: 5 * time.Minute, Window: 15 * time.Minute}
)

// pgLimiter is a v40.Limiter kept in the PostgreSQL database, shared by every node. When the
// database fails it allows the request (the request then meets the same database) and logs.
type pgLimiter struct {
	db        *postgres.DB
	scope     string
	perSecond float64
	burst     int
	now       func() time.Time
	logger    *slog.Logger
}

// sharedLimiter returns a shared keyed limiter, or nil (unlimited) when perSecond ≤ 0.
func sharedLimiter(db *postgres.DB, scope string, perSecond float64, burst int, now func() time.Time, logger *slog.Logger) v40.Limiter {
	if perSecond <= 0 {
		return nil
	}
	return pgLimiter{db: db, scope: scope, perSecond: perSecond, burst: burst, now: now, logger: logger}
}

func (l pgLimiter) Allow(key string) (bool, time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), sharedCallTimeout)
	defer cancel()
	ok, wait, err := l.db.AllowRate(ctx, l.scope, key, l.perSecond, l.burst, l.now())
	if err != nil {
		l.logger.Warn("shared rate limit unavailable; request allowed", "scope", l.scope, "err", err)
		return true, 0
	}
	return ok, wait
}

// pgGuard is a concierge.VerificationGuard kept in the PostgreSQL database, shared by every
// node. When the database fails, Check and Attempt allow (the attempt then meets the same
// database; Attempt reports it as a first failure) and failures go unrecorded; both are logged.
type pgGuard struct {
	db     *postgres.DB
	scope  string
	policy postgres.GuardPolicy
	now    func() time.Time
	logger *slog.Logger
}

func (g pgGuard) Check(key string) (bool, time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), sharedCallTimeout)
	defer cancel()
	ok, wait, err := g.db.GuardCheck(ctx, g.scope, key, g.now(), g.policy)
	if err != nil {
		g.logger.Warn("shared back-off unavailable; attempt allowed", "scope", g.scope, "err", err)
		return true, 0
	}
	return ok, wait
}

func (g pgGuard) Attempt(key string) (bool, int, time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), sharedCallTimeout)
	defer cancel()
	ok, n, wait, err := g.db.GuardAttempt(ctx, g.scope, key, g.now(), g.policy)
	if err != nil {
		g.logger.Warn("shared back-off unavailable; attempt allowed, failure not recorded", "scope", g.scope, "err", err)
		return true, 1, 0
	}
	return ok, n, wait
}

func (g pgGuard) Forgive(key string) {
	ctx, cancel := context.WithTimeout(context.Background(), sharedCallTimeout)
	defer cancel()
	if err := g.db.GuardForgive(ctx, g.scope, key, g.policy); err != nil {
		g.logger.Warn("shared back-off unavailable; success not recorded", "scope", g.scope, "err", err)
	}
}

func (g pgGuard) Succeed(key string) {
	ctx, cancel := context.WithTimeout(context.Background(), sharedCallTimeout)
	defer cancel()
	if err := g.db.GuardSucceed(ctx, g.scope, key); err != nil {
		g.logger.Warn("shared back-off unavailable; success not recorded", "scope", g.scope, "err", err)
	}
}

var _ concierge.VerificationGuard = pgGuard{}

// pruneShared deletes the shared rate-limit and back-off rows nobody needs any more, every
// interval until ctx is done; errors are logged.
func pruneShared(ctx context.Context, db *postgres.DB, interval time.Duration, now func() time.Time, logger *slog.Logger) {
	window := max(verificationPolicy.Window, loginPolicy.Window)
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
		if _, err := db.PruneRateLimits(ctx, now()); err != nil && ctx.Err() == nil {
			logger.Warn("pruning shared rate limits", "err", err)
		}
		if _, err := db.PruneGuardFailures(ctx, now(), window); err != nil && ctx.Err() == nil {
			logger.Warn("pruning shared back-off", "err", err)
		}
	}
}

// databaseKeyring returns the session signing keys kept in the PostgreSQL database, storing a
// fresh one on the first start of the first node.
func databaseKeyring(ctx context.Context, db *postgres.DB, now func() time.Time, logger *slog.Logger) (*sessiontoken.Keyring, error) {
	keys, created, err := db.SessionKeys(ctx, newSigningKey(), now())
	if err != nil {
		return nil, err
	}
	if created {
		logger.Info("generated a new session signing key, kept in the database")
	}
	if len(keys) == 0 {
		return nil, errors.New("no session signing key in the database")
	}
	return sessiontoken.NewKeyring(keys[0], keys[1:]...)
}

// newSigningKey returns a fresh random session signing key.
func newSigningKey() []byte {
	key := make([]byte, sessiontoken.NewKeySize)
	_, _ = rand.Read(key) // crypto/rand.Read never fails
	return key
}

// migratePostgres is `concierge migrate` on a PostgreSQL database: opening it applies the
// pending migrations (under the lock nodes starting together share); it reports how many.
func migratePostgres(ctx context.Context, cfg config, stdout io.Writer, logger *slog.Logger) error {
	before, err := appliedMigrations(ctx, cfg.DB)
	if err != nil {
		return err
	}
	db, err := postgres.Open(ctx, cfg.DB, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	after, err := appliedMigrations(ctx, cfg.DB)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d migration(s) applied\n", redactDB(cfg.DB), after-before)
	return nil
}

// appliedMigrations counts the rows of schema_migrations (0 when the table does not exist).
func appliedMigrations(ctx context.Context, dsn string) (int, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return 0, fmt.Errorf("postgres: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return 0, fmt.Errorf("postgres: count migrations: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count migrations: %w", err)
	}
	return n, nil
}

// rotateDatabaseKey is `concierge rotate-key` on a PostgreSQL database.
func rotateDatabaseKey(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	logger, err := newLogger(stderr, cfg.LogLevel)
	if err != nil {
		return err
	}
	db, err := postgres.Open(ctx, cfg.DB, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.RotateSessionKeys(ctx, newSigningKey(), time.Now()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "New session signing key in the database %s; the previous one stays accepted until the next rotation.\n"+
		"Restart every node to sign with it.\n", redactDB(cfg.DB))
	return nil
}
