package live

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestHubWakesByPosition(t *testing.T) {
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
