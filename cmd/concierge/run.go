package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"concierge/internal/concierge"
	"concierge/internal/demo"
	"concierge/internal/httpserver"
	"concierge/internal/idempotency"
	"concierge/internal/live"
	"concierge/internal/logging"
	"concierge/internal/password"
	"concierge/internal/ratelimit"
	"concierge/internal/sessiontoken"
	"concierge/internal/sqlite"
	"concierge/internal/staffapi"
	"concierge/internal/v40"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// run is the whole program: args are the command line (args[0] the program name), getenv the
// environment, stdout and stderr its outputs. It returns when the command is done or, for
// serve, when ctx is cancelled and the server has shut down.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return runAt(ctx, args, getenv, stdout, stderr, time.Now)
}

// runAt is run with a clock, so that tests can move time (session expiry, opening hours).
func runAt(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, now func() time.Time) error {
	if len(args) < 2 {
		printHelp(stderr)
		return errors.New("missing command")
	}
	cmd, rest := args[1], args[2:]
	switch cmd {
	case "serve":
		cfg, err := parseConfig("serve", rest, getenv, stderr)
		if err != nil {
			return err
		}
		return serve(ctx, cfg, stdout, stderr, now)
	case "migrate":
		cfg, err := parseConfig("migrate", rest, getenv, stderr)
		if err != nil {
			return err
		}
		return migrate(ctx, cfg, stdout, stderr)
	case "rotate-key":
		cfg, err := parseConfig("rotate-key", rest, getenv, stderr)
		if err != nil {
			return err
		}
		if err := sessiontoken.RotateKeyFile(cfg.SessionKeyFile); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "New session signing key in %s; the previous one stays accepted until the next rotation.\n", cfg.SessionKeyFile)
		return nil
	case "import":
		return importCommand(ctx, rest, getenv, stdout, stderr, now)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "concierge", versionString())
		return nil
	case "help", "--help", "-help", "-h":
		printHelp(stdout)
		return nil
	default:
		printHelp(stderr)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

func versionString() string {
	v := version
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
		v += " " + info.GoVersion
	}
	return v
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	return slog.New(logging.NewHandler(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))), nil
}

// openStore opens the database named by cfg.DB, applying migrations.
func openStore(ctx context.Context, cfg config, logger *slog.Logger) (concierge.Store, error) {
	if isPostgres(cfg.DB) {
		return nil, errors.New("PostgreSQL is not supported by this build yet; use a SQLite file for --db")
	}
	return sqlite.Open(ctx, cfg.DB, logger)
}

func migrate(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	logger, err := newLogger(stderr, cfg.LogLevel)
	if err != nil {
		return err
	}
	if isPostgres(cfg.DB) {
		return errors.New("PostgreSQL is not supported by this build yet; use a SQLite file for --db")
	}
	n, err := sqlite.Migrate(ctx, cfg.DB, logger)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d migration(s) applied\n", cfg.DB, n)
	return nil
}

// keyring returns the session signing keys: from flags/env when given, else from the key file
// (created with a fresh key on first start).
func keyring(cfg config, logger *slog.Logger) (*sessiontoken.Keyring, error) {
	if cfg.SessionKey != "" {
		return sessiontoken.ParseKeys(cfg.SessionKey, cfg.SessionKeyPrevious)
	}
	k, created, err := sessiontoken.LoadOrCreateKeyFile(cfg.SessionKeyFile)
	if err != nil {
		return nil, err
	}
	if created {
		logger.Info("generated a new session signing key", "file", cfg.SessionKeyFile)
	}
	return k, nil
}

// tokenAdapter lets the domain sign and verify tokens without knowing their format.
type tokenAdapter struct{ k *sessiontoken.Keyring }

func (a tokenAdapter) Sign(id int64, t time.Time) string { return a.k.Sign(id, t) }

func (a tokenAdapter) Verify(tok string) (int64, error) {
	c, err := a.k.Parse(tok)
	return c.SessionID, err
}

// limiter returns a keyed limiter, or nil (unlimited) when perSecond ≤ 0.
func limiter(perSecond float64, burst int, now func() time.Time) v40.Limiter {
	if perSecond <= 0 {
		return nil
	}
	return ratelimit.New(perSecond, burst, now)
}

