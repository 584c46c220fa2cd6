// Package live delivers live events (SPEC §6): a Hub that wakes streams by position, and the
// Server-Sent Events stream loop shared by the guest and staff APIs. It knows nothing of the
// domain: a stream reads rendered items from a Source, in seq order.
package live

import (
	"context"
	"errors"
	"sync"
)

// ErrClosed is returned by Hub.Wait once the hub is closed (the server is shutting down).
var ErrClosed = errors.New("live: hub closed")

// ErrCredentialEnded is what a Source wraps in its error when the stream's credential no
// longer works (logged out, revoked, expired, its rights changed): the stream ends, and a
// WebSocket closes with status 1008 (policy violation) rather than a normal closure.
var ErrCredentialEnded = errors.New("live: the stream's credential ended")

// Hub tells waiting streams that the event log has grown past a position. Writers call Notify
// with the seq of the newest committed event; streams Wait for a seq above the one they have
// delivered and then read the events from the store. No payload goes through the hub: a
// notification replaces one broadcast channel, so a slow stream never blocks the writer nor
// other streams. Streams subscribe with the topics of the events they may deliver, so that
// an event wakes only the streams it concerns (see Subscribe and Dispatch). The zero Hub is
// not usable; use NewHub. It is safe for concurrent use.
type Hub struct {
	mu     sync.Mutex
	seq    int64
	wake   chan struct{} // closed and replaced on every advance
	closed chan struct{}
	ready  chan struct{} // always closed: After's answer when the position is already past
	once   sync.Once

	// Subscriptions (see Subscribe and Dispatch), guarded by smu. smu is never taken while mu
	// is held the other way round: Notify releases mu before it takes smu.
	smu         sync.Mutex
	byTopic     map[string]map[*Subscription]struct{}
	every       map[*Subscription]struct{} // subscriptions without topics: woken by every event
	all         map[*Subscription]struct{}
	dispatching bool  // a Dispatch loop runs: Notify only kicks it
	dispatched  int64 // while dispatching: every event up to here has woken its subscribers
	kick        chan struct{}
}

// NewHub returns a hub whose position is seq (the newest event already in the store).
func NewHub(seq int64) *Hub {
	ready := make(chan struct{})
	close(ready)
	return &Hub{seq: seq, wake: make(chan struct{}), closed: make(chan struct{}), ready: ready,
		byTopic: map[string]map[*Subscription]struct{}{}, every: map[*Subscription]struct{}{},
		all: map[*Subscription]struct{}{}, kick: make(chan struct{}, 1)}
}

// After returns a channel that is closed once the hub's position is above after (at once when
// it already is), for streams that wait on other things too.
func (h *Hub) After(after int64) <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.seq > after {
		return h.ready
	}
	return h.wake
}

// Notify advances the hub to seq and wakes every waiter of After and Wait, and the
// subscriptions the new events concern (all of them when no Dispatch loop runs); a seq at or
// below the current position changes nothing. It never blocks on streams.
func (h *Hub) Notify(seq int64) {
	h.mu.Lock()
	if seq <= h.seq {
		h.mu.Unlock()
		return
	}
	h.seq = seq
	close(h.wake)
	h.wake = make(chan struct{})
	h.mu.Unlock()

	h.smu.Lock()
	defer h.smu.Unlock()
	if h.dispatching {
		select {
		case h.kick <- struct{}{}:
		default: // a kick is pending already
		}
		return
	}
	h.markAllLocked(seq)
}

// Topics reads the events after position after (as many as it likes, in seq order) and
// returns the topics they concern and the position it reached (the seq of the last event
// read). A subscription is woken by an event only when it shares a topic with it (or has no
// topics). Dispatch runs it once per wave of events, for every stream at once.
type Topics func(ctx context.Context, after int64) (topics []string, next int64, err error)

// Subscription is a stream's interest in the hub: the topics of the events it may deliver.
// It is woken by the events of its topics only, when a Dispatch loop runs, and by every
// event otherwise. Close it when the stream ends.
type Subscription struct {
	h      *Hub
	topics []string
	pos    int64 // the seq of the newest event that woke it; guarded by h.smu
	wake   chan struct{}
}

// Subscribe registers a stream interested in topics (none: every event). Its position
// starts at the events already announced, so that a stream that reads the store after
// subscribing misses no wake-up.
func (h *Hub) Subscribe(topics []string) *Subscription {
	s := &Subscription{h: h, topics: topics, wake: make(chan struct{})}
	h.smu.Lock()
	defer h.smu.Unlock()
	if h.dispatching {
		s.pos = h.dispatched
	} else {
		s.pos = h.Latest()
	}
	h.all[s] = struct{}{}
	if len(topics) == 0 {
		h.every[s] = struct{}{}
	}
	for _, t := range topics {
		m := h.byTopic[t]
		if m == nil {
			m = map[*Subscription]struct{}{}
			h.byTopic[t] = m
		}
		m[s] = struct{}{}
	}
	return s
}

