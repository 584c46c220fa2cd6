package concierge

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// hashWaitersPerSlot is how many callers may wait for each hash slot: a burst of logins at the
// start of a shift queues for a moment, a flood is refused at once.
const hashWaitersPerSlot = 4

// hashSlots bounds the password hashes (argon2id, password.Default.Memory each) running at
// once, so that a flood of logins cannot exhaust memory: a caller takes a slot, waiting while
// few others wait, or is refused before any hashing. It is safe for concurrent use.
type hashSlots struct {
	run   chan struct{} // a token per hash running
	queue chan struct{} // a token per caller running or waiting

	granted, refused atomic.Int64 // slots given (hashes started), callers refused (PasswordHashStats)
}

// newHashSlots returns slots for n hashes at once (n ≤ 0: GOMAXPROCS).
func newHashSlots(n int) *hashSlots {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	return &hashSlots{run: make(chan struct{}, n), queue: make(chan struct{}, n*(1+hashWaitersPerSlot))}
}

// acquire takes a slot, waiting for one when fewer than hashWaitersPerSlot callers per slot
// wait already. release gives it back (calling it again does nothing). Nil slots bound
// nothing. Errors: RateLimited (Retry-After 1 s) when too many wait; ctx's error when it ends
// first.
func (h *hashSlots) acquire(ctx context.Context) (release func(), err error) {
	if h == nil {
		return func() {}, nil
	}
	select {
	case h.queue <- struct{}{}:
	default:
		h.refused.Add(1)
		return nil, &Error{Code: CodeRateLimited, RetryAfter: time.Second,
			Message: "The server is busy checking other passwords; try again in a moment."}
	}
	select {
	case h.run <- struct{}{}:
	case <-ctx.Done():
		<-h.queue
		return nil, ctx.Err()
	}
	h.granted.Add(1)
	var once sync.Once
	return func() {
		once.Do(func() {
			<-h.run
			<-h.queue
		})
	}, nil
}

// PasswordHashStats reports the password hashes (staff logins, passwords set) running now,
// started since the Service was made, and refused because too many were waiting (Config.
// PasswordHashes). It never fails.
func (s *Service) PasswordHashStats() (running, started, refused int64) {
	h := s.staff.hashes
	if h == nil {
		return 0, 0, 0
	}
	return int64(len(h.run)), h.granted.Load(), h.refused.Load()
}
