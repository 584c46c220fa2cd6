package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// config is everything `concierge serve` and `concierge migrate` can be told. It is read only
// here, from flags and CONCIERGE_* environment variables (a flag given on the command line wins).
type config struct {
	Addr               string
	DB                 string
	Demo               bool
	DemoConversations  bool // with Demo: a few sample conversations too
	SessionKey         string
	SessionKeyPrevious string
	SessionKeyFile     string
	SessionGrace       time.Duration
	SessionIdle        time.Duration
	RateAddress        float64
	RateAddressBurst   int
	RateSession        float64
	RateSessionBurst   int
	RateInterface      float64
	RateInterfaceBurst int
	TrustedProxies     string // reverse proxies whose forwarding headers name the client
	RateMaxKeys        int    // keys each in-process limit and back-off tracks
	VerifyAddressRooms int    // rooms failing verification from one address before it is slowed
	LoginAddressUsers  int    // usernames failing login from one address before it is slowed
	PasswordHashes     int    // password hashes at once (0: GOMAXPROCS)
	LogLevel           string
	ShutdownTimeout    time.Duration
	EventRetention     time.Duration
	EventHeartbeat     time.Duration
	EventStreams       int
	Translator         string        // none, apertium or libretranslate (SPEC §7)
	TranslatorURL      string        // the provider's base URL
	TranslatorKey      string        // LibreTranslate API key
	TranslatorTimeout  time.Duration // one provider call
	TranslatorAttempts int           // attempts before a translation fails for good
	TranslatorBackoff  time.Duration // longest wait between two attempts
	// Webhooks (webhooks.go) and retention (privacy.go).
	WebhookAllowCIDR   string
	WebhookTimeout     time.Duration
	WebhookRetryMin    time.Duration
	WebhookRetryMax    time.Duration
	WebhookRetryWindow time.Duration
	RetentionInterval  time.Duration
	DebugAddr          string // pprof listener; empty: none
	// Metrics and browsers (metrics.go).
	MetricsToken       string // bearer token /metrics wants; empty: none
	MetricsOnDebugAddr bool   // /metrics on the --debug-addr listener only
	CORSOrigins        string // origins whose pages may call the APIs, comma-separated
	GCPercent          int    // the Go collector's target (debug.SetGCPercent)
	GOGCSet            bool   // the environment sets GOGC, which then wins over GCPercent

	// Quotas of a guest who is not verified (concierge.GuestQuotas); 0: no limit.
	GuestMessagesPerConversation int
	GuestMessagesPerDay          int
	GuestConversationsPerDay     int
	// SecretFiles holds the --NAME-file flags of the secrets (secretFlags): flag name → file.
	SecretFiles map[string]string
}

// secretFlags are the flags holding a secret. Each also has a --NAME-file flag (env
// CONCIERGE_NAME_FILE) naming a file that holds the secret instead, so that it need not
// appear in the command line or the environment (a mounted Docker or Kubernetes secret, a
// file readable by the service's user only). A new secret flag is one more line here.
var secretFlags = []struct {
	name  string
	value func(*config) *string
}{
	{"translator-key", func(c *config) *string { return &c.TranslatorKey }},
	{"metrics-token", func(c *config) *string { return &c.MetricsToken }},
}

