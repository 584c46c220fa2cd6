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

// sharedCallTimeout bounds one call to the shared rate limits and back-off, on top of the
// request's own context.
const sharedCallTimeout = 5 * time.Second

// The back-off policies (the same with either engine).
var (
	verificationPolicy = postgres.GuardPolicy{Free: 5, Base: 2 * time.Second, MaxDelay: 5 * time.Minute, Window: 15 * time.Minute}
	loginPolicy        = postgres.GuardPolicy{Free: 5, Base: time.Second, MaxDelay: 5 * time.Minute, Window: 15 * time.Minute}
)

// sharedRates are the rate limits kept in a database several nodes share (*postgres.DB).
type sharedRates interface {
	AllowRate(ctx context.Context, scope, key string, perSecond float64, burst int, now time.Time) (ok bool, retryAfter time.Duration, err error)
}

// sharedGuards are the back-offs kept in a database several nodes share (*postgres.DB).
type sharedGuards interface {
	GuardCheck(ctx context.Context, scope, key string, now time.Time, p postgres.GuardPolicy) (ok bool, retryAfter time.Duration, err error)
	GuardAttempt(ctx context.Context, scope, key string, now time.Time, p postgres.GuardPolicy) (ok bool, failures int, retryAfter time.Duration, err error)
	GuardForgive(ctx context.Context, scope, key string, p postgres.GuardPolicy) error
	GuardSucceed(ctx context.Context, scope, key string) error
}

// sharedPruning deletes the shared rate-limit and back-off rows nobody needs any more.
type sharedPruning interface {
	PruneRateLimits(ctx context.Context, now time.Time) (int64, error)
	PruneGuardFailures(ctx context.Context, now time.Time, window time.Duration) (int64, error)
}

// sharedKeys are the session signing keys kept in a database several nodes share.
type sharedKeys interface {
	SessionKeys(ctx context.Context, fresh []byte, now time.Time) (keys [][]byte, created bool, err error)
}

// sharedState is everything several nodes share through their database besides the data: a
// *postgres.DB. With SQLite (one process) there is none.
type sharedState interface {
	sharedRates
	sharedGuards
	sharedPruning
	sharedKeys
}

var _ sharedState = (*postgres.DB)(nil)

// pgLimiter is a v40.Limiter kept in the PostgreSQL database, shared by every node. When the
// database fails it allows the request (the request then meets the same database) and logs.
type pgLimiter struct {
	db        sharedRates
	scope     string
	perSecond float64
	burst     int
	now       func() time.Time
	logger    *slog.Logger
}

// sharedLimiter returns a shared keyed limiter, or nil (unlimited) when perSecond ≤ 0.
func sharedLimiter(db sharedRates, scope string, perSecond float64, burst int, now func() time.Time, logger *slog.Logger) v40.Limiter {
	if perSecond <= 0 {
		return nil
	}
	return pgLimiter{db: db, scope: scope, perSecond: perSecond, burst: burst, now: now, logger: logger}
}

// Allow asks the database within the request's context, for at most sharedCallTimeout.
func (l pgLimiter) Allow(ctx context.Context, key string) (bool, time.Duration) {
	call, cancel := context.WithTimeout(ctx, sharedCallTimeout)
	defer cancel()
	ok, wait, err := l.db.AllowRate(call, l.scope, key, l.perSecond, l.burst, l.now())
	if err != nil {
		unavailable(ctx, l.logger, "shared rate limit unavailable; request allowed", l.scope, err)
		return true, 0
	}
	return ok, wait
}

// pgGuard is a concierge.VerificationGuard kept in the PostgreSQL database, shared by every
// node. When the database fails, Check and Attempt allow (the attempt then meets the same
// database; Attempt reports it as a first failure) and failures go unrecorded; both are logged.
// Each call runs within the request's context, for at most sharedCallTimeout.
type pgGuard struct {
	db     sharedGuards
	scope  string
	policy postgres.GuardPolicy
	now    func() time.Time
	logger *slog.Logger
}

// Check asks the database whether key may make an attempt now.
func (g pgGuard) Check(ctx context.Context, key string) (bool, time.Duration) {
	call, cancel := context.WithTimeout(ctx, sharedCallTimeout)
	defer cancel()
	ok, wait, err := g.db.GuardCheck(call, g.scope, key, g.now(), g.policy)
	if err != nil {
		unavailable(ctx, g.logger, "shared back-off unavailable; attempt allowed", g.scope, err)
		return true, 0
	}
	return ok, wait
}

// Attempt counts an attempt of key in the database.
func (g pgGuard) Attempt(ctx context.Context, key string) (bool, int, time.Duration) {
	call, cancel := context.WithTimeout(ctx, sharedCallTimeout)
	defer cancel()
	ok, n, wait, err := g.db.GuardAttempt(call, g.scope, key, g.now(), g.policy)
	if err != nil {
		unavailable(ctx, g.logger, "shared back-off unavailable; attempt allowed, failure not recorded", g.scope, err)
		return true, 1, 0
	}
	return ok, n, wait
}

// Forgive takes one counted failure of key back in the database.
func (g pgGuard) Forgive(ctx context.Context, key string) {
	call, cancel := context.WithTimeout(ctx, sharedCallTimeout)
	defer cancel()
	if err := g.db.GuardForgive(call, g.scope, key, g.policy); err != nil {
		unavailable(ctx, g.logger, "shared back-off unavailable; success not recorded", g.scope, err)
	}
}

// Succeed clears key's failures in the database.
func (g pgGuard) Succeed(ctx context.Context, key string) {
	call, cancel := context.WithTimeout(ctx, sharedCallTimeout)
	defer cancel()
	if err := g.db.GuardSucceed(call, g.scope, key); err != nil {
		unavailable(ctx, g.logger, "shared back-off unavailable; success not recorded", g.scope, err)
	}
}

var _ concierge.VerificationGuard = pgGuard{}

// unavailable logs a failed call to the shared limits, unless the request's own context ended
// first (the client left): that says nothing about the database.
func unavailable(ctx context.Context, logger *slog.Logger, msg, scope string, err error) {
	if ctx.Err() != nil {
		return
	}
	logger.WarnContext(ctx, msg, "scope", scope, "err", err)
}

// pruneShared deletes the shared rate-limit and back-off rows nobody needs any more, every
// interval until ctx is done; errors are logged.
func pruneShared(ctx context.Context, db sharedPruning, interval time.Duration, now func() time.Time, logger *slog.Logger) {
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
func databaseKeyring(ctx context.Context, db sharedKeys, now func() time.Time, logger *slog.Logger) (*sessiontoken.Keyring, error) {
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
