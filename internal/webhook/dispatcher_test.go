package webhook

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"concierge/internal/concierge"
)

// idleService is a Service with no webhooks that counts how often the list is read; its
// other methods panic.
type idleService struct {
	Service
	lists atomic.Int64
}

func (s *idleService) ActiveWebhooks(context.Context) ([]concierge.Webhook, error) {
	s.lists.Add(1)
	return nil, nil
}

// TestDispatcherIdleOnEvents checks that events do not make the dispatcher read the webhook
// list (which cost CPU and a store read per event with no webhook configured): it reads it at
// start and then only once per Poll.
func TestDispatcherIdleOnEvents(t *testing.T) {
	t.Parallel()
	svc := &idleService{}
	d := New(Config{Service: svc, Render: func(string, concierge.WebhookEvent) ([]byte, error) { return nil, nil },
		Poll: time.Hour})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	// d.wake holds one wake-up: each send below waits until Run took the one before.
	for range 100 {
		d.wake <- struct{}{}
	}
	cancel()
	<-done
	if n := svc.lists.Load(); n != 1 {
		t.Errorf("webhook list read %d times for 100 events, want 1 (at start)", n)
	}
}
