package live

import "sync"

// dataCacheMax bounds a DataCache; past it the cache starts afresh.
const dataCacheMax = 8192

// DataKey names the rendering of one event for one audience (Variant: whatever changes the
// rendering, e.g. a property setting).
type DataKey struct {
	Seq     int64
	Variant string
}

// DataCache shares the rendered data of an event among the streams that deliver it, so that a
// wave of streams renders each event once per audience. It is safe for concurrent use; the
// zero value is ready.
type DataCache struct {
	mu sync.Mutex
	m  map[DataKey][]byte
}

// Get returns the data rendered for key, or renders it with render and keeps it. A render
// error is returned and nothing is kept.
func (c *DataCache) Get(key DataKey, render func() ([]byte, error)) ([]byte, error) {
	c.mu.Lock()
	if b, ok := c.m[key]; ok {
		c.mu.Unlock()
		return b, nil
	}
	c.mu.Unlock()
	b, err := render()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= dataCacheMax {
		c.m = map[DataKey][]byte{}
	}
	c.m[key] = b
	c.mu.Unlock()
	return b, nil
}
