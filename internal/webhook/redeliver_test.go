package webhook

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"concierge/internal/concierge"
	"concierge/internal/demo"
	"concierge/internal/password"
	"concierge/internal/sqlite"
)

// noTokens is a concierge.SessionTokens for services that serve no guest.
type noTokens struct{}

func (noTokens) Sign(int64, time.Time) string { return "" }
func (noTokens) Verify(string) (int64, error) { return 0, errors.New("no guest sessions here") }

// waitFor is how long a test waits for something the dispatcher does (generous: it fails only
// when the thing never happens).
const waitFor = 30 * time.Second

// TestRedeliveryDuringAttempt: a manager's redelivery that lands while an attempt of the same
// delivery is in flight is not overwritten by that attempt's outcome: the delivery is POSTed
// again (same delivery id) and ends delivered after the redelivery's own attempt.
func TestRedeliveryDuringAttempt(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "concierge.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if _, err := demo.Load(ctx, st, time.Now(), password.Params{Memory: 64, Time: 1, Threads: 1}); err != nil {
		t.Fatal(err)
	}
	svc, err := concierge.NewService(concierge.Config{Store: st, Tokens: noTokens{}})
	if err != nil {
		t.Fatal(err)
	}
	admin := &concierge.Principal{Role: concierge.RoleAdmin}

	// The receiver holds the first POST until release is closed, then answers 200 to all.
	first := make(chan string, 1)   // the delivery id of the first POST
	release := make(chan struct{})  // closed once the test has redelivered
	later := make(chan string, 16)  // the delivery ids of the POSTs after the first
	posts := make(chan struct{}, 1) // the first POST's token: only one request takes it
	posts <- struct{}{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(HeaderDeliveryID)
		select {
		case <-posts:
			first <- id
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
		default:
			later <- id
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})

	hook, err := svc.CreateWebhook(ctx, admin, "DEMO", concierge.WebhookInput{URL: srv.URL,
		Kinds: []string{string(concierge.EventConversationUpdated)}})
	if err != nil {
		t.Fatal(err)
	}
	prop, err := st.PropertyByCode(ctx, "DEMO")
	if err != nil {
		t.Fatal(err)
	}
	outlet, err := st.OutletByCode(ctx, prop.ID, "FRONTDESK")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	conv := concierge.Conversation{Code: "CRACE1", PropertyID: prop.ID, OutletID: outlet.ID, Subject: outlet.Name,
		Status: concierge.ConversationOpen, GuestLanguage: "en", CreatedAt: now, UpdatedAt: now}
	if err := concierge.NewConversations(st).Create(ctx, &conv, nil); err != nil { // one conversation.updated event
		t.Fatal(err)
	}

	d := New(Config{Service: svc,
		Render: func(id string, e concierge.WebhookEvent) ([]byte, error) {
			return []byte(`{"deliveryId":"` + id + `"}`), nil
		},
		Policy:  Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}},
		Timeout: waitFor, RetryMin: 10 * time.Millisecond, RetryMax: 40 * time.Millisecond, Poll: 20 * time.Millisecond})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { d.Run(runCtx); close(done) }()
	t.Cleanup(func() { stop(); <-done })

	var id string
	select {
	case id = <-first:
	case <-time.After(waitFor):
		t.Fatal("the receiver never got the first POST")
	}
	n, err := svc.Redeliver(ctx, admin, "DEMO", hook.ID, concierge.Redelivery{ID: id})
	if err != nil || n != 1 {
		t.Fatalf("Redeliver(%s) = %d, %v", id, n, err)
	}
	close(release) // the attempt in flight now succeeds, after the redelivery

	select {
	case again := <-later:
		if again != id {
			t.Fatalf("second POST of delivery %s, want %s (the redelivered one)", again, id)
		}
	case <-time.After(waitFor):
		t.Fatalf("delivery %s was not POSTed again: the attempt in flight overwrote its redelivery", id)
	}
	var got concierge.WebhookDelivery
	deadline := time.Now().Add(waitFor)
	for {
		got, err = svc.WebhookDelivery(ctx, admin, "DEMO", hook.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != concierge.DeliveryPending || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got.Status != concierge.DeliveryDelivered || got.Attempts != 1 || got.LastStatus != http.StatusOK ||
		got.DeliveredAt == nil {
		t.Errorf("delivery after the redelivery's attempt: %+v, want delivered after 1 attempt", got)
	}
	select {
	case extra := <-later:
		t.Errorf("delivery %s POSTed again after it was delivered", extra)
	default:
	}
}
