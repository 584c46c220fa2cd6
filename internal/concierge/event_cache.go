package concierge

import (
	"context"
	"sort"
	"sync"
)

// Sizes of the live-event caches.
const (
	// eventTailSize is how many of the newest events the tail cache keeps.
	eventTailSize = 4096
	// eventStatesMax is how many conversation states the cache keeps before starting afresh.
	eventStatesMax = 4096
)

// eventCache shares the reads of live streams. Every stream woken by a new event needs the
// same events and the same conversations: the cache makes one store read for a wave of
// streams instead of one per stream. It relies on the log's order: seq order is commit order,
// so once an event is read every event with a lower seq is committed.
//
// The tail is copy-on-write: an element of its backing array is never written again once it
// is within len(tail), so eventsAfter hands out sub-slices of it (capacity capped) without
// copying. New events are appended in place; when the tail reaches twice eventTailSize, its
// newest eventTailSize events move to a new array (old arrays stay valid for their readers
// until the garbage collector frees them), so trimming costs one copy per eventTailSize events.
type eventCache struct {
	mu     sync.RWMutex // held for writing while the tail is read from the store: one read per wave
	primed bool
	from   int64   // the tail holds every event with from < seq ≤ upTo
	upTo   int64   //
	tail   []Event // ascending; elements below len(tail) are never written again

	smu    sync.Mutex
	states map[stateKey]*stateEntry
}

// stateKey names a conversation's state as one audience sees it.
type stateKey struct {
	conversationID int64
	staff          bool
}

// stateEntry is a conversation's state loaded once every event up to upTo was committed, so
// it reflects them all. ready is closed when val and err are set.
type stateEntry struct {
	upTo  int64
	ready chan struct{}
	val   any // *guestEventState or *StaffConversation; nil when the conversation is gone
	err   error
}

// eventsAfter returns up to limit events with seq above after, in order, from the tail when
// it covers after, otherwise from the store. The events may be shared with other callers:
// they must not be modified.
func (s *Service) eventsAfter(ctx context.Context, after int64, limit int) ([]Event, error) {
	c := &s.events
	c.mu.RLock()
	if c.primed && after >= c.from && after < c.upTo {
		defer c.mu.RUnlock()
		return c.slice(after, limit), nil
	}
	c.mu.RUnlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.primed {
		c.primed, c.from, c.upTo = true, after, after
	}
	if after < c.from {
		return s.store.EventsAfter(ctx, after, limit)
	}
	if after >= c.upTo {
		evs, err := s.store.EventsAfter(ctx, c.upTo, eventTailSize)
		if err != nil {
			return nil, err
		}
		if len(evs) > 0 {
			c.add(evs)
		}
	}
	return c.slice(after, limit), nil
}

// add appends evs (ascending, after upTo) to the tail, keeping at least the newest
// eventTailSize events and at most twice that; c.mu must be held for writing. It writes only
// beyond len(tail) or into a new array, never over an element a reader may hold.
func (c *eventCache) add(evs []Event) {
	if c.tail == nil {
		c.tail = make([]Event, 0, 2*eventTailSize)
	}
	c.upTo = evs[len(evs)-1].Seq
	if len(c.tail)+len(evs) > 2*eventTailSize {
		all := len(c.tail) + len(evs)
		keep := min(all, eventTailSize)
		fresh := make([]Event, 0, 2*eventTailSize)
		drop := all - keep // > 0: all > 2*eventTailSize
		if drop <= len(c.tail) {
			c.from = c.tail[drop-1].Seq
			fresh = append(fresh, c.tail[drop:]...)
			fresh = append(fresh, evs...)
		} else {
			c.from = evs[drop-len(c.tail)-1].Seq
			fresh = append(fresh, evs[drop-len(c.tail):]...)
		}
		c.tail = fresh
		return
	}
	c.tail = append(c.tail, evs...)
}

// slice returns up to limit events of the tail with seq above after, sharing the tail's
// array: the caller must not modify them (its capacity is capped, so appending to it copies).
// c.mu must be held.
func (c *eventCache) slice(after int64, limit int) []Event {
	i := sort.Search(len(c.tail), func(i int) bool { return c.tail[i].Seq > after })
	j := min(len(c.tail), i+limit)
	if i == j {
		return nil
	}
	return c.tail[i:j:j]
}

// cachedState returns the state of a conversation under key loaded after the event need was
// committed, loading it with load when the cache has none as recent.
func (s *Service) cachedState(key stateKey, need int64, load func() (any, error)) (any, error) {
	c := &s.events
	c.mu.RLock()
	upTo := max(c.upTo, need)
	c.mu.RUnlock()
	c.smu.Lock()
	if c.states == nil || len(c.states) >= eventStatesMax {
		c.states = map[stateKey]*stateEntry{}
	}
	if e := c.states[key]; e != nil && e.upTo >= need {
		c.smu.Unlock()
		<-e.ready
		return e.val, e.err
	}
	e := &stateEntry{upTo: upTo, ready: make(chan struct{})}
	c.states[key] = e
	c.smu.Unlock()
	e.val, e.err = load()
	close(e.ready)
	if e.err != nil {
		c.smu.Lock()
		if c.states[key] == e {
			delete(c.states, key)
		}
		c.smu.Unlock()
	}
	return e.val, e.err
}
