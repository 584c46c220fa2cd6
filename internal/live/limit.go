package live

import "sync"

// StreamLimit caps the open streams per key (a guest session, a staff login). It is safe for
// concurrent use; the zero value is not usable, use NewStreamLimit.
type StreamLimit struct {
	mu   sync.Mutex
	max  int
	open map[string]int
}

// NewStreamLimit returns a limit of max streams per key (≤ 0: unlimited).
func NewStreamLimit(max int) *StreamLimit {
	return &StreamLimit{max: max, open: map[string]int{}}
}

// Acquire takes one stream slot of key and returns the function that gives it back, or
// ok false when key already has the maximum open.
func (l *StreamLimit) Acquire(key string) (release func(), ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.max > 0 && l.open[key] >= l.max {
		return nil, false
	}
	l.open[key]++
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			if l.open[key]--; l.open[key] <= 0 {
				delete(l.open, key)
			}
		})
	}, true
}
