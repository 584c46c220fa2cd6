package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"concierge/internal/pgtest"
	"concierge/internal/postgres"
)

// TestSharedLimitsFailOpen: when the database behind the shared rate limits and back-off
// fails, requests and attempts are let through (they then meet the same database) and the
// failure is logged; a working database limits.
func TestSharedLimitsFailOpen(t *testing.T) {
	db, err := postgres.Open(context.Background(), pgtest.NewDatabase(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	now := func() time.Time { return time.Unix(1_800_000_000, 0) }
	lim := sharedLimiter(db, "session", 0.001, 1, now, logger)
	guard := pgGuard{db: db, scope: "login", policy: postgres.GuardPolicy{Free: 0, Base: time.Minute, MaxDelay: time.Hour, Window: time.Hour}, now: now, logger: logger}
	if ok, _ := lim.Allow(t.Context(), "k"); !ok {
		t.Fatal("first request refused")
	}
	if ok, wait := lim.Allow(t.Context(), "k"); ok || wait <= 0 {
		t.Fatalf("second request: ok %v wait %v, want refused", ok, wait)
	}
	if ok, n, _ := guard.Attempt(t.Context(), "k"); !ok || n != 1 {
		t.Fatalf("first attempt: ok %v, failure %d; want allowed as the first", ok, n)
	}
	if ok, wait := guard.Check(t.Context(), "k"); ok || wait != time.Minute {
		t.Fatalf("after a failure: ok %v wait %v, want blocked for 1m", ok, wait)
	}
	if sharedLimiter(db, "session", 0, 1, now, logger) != nil {
		t.Fatal("a zero rate gives a limiter; want nil (unlimited)")
	}

	_ = db.Close()
	if ok, _ := lim.Allow(t.Context(), "k"); !ok {
		t.Fatal("refused when the database fails")
	}
	if ok, _ := guard.Check(t.Context(), "k"); !ok {
		t.Fatal("blocked when the database fails")
	}
	if ok, _, _ := guard.Attempt(t.Context(), "k"); !ok {
		t.Fatal("attempt refused when the database fails")
	}
	guard.Forgive(t.Context(), "k")
	guard.Succeed(t.Context(), "k")
	for _, want := range []string{"shared rate limit unavailable", "shared back-off unavailable; attempt allowed",
		"failure not recorded", "success not recorded"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("no %q in the log:\n%s", want, logs.String())
		}
	}
}
