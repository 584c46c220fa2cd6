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

	"concierge/internal/clientaddr"
	"concierge/internal/concierge"
	"concierge/internal/demo"
	"concierge/internal/httpserver"
	"concierge/internal/idempotency"
	"concierge/internal/live"
	"concierge/internal/logging"
	"concierge/internal/metrics"
	"concierge/internal/password"
	"concierge/internal/postgres"
	"concierge/internal/ratelimit"
	"concierge/internal/sessiontoken"
	"concierge/internal/sqlite"
	"concierge/internal/staffapi"
	"concierge/internal/storecache"
	"concierge/internal/supervise"
	"concierge/internal/translate"
	"concierge/internal/v40"
	"concierge/internal/webhook"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// run is the whole program: args are the command line (args[0] the program name), getenv the
// environment, stdout and stderr its outputs. It returns when the command is done or, for
// serve, when ctx is cancelled and the server has shut down.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return runAt(ctx, args, getenv, stdout, stderr, time.Now)
}

// runAt is run with a clock, so that tests can move time (session expiry, opening hours). A
// usage error is a usageError (see usage.go); a command whose help was asked for returns nil.
func runAt(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, now func() time.Time) error {
	if err := dispatch(ctx, args, getenv, stdout, stderr, now); !errors.Is(err, errHelpShown) {
		return err
	}
	return nil
}