// After returns a channel that is closed once an event of the subscription's topics above
// position after was announced (at once when one already was).
func (s *Subscription) After(after int64) <-chan struct{} {
	s.h.smu.Lock()
	defer s.h.smu.Unlock()
	if s.pos > after {
		return s.h.ready
	}
	return s.wake
}

// Close removes the subscription from the hub. It may be called more than once.
func (s *Subscription) Close() {
	h := s.h
	h.smu.Lock()
	defer h.smu.Unlock()
	delete(h.all, s)
	delete(h.every, s)
	for _, t := range s.topics {
		if m := h.byTopic[t]; m != nil {
			delete(m, s)
			if len(m) == 0 {
				delete(h.byTopic, t)
			}
		}
	}
}

// markLocked wakes s for the events up to seq; h.smu must be held.
func (s *Subscription) markLocked(seq int64) {
	if seq > s.pos {
		s.pos = seq
		close(s.wake)
		s.wake = make(chan struct{})
	}
}

// markAllLocked wakes every subscription for the events up to seq; h.smu must be held.
func (h *Hub) markAllLocked(seq int64) {
	for s := range h.all {
		s.markLocked(seq)
	}
}

// Dispatch wakes subscriptions by topic until ctx ends or the hub closes: after every
// Notify it reads the new events once with topics and wakes only the subscriptions that share
// a topic with them (and those without topics). A failed read wakes every subscription (they
// read the store themselves, so nothing is lost either way). Run it in its own goroutine, at
// most one per hub; without it every event wakes every subscription.
func (h *Hub) Dispatch(ctx context.Context, topics Topics) {
	h.smu.Lock()
	h.dispatching = true
	h.dispatched = h.Latest()
	h.markAllLocked(h.dispatched) // whatever was announced before wakes everyone, as before
	h.smu.Unlock()
	defer func() {
		h.smu.Lock()
		h.dispatching = false
		h.markAllLocked(h.Latest())
		h.smu.Unlock()
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.closed:
			return
		case <-h.kick:
		}
		for {
			target := h.Latest()
			h.smu.Lock()
			from := h.dispatched
			if target > from && len(h.all) == 0 {
				// Nobody to wake: skip reading the events. A stream that subscribes
				// later starts at this position and reads the store itself.
				h.dispatched = target
				from = target
			}
			h.smu.Unlock()
			if target <= from {
				break
			}
			ts, next, err := topics(ctx, from)
			h.smu.Lock()
			if err != nil || next <= from {
				h.markAllLocked(target)
				h.dispatched = max(from, target)
			} else {
				for s := range h.every {
					s.markLocked(next)
				}
				for _, t := range ts {
					for s := range h.byTopic[t] {
						s.markLocked(next)
					}
				}
				h.dispatched = next
			}
			h.smu.Unlock()
			if err != nil && ctx.Err() != nil {
				return
			}
		}
	}
}

// Latest returns the hub's position: the newest seq it was told of.
func (h *Hub) Latest() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.seq
}

// Wait returns the hub's position as soon as it is above after. Errors: ctx's error when ctx
// ends first; ErrClosed when the hub is closed.
func (h *Hub) Wait(ctx context.Context, after int64) (int64, error) {
	for {
		h.mu.Lock()
		seq, wake := h.seq, h.wake
		h.mu.Unlock()
		if seq > after {
			return seq, nil
		}
		select {
		case <-wake:
		case <-h.closed:
			return 0, ErrClosed
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// Close ends every stream's wait, for good (shutdown). It may be called more than once.
func (h *Hub) Close() { h.once.Do(func() { close(h.closed) }) }

// Done is closed when the hub is closed.
func (h *Hub) Done() <-chan struct{} { return h.closed }

// Announcer is a store that announces its commits: after every commit that appended events
// it calls the function given to OnEvents with the seq of the newest event (nil stops the
// calls). Both engines are Announcers; the hub is the one position everything live waits on
// (streams, webhooks, the translation worker), and Follow is how it learns of commits.
type Announcer interface {
	OnEvents(fn func(seq int64))
}

// Follow makes the hub advance on every commit a announces, and returns the function that
// stops it (call it before closing the store).
func (h *Hub) Follow(a Announcer) (stop func()) {
	a.OnEvents(h.Notify)
	return func() { a.OnEvents(nil) }
}
