package concierge

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

// eventLogStore is a Store whose event log is events (seq 1…n); its other methods panic.
type eventLogStore struct {
	Store
	mu     sync.Mutex
	events []Event
	reads  int
}

func (f *eventLogStore) append(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		seq := int64(len(f.events) + 1)
		f.events = append(f.events, Event{Seq: seq, Kind: EventMessageCreated, ConversationID: seq % 7, PropertyID: 1})
	}
}

func (f *eventLogStore) EventsAfter(_ context.Context, after int64, limit int) ([]Event, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	var out []Event
	for _, ev := range f.events {
		if ev.Seq > after && len(out) < limit {
			out = append(out, ev)
		}
	}
	return out, nil
}

// wantSeqs checks that evs are the events after..after+n.
func wantSeqs(t *testing.T, evs []Event, after int64, n int) {
	t.Helper()
	if len(evs) != n {
		t.Fatalf("after %d: %d events, want %d", after, len(evs), n)
	}
	for i, ev := range evs {
		if ev.Seq != after+int64(i)+1 {
			t.Fatalf("after %d: event %d has seq %d, want %d", after, i, ev.Seq, after+int64(i)+1)
		}
	}
}

// TestEventCacheTail checks the tail cache as events arrive one to many at a time, well past
// several trims: every read returns the right events, slices handed out earlier never change
// (the tail is copy-on-write), appending to one cannot write into the tail, and reads the tail
// covers do not reach the store.
func TestEventCacheTail(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	store := &eventLogStore{}
	s := &Service{store: store}
	type held struct {
		after int64
		evs   []Event
		copy  []Event
	}
	var kept []held
	var last int64
	for round := range 400 {
		store.append(1 + round%97)
		n := int64(len(store.events))
		evs, err := s.eventsAfter(ctx, last, EventBatchSize)
		if err != nil {
			t.Fatal(err)
		}
		wantSeqs(t, evs, last, int(min(n-last, EventBatchSize)))
		kept = append(kept, held{last, evs, slices.Clone(evs)})
		if cap(evs) != len(evs) {
			t.Fatalf("events have room for %d more: appending to them would write into the tail", cap(evs)-len(evs))
		}
		last = n
		// A read the tail covers does not reach the store.
		reads := store.reads
		if n > 10 {
			if evs, err = s.eventsAfter(ctx, n-10, EventBatchSize); err != nil {
				t.Fatal(err)
			}
			wantSeqs(t, evs, n-10, 10)
			if store.reads != reads {
				t.Fatalf("a read within the tail went to the store")
			}
		}
	}
	if len(store.events) < 3*eventTailSize {
		t.Fatalf("only %d events: the test must go past several trims", len(store.events))
	}
	for _, h := range kept {
		if !slices.Equal(h.evs, h.copy) {
			t.Fatalf("events after %d changed after they were handed out", h.after)
		}
	}
	c := &s.events
	if len(c.tail) < eventTailSize || len(c.tail) > 2*eventTailSize {
		t.Errorf("tail holds %d events, want %d…%d", len(c.tail), eventTailSize, 2*eventTailSize)
	}
	if c.tail[0].Seq != c.from+1 || c.tail[len(c.tail)-1].Seq != c.upTo {
		t.Errorf("tail %d…%d, from %d upTo %d", c.tail[0].Seq, c.tail[len(c.tail)-1].Seq, c.from, c.upTo)
	}
	// Before the tail: read from the store.
	reads := store.reads
	evs, err := s.eventsAfter(ctx, 0, 5)
	if err != nil {
		t.Fatal(err)
	}
	wantSeqs(t, evs, 0, 5)
	if store.reads != reads+1 {
		t.Errorf("a read before the tail did not go to the store")
	}
	// Nothing new.
	if evs, err = s.eventsAfter(ctx, last, EventBatchSize); err != nil || len(evs) != 0 {
		t.Errorf("eventsAfter(last) = %v, %v; want none", evs, err)
	}
}

// TestEventCacheBigBatch checks a store read that alone overflows the tail.
func TestEventCacheBigBatch(t *testing.T) {
	t.Parallel()
	store := &eventLogStore{}
	s := &Service{store: store}
	store.append(10)
	if _, err := s.eventsAfter(t.Context(), 0, EventBatchSize); err != nil {
		t.Fatal(err)
	}
	c := &s.events
	c.mu.Lock()
	c.add([]Event{{Seq: 11}}) // simulate arrivals, then one read bigger than the room left
	more := make([]Event, 2*eventTailSize)
	for i := range more {
		more[i] = Event{Seq: int64(12 + i)}
	}
	c.add(more)
	c.mu.Unlock()
	if len(c.tail) != eventTailSize || c.tail[0].Seq != c.from+1 || c.upTo != int64(11+2*eventTailSize) ||
		c.tail[len(c.tail)-1].Seq != c.upTo {
		t.Errorf("tail %d events %d…%d, from %d upTo %d", len(c.tail), c.tail[0].Seq, c.tail[len(c.tail)-1].Seq, c.from, c.upTo)
	}
}

// TestEventCacheReadAllocs checks that a read the tail covers does not copy the events.
func TestEventCacheReadAllocs(t *testing.T) {
	store := &eventLogStore{}
	s := &Service{store: store}
	store.append(100)
	ctx := t.Context()
	if _, err := s.eventsAfter(ctx, 0, EventBatchSize); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		if evs, _ := s.eventsAfter(ctx, 50, EventBatchSize); len(evs) != 50 {
			t.Fatalf("%d events", len(evs))
		}
	})
	if allocs > 0 {
		t.Errorf("a cached read allocates %.1f times, want 0", allocs)
	}
}

// TestPrefetchStatesLoadsSideBySide: prefetchStaffStates loads the states of several conversations
// at once (never more than statePrefetch), each once, and the stream's own cachedState calls
// then get those loads instead of loading again.
func TestPrefetchStatesLoadsSideBySide(t *testing.T) {
	t.Parallel()
	s := &Service{}
	var mu sync.Mutex
	running, most, loads := 0, 0, map[int64]int{}
	release := make(chan struct{})
	load := func(id int64) func() (any, error) {
		return func() (any, error) {
			mu.Lock()
			running++
			most = max(most, running)
			loads[id]++
			mu.Unlock()
			<-release
			mu.Lock()
			running--
			mu.Unlock()
			return id * 10, nil
		}
	}
	ids := []int64{1, 2, 3, 4, 5, 6, 7, 8}
	need := map[int64]int64{}
	for _, id := range ids {
		need[id] = 100 + id
	}
	done := make(chan struct{})
	go func() { s.prefetchStaffStates(ids, need, load); close(done) }()
	// prefetchStaffStates returns only once the last load has started: wait until statePrefetch
	// loads run side by side, then let them all finish.
	deadline := time.Now().Add(30 * time.Second) // ends a failing run only; asserts no timing
	for {
		mu.Lock()
		n := running
		mu.Unlock()
		if n == statePrefetch {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d loads running after 30 s, want %d side by side", n, statePrefetch)
		}
		runtime.Gosched()
	}
	close(release)
	<-done
	for _, id := range ids {
		v, err := s.cachedState(stateKey{conversationID: id, staff: true}, need[id], load(id))
		if err != nil || v != id*10 {
			t.Fatalf("state of %d = %v, %v; want %d", id, v, err, id*10)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if most != statePrefetch {
		t.Errorf("at most %d loads ran at once, want %d", most, statePrefetch)
	}
	for _, id := range ids {
		if loads[id] != 1 {
			t.Errorf("conversation %d loaded %d times, want once", id, loads[id])
		}
	}
}
