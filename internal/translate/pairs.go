package translate

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"
)

// missRefresh is the least time between two refreshes of a provider's pairs caused by a pair
// it lacked (a pair installed since shows up without waiting for the TTL).
const missRefresh = 30 * time.Second

// route is how a provider names a pair: its codes for the two languages.
type route struct {
	from, to string
}

// pairCache keeps a provider's pairs, refreshed when older than the TTL.
type pairCache struct {
	opts  Options
	fetch func(ctx context.Context) (map[Pair]route, error)

	mu      sync.Mutex
	routes  map[Pair]route
	fetched time.Time // zero: never
}

// lookup returns the provider's route for p, refreshing the list when it is stale (or, at most
// every missRefresh, when p is missing). ok is false when the provider lacks p; err when the
// list is needed and cannot be fetched.
func (c *pairCache) lookup(ctx context.Context, p Pair) (r route, ok bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.opts.now()
	stale := c.fetched.IsZero() || now.Sub(c.fetched) >= c.opts.pairsTTL() || now.Before(c.fetched)
	if !stale {
		if r, ok := c.routes[p]; ok {
			return r, true, nil
		}
		if now.Sub(c.fetched) < missRefresh {
			return route{}, false, nil
		}
	}
	routes, err := c.fetch(ctx)
	if err != nil {
		return route{}, false, err
	}
	c.routes, c.fetched = routes, now
	r, ok = c.routes[p]
	return r, ok, nil
}

// forget drops the list so that the next lookup asks the provider again.
func (c *pairCache) forget() {
	c.mu.Lock()
	c.fetched = time.Time{}
	c.mu.Unlock()
}

// list fetches the provider's pairs now and returns them sorted.
func (c *pairCache) list(ctx context.Context) ([]Pair, error) {
	routes, err := c.fetch(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.routes, c.fetched = routes, c.opts.now()
	c.mu.Unlock()
	out := make([]Pair, 0, len(routes))
	for p := range routes {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Pair) int {
		if c := strings.Compare(a.From, b.From); c != 0 {
			return c
		}
		return strings.Compare(a.To, b.To)
	})
	return out, nil
}

// addRoute records that the provider translates between its codes from and to: under our base
// languages, a plain code (spa) wins over a variant (spa_VE) of the same language.
func addRoute(routes map[Pair]route, plain map[Pair]bool, from, to string) {
	fb, fplain, ok1 := baseLanguage(from)
	tb, tplain, ok2 := baseLanguage(to)
	if !ok1 || !ok2 || fb == tb {
		return
	}
	p := Pair{From: fb, To: tb}
	isPlain := fplain && tplain
	if _, seen := routes[p]; seen && (plain[p] || !isPlain) {
		return
	}
	routes[p], plain[p] = route{from: from, to: to}, isPlain
}