func serve(ctx context.Context, cfg config, stdout, stderr io.Writer, now func() time.Time) error {
	logger, err := newLogger(stderr, cfg.LogLevel)
	if err != nil {
		return err
	}
	keys, err := keyring(cfg, logger)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer store.Close()

	if cfg.Demo {
		loaded, err := demo.Load(ctx, store, now(), password.Default)
		if err != nil {
			return fmt.Errorf("loading demo data: %w", err)
		}
		if loaded {
			logger.Info("demo data loaded")
		}
		logger.Warn("demo staff users have a published password: never use --demo in production",
			"users", "admin, frontdesk, roomservice")
		fmt.Fprintf(stdout, "WARNING: demo mode. Staff users admin, frontdesk and roomservice have the password %q,\n"+
			"and the interface token is %q. They are for the demo only: never use them in production.\n",
			demo.Password, demo.InterfaceToken)
	}

	svc, err := concierge.NewService(concierge.Config{
		Store:         store,
		Tokens:        tokenAdapter{keys},
		Verifications: ratelimit.NewBackoff(5, 2*time.Second, 5*time.Minute, 15*time.Minute, now),
		LoginGuard:    ratelimit.NewBackoff(5, time.Second, 5*time.Minute, 15*time.Minute, now),
		Logger:        logger,
		Now:           now,
		StayGrace:     cfg.SessionGrace,
		IdleTimeout:   cfg.SessionIdle,
	})
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	// Live events: the store wakes the hub after every commit that appended events; a poll
	// catches events written by other processes on the same database.
	latest, err := svc.LatestEventSeq(ctx)
	if err != nil {
		return err
	}
	hub := live.NewHub(latest)
	if n, ok := store.(interface{ OnEvents(func(int64)) }); ok {
		n.OnEvents(hub.Notify)
		defer n.OnEvents(nil)
	}
	events := live.Options{Hub: hub, Heartbeat: cfg.EventHeartbeat, Metrics: live.NewMetrics(reg, now), Logger: logger}
	streams := live.NewStreamLimit(cfg.EventStreams)
	handler, err := httpserver.NewServer(httpserver.Config{
		Service:     svc,
		Logger:      logger,
		Registry:    reg,
		Idempotency: store,
		Now:         now,
		PerAddress:  limiter(cfg.RateAddress, cfg.RateAddressBurst, now),
		Guest: v40.Options{
			PerSession:        limiter(cfg.RateSession, cfg.RateSessionBurst, now),
			PerInterfaceToken: limiter(cfg.RateInterface, cfg.RateInterfaceBurst, now),
			Events:            events,
			Streams:           streams,
		},
		Staff: staffapi.Options{Events: events, Streams: streams},
	})
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	// Shutdown does not end streaming handlers by itself: closing the hub does.
	srv.RegisterOnShutdown(hub.Close)
	defer hub.Close()
	addr := ln.Addr().String()
	logger.Info("listening", "addr", addr, "db", redactDB(cfg.DB), "version", version)
	fmt.Fprintf(stdout, "Concierge listening on http://%s\n", addr)

	// Idempotency keys are kept 48 h (SPEC §10 asks for at least 24 h).
	janitorCtx, stopJanitor := context.WithCancel(ctx)
	defer stopJanitor()
	go idempotency.Prune(janitorCtx, store, 48*time.Hour, time.Hour, now, logger)
	go live.Prune(janitorCtx, svc.PruneEvents, cfg.EventRetention, time.Hour, now, logger)
	go live.Poll(janitorCtx, hub, svc.LatestEventSeq, time.Second, logger)
	// Wake only the streams an event concerns (its guest's, its property's staff).
	go hub.Dispatch(janitorCtx, svc.EventTopics)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped")
	return nil
}

// redactDB hides a password in a database URL before it is logged.
func redactDB(db string) string {
	if i := strings.Index(db, "@"); i > 0 && isPostgres(db) {
		if j := strings.LastIndex(db[:i], ":"); j > strings.Index(db, "//")+1 {
			return db[:j] + ":***" + db[i:]
		}
	}
	return db
}
