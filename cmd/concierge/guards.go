package main

import (
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"concierge/internal/concierge"
	"concierge/internal/postgres"
	"concierge/internal/ratelimit"
)

// backoffs are the back-offs of failed guest verifications and staff logins (README "Rate
// limits"): in the process with SQLite, in the database with PostgreSQL (nodes.go). A nil
// guard slows nothing down.
type backoffs struct {
	verifications concierge.VerificationGuard // a property and room; a room from an address
	verifyAddrs   concierge.VerificationGuard // an address, counting rooms
	login         concierge.VerificationGuard // a username from an address
	loginAddrs    concierge.VerificationGuard // an address, counting usernames
}

// newBackoffs returns the back-offs cfg asks for, kept in shared when it is not nil.
func newBackoffs(cfg config, shared sharedGuards, now func() time.Time, logger *slog.Logger) backoffs {
	guard := func(scope string, p postgres.GuardPolicy) concierge.VerificationGuard {
		if shared != nil {
			return pgGuard{db: shared, scope: scope, policy: p, now: now, logger: logger}
		}
		return ratelimit.NewBackoff(p.Free, p.Base, p.MaxDelay, p.Window, now, ratelimit.MaxKeys(cfg.RateMaxKeys))
	}
	b := backoffs{
		verifications: guard("verification", verificationPolicy),
		login:         guard("login", loginPolicy),
	}
	if cfg.VerifyAddressRooms > 0 {
		b.verifyAddrs = guard("verification-address", addressPolicy(verificationPolicy, cfg.VerifyAddressRooms))
	}
	if cfg.LoginAddressUsers > 0 {
		b.loginAddrs = guard("login-address", addressPolicy(loginPolicy, cfg.LoginAddressUsers))
	}
	return b
}

// addressPolicy is the policy of a per-address back-off: p's, with free rooms or usernames
// failing before the address is slowed down.
func addressPolicy(p postgres.GuardPolicy, free int) postgres.GuardPolicy {
	p.Free = free
	return p
}

// passwordHashMetrics are the Prometheus collectors of svc's password hashes.
func passwordHashMetrics(svc *concierge.Service) []prometheus.Collector {
	stat := func(i int) func() float64 {
		return func() float64 {
			running, started, refused := svc.PasswordHashStats()
			return float64([]int64{running, started, refused}[i])
		}
	}
	return []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "concierge_password_hashes_running",
			Help: "Password hashes (staff logins, passwords set) running now; at most --password-hashes."}, stat(0)),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "concierge_password_hashes_total",
			Help: "Password hashes started (staff logins, passwords set)."}, stat(1)),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "concierge_password_hashes_refused_total",
			Help: "Staff logins and password changes refused (429) because too many password hashes were waiting."}, stat(2)),
	}
}
