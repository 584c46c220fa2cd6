package metrics

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"concierge/internal/concierge"
)

type refuseAll struct{}

func (refuseAll) Allow(context.Context, string) (bool, time.Duration) { return false, time.Second }

func TestCounters(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	c := NewCounters(reg)
	c.StaffLoginFailed("wrong_password")
	c.Refused(LimitStaffLogin)
	c.GuestDataErased("retention", concierge.Erasure{OwnerErased: true, Conversations: 2})
	c.GuestDataErased("retention", concierge.Erasure{Held: 1}) // kept under a legal hold: nothing erased
	c.RetentionRun(nil)
	c.RetentionRun(errors.New("boom"))
	l := c.CountRefusals(LimitAddress, refuseAll{})
	l.Allow(t.Context(), "a")
	l.Allow(t.Context(), "b")
	if c.CountRefusals(LimitSession, nil) != nil {
		t.Error("CountRefusals of no limiter is not nil")
	}
	for series, want := range map[string]float64{
		`concierge_staff_login_failures_total{reason="wrong_password"}`: 1,
		`concierge_staff_login_failures_total{reason="user_disabled"}`:  0,
		`concierge_rate_limit_refusals_total{limit="staff_login"}`:      1,
		`concierge_rate_limit_refusals_total{limit="address"}`:          2,
		`concierge_guest_data_erasures_total{cause="retention"}`:        1,
		`concierge_retention_runs_total{result="ok"}`:                   1,
		`concierge_retention_runs_total{result="error"}`:                1,
	} {
		if got, ok := gathered(t, reg)[series]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", series, got, ok, want)
		}
	}
}

// gathered returns every series of reg by its name and labels as the text format writes them.
func gathered(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+`="`+l.GetValue()+`"`)
			}
			name := mf.GetName()
			if len(labels) > 0 {
				name += "{" + strings.Join(labels, ",") + "}"
			}
			switch {
			case m.Counter != nil:
				out[name] = m.GetCounter().GetValue()
			case m.Gauge != nil:
				out[name] = m.GetGauge().GetValue()
			}
		}
	}
	return out
}

func TestTranslationQueueAndPools(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	fail := false
	RegisterTranslationQueue(reg, func(context.Context) (concierge.TranslationQueue, error) {
		if fail {
			return concierge.TranslationQueue{}, errors.New("database gone")
		}
		return concierge.TranslationQueue{Pending: 3, Oldest: now.Add(-90 * time.Second)}, nil
	}, func() time.Time { return now }, slog.New(slog.DiscardHandler))
	NewDB(reg, func() []PoolStats {
		return []PoolStats{{Pool: "p", Max: 8, InUse: 2, Idle: 1, Waits: 4, WaitTime: 1500 * time.Millisecond}}
	}).Committed(5, now)
	got := gathered(t, reg)
	for series, want := range map[string]float64{
		`concierge_translation_queue_depth`:                      3,
		`concierge_translation_queue_oldest_age_seconds`:         90,
		`concierge_db_pool_connections{pool="p",state="in_use"}`: 2,
		`concierge_db_pool_connections{pool="p",state="idle"}`:   1,
		`concierge_db_pool_max_connections{pool="p"}`:            8,
		`concierge_db_pool_waits_total{pool="p"}`:                4,
		`concierge_db_pool_wait_seconds_total{pool="p"}`:         1.5,
	} {
		if v, ok := got[series]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", series, v, ok, want)
		}
	}
	// A failed read leaves the queue out of the scrape instead of failing it.
	fail = true
	if _, ok := gathered(t, reg)[`concierge_translation_queue_depth`]; ok {
		t.Error("the queue depth is reported after a failed read")
	}
}
