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

// steps is a Commits whose position advances by one each time Run takes a send on c.
type steps struct {
	c   chan struct{}
	pos atomic.Int64
}

func (s *steps) Latest() int64 { return s.pos.Load() }

func (s *steps) After(int64) <-chan struct{} { return s.c }

// TestDispatcherIdleOnEvents checks that events do not make the dispatcher read the webhook
// list (which cost CPU and a store read per event with no webhook configured): it reads it at
// start and then only once per Poll.
func TestDispatcherIdleOnEvents(t *testing.T) {
	t.Parallel()
	svc := &idleService{}
	commits := &steps{c: make(chan struct{})}
	d := New(Config{Service: svc, Render: func(string, concierge.WebhookEvent) ([]byte, error) { return nil, nil },
		Commits: commits, Poll: time.Hour})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	// Each send below is an advance of the position, taken by Run's wait.
	for range 100 {
		commits.pos.Add(1)
		commits.c <- struct{}{}
	}
	cancel()
	<-done
	if n := svc.lists.Load(); n != 1 {
		t.Errorf("webhook list read %d times for 100 events, want 1 (at start)", n)
	}
}