// newFlagSet defines every flag on a fresh FlagSet bound to cfg.
func newFlagSet(name string, cfg *config, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "address to listen on, HOST:PORT")
	fs.StringVar(&cfg.DB, "db", "concierge.db", "SQLite database file, or a postgres:// (postgresql://) URL for PostgreSQL (several nodes may share one)")
	fs.BoolVar(&cfg.Demo, "demo", false, "load the demo data into an empty database")
	fs.BoolVar(&cfg.DemoConversations, "demo-conversations", true, "with --demo: also create a few sample conversations (false: an empty inbox)")
	fs.StringVar(&cfg.SessionKey, "session-key", "", "guest session signing key, hex (default: generated once and kept in --session-key-file)")
	fs.StringVar(&cfg.SessionKeyPrevious, "session-key-previous", "", "previous signing key, hex, still accepted during a rotation")
	fs.StringVar(&cfg.SessionKeyFile, "session-key-file", "", "file holding the signing keys (default: concierge.key next to a SQLite database; with PostgreSQL the keys are kept in the database, shared by every node)")
	fs.DurationVar(&cfg.SessionGrace, "session-grace", 24*time.Hour, "how long a verified session outlives its stay's departure day")
	fs.DurationVar(&cfg.SessionIdle, "session-idle", 24*time.Hour, "idle time after which a session without a stay expires")
	fs.Float64Var(&cfg.RateAddress, "rate-address", 100, "requests per second per client address (0: unlimited)")
	fs.IntVar(&cfg.RateAddressBurst, "rate-address-burst", 400, "burst of requests per client address")
	fs.Float64Var(&cfg.RateSession, "rate-session", 20, "requests per second per guest session (0: unlimited)")
	fs.IntVar(&cfg.RateSessionBurst, "rate-session-burst", 60, "burst of requests per guest session")
	fs.Float64Var(&cfg.RateInterface, "rate-interface-token", 100, "session initialisations per second per interface token (0: unlimited)")
	fs.IntVar(&cfg.RateInterfaceBurst, "rate-interface-token-burst", 500, "burst of initialisations per interface token")
	fs.IntVar(&cfg.GuestMessagesPerConversation, "guest-messages-per-conversation", 200, "messages a guest who is not verified may send in one conversation (0: unlimited)")
	fs.IntVar(&cfg.GuestMessagesPerDay, "guest-messages-per-day", 300, "messages a guest who is not verified may send in 24 hours (0: unlimited)")
	fs.IntVar(&cfg.GuestConversationsPerDay, "guest-conversations-per-day", 20, "conversations a guest who is not verified may start in 24 hours (0: unlimited)")
	fs.StringVar(&cfg.TrustedProxies, "trusted-proxies", "", "reverse proxies whose Forwarded or X-Forwarded-For header gives the client address (rate limits, back-off, logs, audit log), comma-separated CIDRs or addresses, e.g. 127.0.0.1/32; anyone else's header is ignored (default: none)")
	fs.IntVar(&cfg.RateMaxKeys, "rate-max-keys", 100_000, "keys (addresses, sessions, rooms, usernames) each limit and back-off kept in the process (SQLite) tracks; when full, the least recently used key not being slowed down is forgotten, never refused")
	fs.IntVar(&cfg.VerifyAddressRooms, "verify-address-rooms", 20, "different rooms whose verification may fail from one client address within 15 minutes before that address is slowed down (0: no per-address slow-down)")
	fs.IntVar(&cfg.LoginAddressUsers, "login-address-users", 10, "different usernames whose login may fail from one client address within 15 minutes before that address is slowed down (0: no per-address slow-down)")
	fs.IntVar(&cfg.PasswordHashes, "password-hashes", 0, "staff password checks (argon2id, 19 MiB each) run at once; 4 more per slot wait, the rest get 429 with Retry-After (0: GOMAXPROCS)")
	fs.StringVar(&cfg.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", 15*time.Second, "how long in-flight requests get to finish on shutdown")
	fs.DurationVar(&cfg.EventRetention, "event-retention", 168*time.Hour, "how long live events are kept for clients that resume")
	fs.DurationVar(&cfg.EventHeartbeat, "event-heartbeat", 15*time.Second, "interval of the heartbeat comment on idle event streams")
	fs.IntVar(&cfg.EventStreams, "event-streams-per-session", 5, "open event streams allowed per guest session or staff login (0: unlimited)")
	fs.StringVar(&cfg.Translator, "translator", "none", "translation provider: none, apertium or libretranslate")
	fs.StringVar(&cfg.TranslatorURL, "translator-url", "", "translation provider's URL, e.g. http://127.0.0.1:2737 for Apertium APy")
	fs.StringVar(&cfg.TranslatorKey, "translator-key", "", "API key for a LibreTranslate server that wants one")
	fs.DurationVar(&cfg.TranslatorTimeout, "translator-timeout", 10*time.Second, "how long one call to the translation provider may take")
	fs.IntVar(&cfg.TranslatorAttempts, "translator-attempts", 10, "attempts at a translation before it fails for good")
	fs.DurationVar(&cfg.TranslatorBackoff, "translator-backoff", 5*time.Minute, "longest wait between two attempts at a translation (from 1 s, doubling)")
	fs.StringVar(&cfg.WebhookAllowCIDR, "webhook-allow-cidr", "", "networks webhooks may reach besides public addresses, comma-separated CIDRs or addresses (e.g. 10.1.0.0/16)")
	fs.DurationVar(&cfg.WebhookTimeout, "webhook-timeout", 10*time.Second, "how long one webhook delivery attempt may take")
	fs.DurationVar(&cfg.WebhookRetryMin, "webhook-retry-min", time.Second, "first webhook retry backoff (doubling, full jitter)")
	fs.DurationVar(&cfg.WebhookRetryMax, "webhook-retry-max", time.Hour, "longest webhook retry backoff")
	fs.DurationVar(&cfg.WebhookRetryWindow, "webhook-retry-window", 24*time.Hour, "how long a webhook delivery is retried before it is dead")
	fs.DurationVar(&cfg.RetentionInterval, "retention-interval", time.Hour, "how often expired guest data is erased (0: never)")
	fs.IntVar(&cfg.GCPercent, "gc-percent", 200, "Go garbage collector target: heap growth, in percent of the live heap, before a collection (GOGC); higher trades memory for CPU; the environment's GOGC, when set, wins")
	if cfg.SecretFiles == nil {
		cfg.SecretFiles = map[string]string{}
	}
	for _, sf := range secretFlags {
		fs.Func(sf.name+"-file", "file holding the value of --"+sf.name+" (surrounding white space ignored), instead of the flag",
			func(file string) error { cfg.SecretFiles[sf.name] = file; return nil })
	}
	fs.StringVar(&cfg.DebugAddr, "debug-addr", "", "address of a separate listener serving Go's profiles (/debug/pprof/), HOST:PORT; keep it on loopback (default: none)")
	fs.StringVar(&cfg.MetricsToken, "metrics-token", "", "bearer token a scraper must send for /metrics (Authorization: Bearer …; default: none, /metrics is open)")
	fs.BoolVar(&cfg.MetricsOnDebugAddr, "metrics-on-debug-addr", false, "serve /metrics on the --debug-addr listener instead of --addr")
	fs.StringVar(&cfg.CORSOrigins, "cors-origins", "", "origins whose web pages may call the guest and staff APIs (CORS), comma-separated, e.g. https://app.example,https://ops.example, or * for any (default: none)")
	return fs
}

