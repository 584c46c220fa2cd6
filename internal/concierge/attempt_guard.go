package concierge

import (
	"context"
	"net/netip"
	"time"
)

// attemptGuard is one guess at a secret (a room's last name, a staff password) counted against
// the back-offs before it is made, so that guesses made at the same time are all counted:
//
//   - own keys (the property and room, or the username) with the client address: each attempt
//     counts on every one of them, and a success clears them;
//   - the client address alone (addr), slowed down by a back-off of its own that counts how many
//     different own keys failed from it: one person retyping their own room or password counts
//     once, a guess of one surname across every room or one password across every username
//     counts for each. A success takes its count back but clears nobody else's.
type attemptGuard struct {
	own     VerificationGuard // nil: no back-off
	ownKeys []string          // the last one decides whether addr counts
	addr    VerificationGuard // nil: no per-address count
	addrKey string
	ownMsg  string // the RateLimited message while an own key is blocked
	addrMsg string // and while the address is
	refused func() // called for each RateLimited answer (metrics); nil: nothing

	counted     int  // own keys counted by begin
	addrCounted bool // whether begin counted on addr
}

// check answers RateLimited when an own key or the address is blocked now (the longest wait),
// counting nothing: refusals that need no attempt are cheap.
func (g *attemptGuard) check(ctx context.Context) error {
	var wait time.Duration
	msg := ""
	if g.own != nil {
		for _, k := range g.ownKeys {
			if ok, w := g.own.Check(ctx, k); !ok && w > wait {
				wait, msg = w, g.ownMsg
			}
		}
	}
	if g.addr != nil {
		if ok, w := g.addr.Check(ctx, g.addrKey); !ok && w > wait {
			wait, msg = w, g.addrMsg
		}
	}
	if msg != "" {
		return g.refuse(wait, msg)
	}
	return nil
}

// refuse answers RateLimited, telling refused.
func (g *attemptGuard) refuse(wait time.Duration, msg string) error {
	if g.refused != nil {
		g.refused()
	}
	return &Error{Code: CodeRateLimited, RetryAfter: wait, Message: msg}
}

// begin counts the attempt as a failure on every own key and, when it is the first failure of
// the last own key, on the address. When one of them is blocked it takes back what it counted
// and answers RateLimited.
func (g *attemptGuard) begin(ctx context.Context) error {
	if g.own == nil {
		return nil
	}
	n := 0
	for _, k := range g.ownKeys {
		ok, failures, wait := g.own.Attempt(ctx, k)
		if !ok {
			g.cancel(ctx)
			return g.refuse(wait, g.ownMsg)
		}
		g.counted++
		n = failures
	}
	if g.addr == nil {
		return nil
	}
	var ok bool
	var wait time.Duration
	if n == 1 {
		ok, _, wait = g.addr.Attempt(ctx, g.addrKey)
		g.addrCounted = ok
	} else {
		ok, wait = g.addr.Check(ctx, g.addrKey)
	}
	if !ok {
		g.cancel(ctx)
		return g.refuse(wait, g.addrMsg)
	}
	return nil
}

// succeeded clears the own keys' failures and takes back the address's count of this attempt,
// even when ctx has ended (the client left): what begin counted is not left behind.
func (g *attemptGuard) succeeded(ctx context.Context) {
	if g.own == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	for _, k := range g.ownKeys {
		g.own.Succeed(ctx, k)
	}
	if g.addrCounted {
		g.addr.Forgive(ctx, g.addrKey)
	}
	g.counted, g.addrCounted = 0, false
}

// cancel takes back what begin counted, for an attempt that could not be made (the store
// failed), even when ctx has ended.
func (g *attemptGuard) cancel(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	for _, k := range g.ownKeys[:g.counted] {
		g.own.Forgive(ctx, k)
	}
	if g.addrCounted {
		g.addr.Forgive(ctx, g.addrKey)
	}
	g.counted, g.addrCounted = 0, false
}

// addressKey is the back-off key of a client address: an IPv6 address counts as its /64
// network, since one subscriber usually holds a whole /64 and can pick any address in it; an
// IPv4 address (or an IPv4-mapped IPv6 one) counts as itself. Anything else is used as given.
func addressKey(client string) string {
	a, err := netip.ParseAddr(client)
	if err != nil {
		return client
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
