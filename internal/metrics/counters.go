package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"concierge/internal/concierge"
)

// Limit names of the rate limits and back-offs, the values of the label limit of
// concierge_rate_limit_refusals_total.
const (
	LimitAddress           = "address"            // requests per client address
	LimitSession           = "session"            // guest API requests per session
	LimitInterfaceToken    = "interface_token"    // session initialisations per interface token
	LimitStaffLogin        = "staff_login"        // back-off after failed staff logins
	LimitGuestVerification = "guest_verification" // back-off after failed guest verifications
)

// Counters are the collectors of the domain's events (concierge.Counters), of rate-limit
// refusals and of retention runs.
type Counters struct {
	loginFailures *prometheus.CounterVec
	refusals      *prometheus.CounterVec
	erased        *prometheus.CounterVec
	retention     *prometheus.CounterVec
}

var _ concierge.Counters = (*Counters)(nil)

// NewCounters registers the counters on reg, every known label value present at zero. It
// panics when they are registered twice, like prometheus.MustRegister.
func NewCounters(reg prometheus.Registerer) *Counters {
	c := &Counters{
		loginFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "concierge_staff_login_failures_total",
			Help: "Refused staff logins, by reason (wrong_password, unknown_username, user_disabled).",
		}, []string{"reason"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "concierge_rate_limit_refusals_total",
			Help: "Requests refused by a rate limit or back-off, by limit.",
		}, []string{"limit"}),
		erased: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "concierge_guest_data_erasures_total",
			Help: "Stays and guests whose data was erased, by cause (request, retention).",
		}, []string{"cause"}),
		retention: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "concierge_retention_runs_total",
			Help: "Runs of the retention job, by result (ok, error).",
		}, []string{"result"}),
	}
	for _, r := range []string{"wrong_password", "unknown_username", "user_disabled"} {
		c.loginFailures.WithLabelValues(r)
	}
	for _, l := range []string{LimitAddress, LimitSession, LimitInterfaceToken, LimitStaffLogin, LimitGuestVerification} {
		c.refusals.WithLabelValues(l)
	}
	for _, cause := range []string{"request", "retention"} {
		c.erased.WithLabelValues(cause)
	}
	for _, r := range []string{"ok", "error"} {
		c.retention.WithLabelValues(r)
	}
	reg.MustRegister(c.loginFailures, c.refusals, c.erased, c.retention)
	return c
}

// StaffLoginFailed counts a refused staff login.
func (c *Counters) StaffLoginFailed(reason string) { c.loginFailures.WithLabelValues(reason).Inc() }

// Refused counts a request refused by the rate limit or back-off named limit.
func (c *Counters) Refused(limit string) { c.refusals.WithLabelValues(limit).Inc() }

// GuestDataErased counts an erased stay or guest; an erasure that kept the owner (its
// conversations are under a legal hold) and erased no conversation is not counted.
func (c *Counters) GuestDataErased(cause string, e concierge.Erasure) {
	if e.OwnerErased || e.Conversations > 0 {
		c.erased.WithLabelValues(cause).Inc()
	}
}

// RetentionRun counts a run of the retention job that ended with err (nil: ok).
func (c *Counters) RetentionRun(err error) {
	if err != nil {
		c.retention.WithLabelValues("error").Inc()
		return
	}
	c.retention.WithLabelValues("ok").Inc()
}

// Limiter is a keyed rate limiter (v40.Limiter).
type Limiter interface {
	Allow(ctx context.Context, key string) (ok bool, retryAfter time.Duration)
}

// CountRefusals returns l counting its refusals under the name limit; nil when l is nil
// (unlimited).
func (c *Counters) CountRefusals(limit string, l Limiter) Limiter {
	if l == nil {
		return nil
	}
	return countingLimiter{l: l, refused: c.refusals.WithLabelValues(limit)}
}

// countingLimiter is a Limiter that counts its refusals.
type countingLimiter struct {
	l       Limiter
	refused prometheus.Counter
}

// Allow asks the limiter it wraps and counts a refusal.
func (c countingLimiter) Allow(ctx context.Context, key string) (bool, time.Duration) {
	ok, wait := c.l.Allow(ctx, key)
	if !ok {
		c.refused.Inc()
	}
	return ok, wait
}