// envName is the environment variable of a flag: CONCIERGE_ and the name in upper case with
// dashes as underscores.
func envName(flagName string) string {
	return "CONCIERGE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseConfig parses args after applying the environment, so flags override variables. -h
// prints the command's help on out (errHelpShown); a bad flag or argument is a usageError.
func parseConfig(name string, args []string, getenv func(string) string, out io.Writer) (config, error) {
	var cfg config
	fs := newFlagSet(name, &cfg, out)
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if v := getenv(envName(f.Name)); v != "" && err == nil {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s: %w", envName(f.Name), e)
			}
		}
	})
	if err != nil {
		return cfg, err
	}
	if err := parseFlags(name, fs, args, out); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, usagef(name, "%s: unexpected arguments: %s", name, strings.Join(fs.Args(), " "))
	}
	if cfg.GuestMessagesPerConversation < 0 || cfg.GuestMessagesPerDay < 0 || cfg.GuestConversationsPerDay < 0 {
		return cfg, fmt.Errorf("guest quotas must not be negative (0: unlimited)")
	}
	cfg.GOGCSet = getenv("GOGC") != ""
	if err := readSecretFiles(&cfg); err != nil {
		return cfg, err
	}
	if cfg.SessionKeyFile == "" && !isPostgres(cfg.DB) { // PostgreSQL keeps them in the database
		cfg.SessionKeyFile = filepath.Join(filepath.Dir(cfg.DB), "concierge.key")
	}
	return cfg, nil
}

// readSecretFiles sets each secret given by a --NAME-file flag from its file. It returns an
// error when the secret is given both ways, or its file cannot be read or holds nothing but
// white space.
func readSecretFiles(cfg *config) error {
	for _, sf := range secretFlags {
		file := cfg.SecretFiles[sf.name]
		if file == "" {
			continue
		}
		if *sf.value(cfg) != "" {
			return fmt.Errorf("--%s and --%s-file (or %s and %s) are both set: give one", sf.name, sf.name,
				envName(sf.name), envName(sf.name+"-file"))
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("--%s-file: %w", sf.name, err)
		}
		secret := strings.TrimSpace(string(b))
		if secret == "" {
			return fmt.Errorf("--%s-file: %s is empty", sf.name, file)
		}
		*sf.value(cfg) = secret
	}
	return nil
}

// isPostgres reports whether the --db value names a PostgreSQL database.
func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// printHelp writes the usage of every subcommand, flag and environment variable.
func printHelp(w io.Writer) {
	fmt.Fprint(w, `Concierge: hotel guest messaging server.

Usage:
  concierge serve [flags]     run the server (SQLite file by default; --db postgres://… for
                              PostgreSQL, where several nodes may serve one database)
  concierge migrate [flags]   apply the database migrations (SQLite or PostgreSQL) and exit
  concierge rotate-key [flags] make a new session signing key; the old one stays accepted
                              (in the key file, or in the PostgreSQL database)
  concierge import stays|orders FILE --property CODE [--db PATH] [--log-level L]
                              import stays or orders from a CSV or JSON file
  concierge webhooks list|create|delete --property CODE [--url URL --kinds K,… --secret S | --id N]
                              manage a property's webhooks
  concierge privacy export|erase --property CODE (--booking-reference REF | --guest ID) [--out FILE] [--yes]
                              export or erase a guest's data; privacy retention runs retention now
  concierge openapi staff|guest
                              print the OpenAPI 3.1 document of the staff or the guest API
  concierge version           print the version
  concierge help [COMMAND]    print this help, or one command's

Flags (each also read from the environment variable shown):
`)
	var cfg config
	printFlags(w, newFlagSet("concierge", &cfg, io.Discard))
	fmt.Fprint(w, "\nRun 'concierge help COMMAND' or 'concierge COMMAND -h' for one command's usage and flags.\n")
}
