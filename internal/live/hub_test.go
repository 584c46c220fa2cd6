package live

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

func TestHubWakesByPosition(t *testing.T) {
	t.Parallel()
	h := NewHub(5)
	if seq, err := h.Wait(t.Context(), 4); err != nil || seq != 5 {
		t.Fatalf("Wait(4) at 5 = %d, %v", seq, err)
	}
	select {
	case <-h.After(5):
		t.Fatal("After(5) is ready at 5")
	default:
	}
	got := make(chan int64, 1)
	go func() {
		seq, _ := h.Wait(context.Background(), 5)
		got <- seq
	}()
	h.Notify(3) // behind: changes nothing
	h.Notify(7)
	select {
	case seq := <-got:
		if seq != 7 {
			t.Fatalf("Wait woke at %d, want 7", seq)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Wait did not wake")
	}
	<-h.After(6)
	if h.Latest() != 7 {
		t.Fatalf("Latest = %d", h.Latest())
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := h.Wait(ctx, 7); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait with a cancelled context: %v", err)
	}
	h.Close()
	h.Close()
	if _, err := h.Wait(t.Context(), 7); !errors.Is(err, ErrClosed) {
		t.Fatalf("Wait on a closed hub: %v", err)
	}
}

func TestStreamLimit(t *testing.T) {
	t.Parallel()
	l := NewStreamLimit(2)
	r1, ok1 := l.Acquire("a")
	_, ok2 := l.Acquire("a")
	_, ok3 := l.Acquire("a")
	_, okB := l.Acquire("b")
	if !ok1 || !ok2 || ok3 || !okB {
		t.Fatalf("Acquire: %v %v %v %v, want true true false true", ok1, ok2, ok3, okB)
	}
	r1()
	r1() // twice gives back one slot only
	if _, ok := l.Acquire("a"); !ok {
		t.Fatal("a slot given back is not reusable")
	}
	if _, ok := l.Acquire("a"); ok {
		t.Fatal("releasing twice freed two slots")
	}
}

// ready reports whether ch is closed within d.
func ready(ch <-chan struct{}, d time.Duration) bool {
	select {
	case <-ch:
		return true
	case <-time.After(d):
		return false
	}
}

func TestHubDispatchWakesByTopic(t *testing.T) {
	t.Parallel()
	h := NewHub(10)
	// Without a Dispatch loop every event wakes every subscription.
	a := h.Subscribe([]string{"a"})
	defer a.Close()
	h.Notify(11)
	if !ready(a.After(10), time.Second) {
		t.Fatal("without Dispatch, an event did not wake a subscription")
	}

	// The events' topics, by seq: 12 is a's, 13 b's, 14 fails to read.
	topicsOf := map[int64][]string{12: {"a"}, 13: {"b"}}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.Dispatch(ctx, func(_ context.Context, after int64) ([]string, int64, error) {
			if after+1 == 14 {
				return nil, after, errors.New("store down")
			}
			return topicsOf[after+1], after + 1, nil
		})
	}()
	for !dispatching(h) { // wait for the Dispatch loop to take over the wake-ups
		time.Sleep(time.Millisecond)
	}
	b := h.Subscribe([]string{"b"})
	defer b.Close()
	every := h.Subscribe(nil)
	defer every.Close()

	h.Notify(12)
	if !ready(a.After(11), time.Second) || !ready(every.After(11), time.Second) {
		t.Fatal("event 12 did not wake a nor the subscription without topics")
	}
	if ready(b.After(11), 50*time.Millisecond) {
		t.Fatal("event 12 (topic a) woke b")
	}
	h.Notify(13)
	if !ready(b.After(11), time.Second) {
		t.Fatal("event 13 (topic b) did not wake b")
	}
	if ready(a.After(12), 50*time.Millisecond) {
		t.Fatal("event 13 (topic b) woke a")
	}
	h.Notify(14) // unreadable: everyone is woken
	if !ready(a.After(12), time.Second) || !ready(b.After(13), time.Second) {
		t.Fatal("a failed read did not wake every subscription")
	}
	cancel()
	<-done
	h.Notify(15) // no Dispatch any more: every event wakes everyone again
	if !ready(a.After(14), time.Second) || !ready(b.After(14), time.Second) {
		t.Fatal("after Dispatch ended, an event did not wake every subscription")
	}
}

// dispatching reports whether a Dispatch loop has started on h.
func dispatching(h *Hub) bool {
	h.smu.Lock()
	defer h.smu.Unlock()
	return h.dispatching
}

// TestHubDispatchWithoutSubscriptions: with nobody subscribed, Dispatch does not read the
// events (a server without open streams pays nothing for them); a subscription made later
// starts at the hub's position and is woken by the events after it.
func TestHubDispatchWithoutSubscriptions(t *testing.T) {
	t.Parallel()
	h := NewHub(10)
	var reads atomic.Int64
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.Dispatch(ctx, func(_ context.Context, after int64) ([]string, int64, error) {
			reads.Add(1)
			return []string{"a"}, after + 1, nil
		})
	}()
	for !dispatching(h) {
		time.Sleep(time.Millisecond)
	}
	for seq := int64(11); seq <= 20; seq++ {
		h.Notify(seq)
	}
	for dispatchedUpTo(h) < 20 { // Dispatch catches up with the hub without reading
		time.Sleep(time.Millisecond)
	}
	if n := reads.Load(); n != 0 {
		t.Fatalf("Dispatch read the events %d times with no subscription", n)
	}
	a := h.Subscribe([]string{"a"})
	defer a.Close()
	if ready(a.After(20), 50*time.Millisecond) {
		t.Fatal("a new subscription was woken by events from before it subscribed")
	}
	h.Notify(21)
	if !ready(a.After(20), time.Second) {
		t.Fatal("event 21 did not wake the subscription made after the events nobody read")
	}
	if n := reads.Load(); n != 1 {
		t.Fatalf("Dispatch read the events %d times for one wave with a subscription; want 1", n)
	}
	cancel()
	<-done
}

// dispatchedUpTo returns the position up to which h's Dispatch loop has woken subscribers.
func dispatchedUpTo(h *Hub) int64 {
	h.smu.Lock()
	defer h.smu.Unlock()
	return h.dispatched
}
