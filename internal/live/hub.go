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

// Hub tells waiting streams that the event log has grown past a position. Writers call Notify
// with the seq of the newest committed event; streams Wait for a seq above the one they have
// delivered and then read the events from the store. No payload goes through the hub: a
// notification replaces one broadcast channel, so a slow stream never blocks the writer nor
// other streams. The zero Hub is not usable; use NewHub. It is safe for concurrent use.
type Hub struct {
	mu     sync.Mutex
	seq    int64
	wake   chan struct{} // closed and replaced on every advance
	closed chan struct{}
	ready  chan struct{} // always closed: After's answer when the position is already past
	once   sync.Once
}

// NewHub returns a hub whose position is seq (the newest event already in the store).
func NewHub(seq int64) *Hub {
	ready := make(chan struct{})
	close(ready)
	return &Hub{seq: seq, wake: make(chan struct{}), closed: make(chan struct{}), ready: ready}
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

// Notify advances the hub to seq and wakes every waiting stream; a seq at or below the current
// position changes nothing. It never blocks on streams.
func (h *Hub) Notify(seq int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if seq <= h.seq {
		return
	}
	h.seq = seq
	close(h.wake)
	h.wake = make(chan struct{})
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