// dispatch runs the command of args.
func dispatch(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, now func() time.Time) error {
	if len(args) < 2 {
		return usagef("", "missing command")
	}
	cmd, rest := args[1], args[2:]
	switch cmd {
	case "serve":
		cfg, err := parseConfig("serve", rest, getenv, stdout)
		if err != nil {
			return err
		}
		return serve(ctx, cfg, stdout, stderr, now)
	case "migrate":
		cfg, err := parseConfig("migrate", rest, getenv, stdout)
		if err != nil {
			return err
		}
		return migrate(ctx, cfg, stdout, stderr)
	case "rotate-key":
		cfg, err := parseConfig("rotate-key", rest, getenv, stdout)
		if err != nil {
			return err
		}
		if isPostgres(cfg.DB) && cfg.SessionKeyFile == "" {
			return rotateDatabaseKey(ctx, cfg, stdout, stderr) // nodes.go
		}
		if err := sessiontoken.RotateKeyFile(cfg.SessionKeyFile); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "New session signing key in %s; the previous one stays accepted until the next rotation.\n", cfg.SessionKeyFile)
		return nil
	case "import":
		return importCommand(ctx, rest, getenv, stdout, stderr, now)
	case "webhooks":
		return webhooksCommand(ctx, rest, getenv, stdout, stderr, now) // webhooks.go
	case "privacy":
		return privacyCommand(ctx, rest, getenv, stdout, stderr, now) // privacy.go
	case "openapi":
		return openAPICommand(rest, stdout) // openapi_cmd.go
	case "version", "--version", "-version":
		if len(rest) > 0 {
			return commandHelp(ctx, "version", stdout, stderr)
		}
		fmt.Fprintln(stdout, "concierge", versionString())
		return nil
	case "help", "--help", "-help", "-h":
		if len(rest) > 1 {
			return usagef("help", "help: one command at most, got %s", strings.Join(rest, " "))
		}
		if len(rest) == 1 {
			return commandHelp(ctx, rest[0], stdout, stderr)
		}
		printHelp(stdout)
		return nil
	default:
		return usagef("", "unknown command %q", cmd)
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

// openStore opens the database named by cfg.DB, applying migrations: PostgreSQL for a
// postgres:// or postgresql:// URL, else a SQLite file.
func openStore(ctx context.Context, cfg config, logger *slog.Logger) (concierge.Store, error) {
	store, _, err := openNodeStore(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	return store, nil
}

// instrumentedStore is a store that also publishes its own metrics and announces its commits
// to the live hub (either engine).
type instrumentedStore interface {
	concierge.Store
	Instrument(prometheus.Registerer)
	live.Announcer
}

// openNodeStore is openStore for a server: besides the store it returns what several nodes
// share through their database (nodes.go): a PostgreSQL database, nil with SQLite.
func openNodeStore(ctx context.Context, cfg config, logger *slog.Logger) (instrumentedStore, sharedState, error) {
	if isPostgres(cfg.DB) {
		db, err := postgres.Open(ctx, cfg.DB, logger)
		if err != nil {
			return nil, nil, err
		}
		return db, db, nil
	}
	db, err := sqlite.Open(ctx, cfg.DB, logger)
	if err != nil {
		return nil, nil, err
	}
	return db, nil, nil
}

func migrate(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	logger, err := newLogger(stderr, cfg.LogLevel)
	if err != nil {
		return err
	}
	if isPostgres(cfg.DB) {
		return migratePostgres(ctx, cfg, stdout, logger) // nodes.go
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

// newService returns a Service for cfg with the caches of internal/storecache: properties,
// outlets and service centers read through a store decorator, time zones loaded once.
func newService(cfg concierge.Config) (*concierge.Service, error) {
	if cfg.Store != nil {
		cfg.Store = storecache.New(cfg.Store, storecache.Options{})
	}
	cfg.TimeZones = new(storecache.Zones)
	return concierge.NewService(cfg)
}

// tokenAdapter lets the domain sign and verify tokens without knowing their format.
type tokenAdapter struct{ k *sessiontoken.Keyring }

func (a tokenAdapter) Sign(id int64, t time.Time) string { return a.k.Sign(id, t) }

func (a tokenAdapter) Verify(tok string) (int64, error) {
	c, err := a.k.Parse(tok)
	return c.SessionID, err
}

// limiter returns a keyed limiter, or nil (unlimited) when perSecond ≤ 0.
func limiter(perSecond float64, burst int, now func() time.Time, opts ...ratelimit.Option) v40.Limiter {
	if perSecond <= 0 {
		return nil
	}
	return ratelimit.New(perSecond, burst, now, opts...)
}

func serve(ctx context.Context, cfg config, stdout, stderr io.Writer, now func() time.Time) error {
	logger, err := newLogger(stderr, cfg.LogLevel)
	if err != nil {
		return err
	}
	translator, err := translate.New(cfg.Translator, translate.Options{URL: cfg.TranslatorURL, APIKey: cfg.TranslatorKey, Now: now})
	if err != nil {
		return err
	}
	metricsAuth, err := metricsToken(cfg) // metrics.go
	if err != nil {
		return err
	}
	cors, err := corsPolicy(cfg)
	if err != nil {
		return err
	}
	store, shared, err := openNodeStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer store.Close()
	reg := newRegistry()
	store.Instrument(reg)
	counters := metrics.NewCounters(reg)
	metrics.RegisterTranslationQueue(reg, store.TranslationQueue, now, logger)
	// Several nodes on one PostgreSQL database share the signing keys, rate limits and
	// back-off through it (nodes.go); with SQLite they stay in the process and the key file.
	var keys *sessiontoken.Keyring
	if shared != nil && cfg.SessionKey == "" && cfg.SessionKeyFile == "" {
		keys, err = databaseKeyring(ctx, shared, now, logger)
	} else {
		keys, err = keyring(cfg, logger)
	}
	if err != nil {
		return err
	}
	guards := newBackoffs(cfg, shared, now, logger) // guards.go
	limit := func(scope string, perSecond float64, burst int) v40.Limiter {
		return limiter(perSecond, burst, now, ratelimit.MaxKeys(cfg.RateMaxKeys))
	}
	if shared != nil {
		limit = func(scope string, perSecond float64, burst int) v40.Limiter {
			return sharedLimiter(shared, scope, perSecond, burst, now, logger)
		}
	}

	demoLoaded := false // into an empty database: its conversations follow once the service runs
	if cfg.Demo {
		loaded, err := demo.Load(ctx, store, now(), password.Default)
		if err != nil {
			return fmt.Errorf("loading demo data: %w", err)
		}
		demoLoaded = loaded
		if loaded {
			logger.Info("demo data loaded")
		}
		logger.Warn("demo staff users have a published password: never use --demo in production",
			"users", "admin, frontdesk, roomservice")
		fmt.Fprintf(stdout, "WARNING: demo mode. Staff users admin, frontdesk and roomservice have the password %q,\n"+
			"and the interface token is %q. They are for the demo only: never use them in production.\n",
			demo.Password, demo.InterfaceToken)
	}

	// Translation (SPEC §7): messages queue jobs in the store; the worker (made below with the
	// hub it waits on, before any request is served) runs them.
	_, translatorOff := translator.(translate.None)
	var worker *translate.Worker

	// Webhooks (SPEC §8) reach public addresses and the allow-list only (webhooks.go).
	hookPolicy, err := webhookPolicy(cfg.WebhookAllowCIDR)
	if err != nil {
		return err
	}
	trusted, err := clientaddr.ParseTrusted(cfg.TrustedProxies)
	if err != nil {
		return fmt.Errorf("--trusted-proxies: %w", err)
	}
	svc, err := newService(concierge.Config{
		Store:         store,
		Tokens:        tokenAdapter{keys},
		Verifications: guards.verifications,
		LoginGuard:    guards.login,
		Logger:        logger,
		Now:           now,
		StayGrace:     cfg.SessionGrace,
		IdleTimeout:   cfg.SessionIdle,

		VerificationAddresses: guards.verifyAddrs,
		LoginAddresses:        guards.loginAddrs,
		PasswordHashes:        cfg.PasswordHashes,

		Translation: !translatorOff,

		WebhookTargets: webhook.Targets{Policy: hookPolicy},
		GuestQuotas: concierge.GuestQuotas{MessagesPerConversation: cfg.GuestMessagesPerConversation,
			MessagesPerDay: cfg.GuestMessagesPerDay, ConversationsPerDay: cfg.GuestConversationsPerDay},
		Counters: counters,
	})
	if err != nil {
		return err
	}
	reg.MustRegister(passwordHashMetrics(svc)...) // guards.go
	if demoLoaded && cfg.DemoConversations {
		if err := demo.LoadConversations(ctx, svc); err != nil {
			return fmt.Errorf("loading demo conversations: %w", err)
		}
	}

	// One live feed: the hub's position is the newest committed event. The store advances it
	// after every commit that appended events (a poll below catches events written by other
	// processes on the same database); streams, the webhook dispatcher and the translation
	// worker all wait on it (a message that queues a translation commits with its
	// message.created event).
	latest, err := svc.LatestEventSeq(ctx)
	if err != nil {
		return err
	}
	hub := live.NewHub(latest)
	defer hub.Follow(store)()
	if !translatorOff {
		worker, err = translate.NewWorker(translate.WorkerConfig{Store: store, Translator: translator,
			Commits: hub, Logger: logger.With("component", "translate"), Now: now, Timeout: cfg.TranslatorTimeout,
			MaxAttempts: cfg.TranslatorAttempts, MaxBackoff: cfg.TranslatorBackoff, Metrics: translate.NewMetrics(reg)})
		if err != nil {
			return err
		}
	}
	events := live.Options{Hub: hub, Heartbeat: cfg.EventHeartbeat, Metrics: live.NewMetrics(reg, now), Logger: logger,
		AllowOrigin: cors.Allows}
	streams := live.NewStreamLimit(cfg.EventStreams)
	// /metrics is served on --addr, or on --debug-addr only (--metrics-on-debug-addr).
	metricsHandler, publicMetrics := httpserver.MetricsHandler(reg, metricsAuth), http.Handler(nil)
	if !cfg.MetricsOnDebugAddr {
		publicMetrics = metricsHandler
	}
	handler, err := httpserver.NewServer(httpserver.Config{
		Service:     svc,
		Logger:      logger,
		Registry:    reg,
		Idempotency: store,
		Now:         now,
		PerAddress:  counters.CountRefusals(metrics.LimitAddress, limit("address", cfg.RateAddress, cfg.RateAddressBurst)),
		Guest: v40.Options{
			PerSession:        counters.CountRefusals(metrics.LimitSession, limit("session", cfg.RateSession, cfg.RateSessionBurst)),
			PerInterfaceToken: counters.CountRefusals(metrics.LimitInterfaceToken, limit("interface-token", cfg.RateInterface, cfg.RateInterfaceBurst)),
			Events:            events,
			Streams:           streams,
		},
		Staff:   staffapi.Options{Events: events, Streams: streams},
		Metrics: publicMetrics,
		CORS:    cors,
		// Behind a reverse proxy: whose Forwarded/X-Forwarded-For names the client.
		TrustedProxies: trusted,
	})
	if err != nil {
		return err
	}

	// The live heap is small (tens of MB) and allocation-heavy (JSON, SQL rows): collecting at
	// 3× the live heap instead of 2× (GOGC 200, not 100) spends less CPU in the collector, for
	// some memory; 400 measured no faster than 200 and held ~100 MB more with 10,000 streams
	// (docs/benchmarks.md).
	if !cfg.GOGCSet {
		debug.SetGCPercent(cfg.GCPercent)
	}
	if cfg.DebugAddr != "" {
		var debugMetrics http.Handler
		if cfg.MetricsOnDebugAddr {
			debugMetrics = metricsHandler
		}
		stopDebug, err := startDebug(cfg.DebugAddr, debugMetrics, stdout, logger)
		if err != nil {
			return err
		}
		defer stopDebug()
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
	logger.Info("listening", "addr", addr, "db", redactDB(cfg.DB), "version", version, "trusted_proxies", trusted.String())
	fmt.Fprintf(stdout, "Concierge listening on http://%s\n", addr)

	// Idempotency keys are kept 48 h (SPEC §10 asks for at least 24 h).
	janitorCtx, stopJanitor := context.WithCancel(ctx)
	defer stopJanitor()
	// Every background loop is supervised: a panic is logged and the loop started again.
	background := func(name string, loop func(context.Context)) { go supervise.Loop(janitorCtx, logger, name, loop) }
	background("idempotency janitor", func(ctx context.Context) {
		idempotency.Prune(ctx, store, 48*time.Hour, time.Hour, now, logger)
	})
	background("event janitor", func(ctx context.Context) {
		live.Prune(ctx, svc.PruneEvents, cfg.EventRetention, time.Hour, now, logger)
	})
	background("event poll", func(ctx context.Context) { live.Poll(ctx, hub, svc.LatestEventSeq, time.Second, logger) })
	// Wake only the streams an event concerns (its guest's, its property's staff).
	background("event hub", func(ctx context.Context) { hub.Dispatch(ctx, svc.EventTopics) })
	// Webhook deliveries and the retention job (webhooks.go, privacy.go); both stop before
	// the store closes.
	defer startWebhooks(janitorCtx, cfg, svc, hub, hookPolicy, webhook.NewMetrics(reg), logger)()
	defer startRetention(janitorCtx, svc, cfg.RetentionInterval, counters, logger)()
	if shared != nil {
		background("shared limits janitor", func(ctx context.Context) { pruneShared(ctx, shared, time.Hour, now, logger) })
	}
	if worker != nil {
		logger.Info("translation on", "translator", cfg.Translator, "url", cfg.TranslatorURL)
		workerDone := make(chan struct{})
		go func() { supervise.Loop(janitorCtx, logger, "translation worker", worker.Run); close(workerDone) }()
		defer func() { stopJanitor(); <-workerDone }() // the store closes after the worker stops
	}

	errc := make(chan error, 1)
	// Requests net/http cannot read (bad request line, headers too large) are answered in the
	// API's error shape too (httpserver.ProtocolErrors).
	go func() { errc <- srv.Serve(httpserver.ProtocolErrors(ln, srv.MaxHeaderBytes)) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	// ctx has ended: the shutdown gets a deadline of its own, keeping ctx's values.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
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
