package concierge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"
)

// SessionTokens signs and verifies guest session tokens (SPEC §3.4).
type SessionTokens interface {
	// Sign returns a token naming the session, issued at issuedAt.
	Sign(sessionID int64, issuedAt time.Time) string
	// Verify returns the session id a token names, or an error when the token is malformed or
	// its signature does not verify under any accepted key.
	Verify(token string) (int64, error)
}

// VerificationGuard slows down repeated failed attempts per key (guest verifications of one
// property and room, staff logins of one username from one address, failures from one address).
// An attempt is counted as a failure when it begins, so that attempts made at the same time are
// all counted, and taken back when it does not fail. A key without failures is never refused.
//
// Every method takes the context of the request the attempt belongs to: a guard kept elsewhere
// (a shared database) gives up its call when ctx ends. The Service calls Forgive and Succeed
// with a context that is not cancelled with the request (context.WithoutCancel), so that a
// client leaving does not leave its counted attempt behind.
type VerificationGuard interface {
	// Check reports whether an attempt may be made for key now, and if not for how long the
	// caller must wait. It counts nothing.
	Check(ctx context.Context, key string) (ok bool, retryAfter time.Duration)
	// Attempt is Check and, when an attempt may be made, counts it as a failure at once;
	// failures is key's count including it. A refused attempt counts nothing.
	Attempt(ctx context.Context, key string) (ok bool, failures int, retryAfter time.Duration)
	// Forgive takes back one failure counted by Attempt, for an attempt that did not fail.
	Forgive(ctx context.Context, key string)
	// Succeed clears key's failures.
	Succeed(ctx context.Context, key string)
}

// Config holds what a Service needs. Store and Tokens are required; the rest has defaults.
type Config struct {
	Store         Store
	Tokens        SessionTokens
	Verifications VerificationGuard // nil: failed verifications are not slowed down
	Logger        *slog.Logger      // nil: discard
	Now           func() time.Time  // nil: time.Now
	TimeZones     TimeZones         // nil: each zone is loaded from the zone database when needed

	// VerificationAddresses slows down client addresses from which the verification of many
	// different rooms failed (each room counts once); nil: it does not.
	VerificationAddresses VerificationGuard

	// StayGrace is how long after the end of its stay's departure day (property time) a
	// verified session keeps working. Default 24 h.
	StayGrace time.Duration
	// IdleTimeout ends a session without a stay after this long without use. Default 24 h.
	IdleTimeout time.Duration

	// LoginGuard slows down failed staff logins per username and client address together;
	// nil: they are not slowed down.
	LoginGuard VerificationGuard
	// LoginAddresses slows down client addresses from which the logins of many different
	// usernames failed (each username counts once); nil: it does not.
	LoginAddresses VerificationGuard
	// PasswordHashes is how many password hashes (argon2id, password.Default.Memory each) may
	// run at once; a few more callers per slot wait, the rest get RateLimited. ≤ 0: GOMAXPROCS.
	PasswordHashes int
	// StaffSessionTTL is how long a staff login's bearer token works. Default 12 h.
	StaffSessionTTL time.Duration

	// Translation turns translation on (SPEC §7): messages a reader needs in another language
	// queue a translation job with the message. Off: nothing is queued.
	Translation bool

	// WebhookTargets checks the URLs of webhooks (service_webhook.go); nil: every http(s)
	// URL is accepted.
	WebhookTargets WebhookTargets

	// GuestQuotas bounds what a non-verified guest may write (service_quota.go); zero: no
	// bound.
	GuestQuotas GuestQuotas
	// Counters is told of failed logins, back-off refusals and erasures (metrics); nil:
	// nothing is counted.
	Counters Counters
}

// Service applies Concierge's business rules on top of a Store. It is safe for concurrent use.
type Service struct {
	store         Store
	conversations Conversations // conversation_writes.go
	orders        Orders        // order_writes.go
	erasures      Erasures      // erasure_writes.go
	sessions      GuestSessions // session_writes.go
	credentials   Credentials   // credential_writes.go
	configuration Configuration // configuration_writes.go
	tokens        SessionTokens
	verifications VerificationGuard
	verifyAddrs   VerificationGuard
	logger        *slog.Logger
	now           func() time.Time
	stayGrace     time.Duration
	idleTimeout   time.Duration
	staff         staffAuth  // service_staff.go
	events        eventCache // event_cache.go
	// credGen counts changes to guest sessions, staff logins, staff users and API keys, so
	// that live streams re-check their credential only when one may have changed.
	credGen atomic.Int64

	zones TimeZones // Config.TimeZones, never nil
	// owners caches the owners of conversations for the live-event paths (conversation_owner.go).
	owners ownerCache

	// translation: Config.Translation.
	translation bool

	webhookTargets WebhookTargets // service_webhook.go
	quotas         GuestQuotas    // service_quota.go
	counters       Counters       // Config.Counters, never nil
	eventTickets   eventTickets   // event_ticket.go
}

// NewService returns a Service for cfg; it errors when Store or Tokens is missing.
func NewService(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Tokens == nil {
		return nil, errors.New("concierge: Config needs a Store and Tokens")
	}
	s := &Service{
		store:         cfg.Store,
		tokens:        cfg.Tokens,
		verifications: cfg.Verifications,
		verifyAddrs:   cfg.VerificationAddresses,
		logger:        cfg.Logger,
		now:           cfg.Now,
		stayGrace:     cfg.StayGrace,
		idleTimeout:   cfg.IdleTimeout,

		translation: cfg.Translation,
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.zones = cfg.TimeZones
	if s.zones == nil {
		s.zones = zoneDatabase{}
	}
	if s.stayGrace <= 0 {
		s.stayGrace = 24 * time.Hour
	}
	if s.idleTimeout <= 0 {
		s.idleTimeout = 24 * time.Hour
	}
	s.conversations = NewConversations(cfg.Store)
	s.orders = NewOrders(cfg.Store, s.translationTarget)
	s.erasures = NewErasures(cfg.Store, s.now)
	s.sessions = NewGuestSessions(cfg.Store)
	s.credentials = NewCredentials(cfg.Store, s.now)
	s.configuration = NewConfiguration(cfg.Store)
	s.staff = newStaffAuth(cfg)
	s.webhookTargets = cfg.WebhookTargets
	s.quotas = cfg.GuestQuotas
	s.counters = cfg.Counters
	if s.counters == nil {
		s.counters = noCounters{}
	}
	return s, nil
}

// Ping reports whether the store is reachable with its migrations applied.
func (s *Service) Ping(ctx context.Context) error { return s.store.Ping(ctx) }

// internal wraps an unexpected store error: the caller sees a generic InternalError, the log
// gets the details.
func (s *Service) internal(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	s.logger.ErrorContext(ctx, "store failure", "op", op, "err", err)
	return &Error{Code: CodeInternal, Message: "An internal error occurred.", internalCause: fmt.Errorf("%s: %w", op, err)}
}

// location returns the property's time zone (UTC when its name is unknown) from Config.TimeZones.
func (s *Service) location(p Property) *time.Location { return s.zones.Location(p.TimeZone) }
