// Package webhook delivers events to the webhooks of properties (SPEC §8): it signs bodies,
// refuses targets inside the server's own networks (SSRF), and runs the dispatcher that
// delivers each webhook's outbox in event order with retries.
package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"

	"concierge/internal/clientaddr"
)

// forbiddenPrefixes are the networks a webhook may not reach unless allow-listed: loopback,
// private, CGNAT, link-local, unique-local and site-local, multicast, "this network",
// unspecified, reserved and broadcast, and two IPv6 translation ranges whose IPv4 address is
// the translator's to route: the local-use NAT64 prefix (RFC 8215; a site's own translator,
// the IPv4 address placed anywhere in the last 80 bits) and SIIT's IPv4-translated addresses
// (::ffff:0:a.b.c.d, RFC 2765).
var forbiddenPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("224.0.0.0/4"),
	netip.MustParsePrefix("240.0.0.0/4"), // reserved, and 255.255.255.255
	netip.MustParsePrefix("::/128"),
	netip.MustParsePrefix("::1/128"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("::ffff:0:0:0/96"),
	netip.MustParsePrefix("fc00::/7"),
	netip.MustParsePrefix("fe80::/10"),
	netip.MustParsePrefix("fec0::/10"),
	netip.MustParsePrefix("ff00::/8"),
}

// embeddedV4 returns the IPv4 address an IPv6 address carries in a form that reaches it
// (IPv4-mapped, IPv4-compatible, NAT64, 6to4), and whether it carries one.
func embeddedV4(a netip.Addr) (netip.Addr, bool) {
	if a.Is4In6() {
		return a.Unmap(), true
	}
	if !a.Is6() {
		return netip.Addr{}, false
	}
	b := a.As16()
	switch {
	case netip.MustParsePrefix("64:ff9b::/96").Contains(a), netip.MustParsePrefix("::/96").Contains(a) && a != netip.IPv6Unspecified():
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case netip.MustParsePrefix("2002::/16").Contains(a):
		return netip.AddrFrom4([4]byte(b[2:6])), true
	}
	return netip.Addr{}, false
}

// Policy decides which addresses webhooks may reach: every public address, and the
// allow-listed ones.
type Policy struct {
	Allow []netip.Prefix
}

// ErrForbiddenAddress is the error of Check for an address a webhook may not reach.
var ErrForbiddenAddress = errors.New("the address is not a public one")

// Check returns nil when a may be reached: it is in the allow-list, or neither it nor the
// IPv4 address it embeds is in a forbidden network. Otherwise it returns an error wrapping
// ErrForbiddenAddress.
func (p Policy) Check(a netip.Addr) error {
	if !a.IsValid() {
		return fmt.Errorf("%w: invalid address", ErrForbiddenAddress)
	}
	a = a.WithZone("")
	candidates := []netip.Addr{a}
	if v4, ok := embeddedV4(a); ok {
		candidates = append(candidates, v4)
	}
	for _, c := range candidates {
		for _, allow := range p.Allow {
			if allow.Contains(c) {
				return nil
			}
		}
	}
	for _, c := range candidates {
		for _, bad := range forbiddenPrefixes {
			if bad.Contains(c) {
				return fmt.Errorf("%w: %s is in %s", ErrForbiddenAddress, a, bad)
			}
		}
	}
	return nil
}

// Control is a net.Dialer Control function: it refuses to connect to an address Check
// forbids. It sees the address actually dialled, after name resolution, so a name that
// resolves to a public address when the webhook is created and to a private one later (DNS
// rebinding) is still refused.
func (p Policy) Control(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("webhook: dial %q: %w", address, err)
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("webhook: dial %q: %w", address, err)
	}
	return p.Check(a)
}

// Resolver looks host names up (net.DefaultResolver in production).
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// maxURLLength bounds a webhook URL.
const maxURLLength = 2000

// CheckURL returns nil when raw may be a webhook's URL: an absolute http or https URL without
// credentials or fragment, whose host is an address Check allows or a name every address of
// which Check allows. The error's text says what is wrong, for the caller to show.
func (p Policy) CheckURL(ctx context.Context, r Resolver, raw string) error {
	if len(raw) > maxURLLength {
		return fmt.Errorf("must be at most %d characters", maxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("must be an absolute http or https URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.Opaque != "" {
		return errors.New("must be an absolute http or https URL")
	}
	if u.User != nil {
		return errors.New("must not hold credentials")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return errors.New("must not have a fragment")
	}
	host := u.Hostname()
	if host == "" {
		return errors.New("must name a host")
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if err := p.Check(a); err != nil {
			return errors.New("must not point to a loopback, private, link-local or other non-public address")
		}
		return nil
	}
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return fmt.Errorf("host %q does not resolve", host)
	}
	for _, a := range addrs {
		if err := p.Check(a); err != nil {
			return fmt.Errorf("host %q resolves to a non-public address", host)
		}
	}
	return nil
}

// ParseAllowList parses a list of networks separated by commas or spaces: CIDR prefixes
// ("10.1.0.0/16", "fd00::/8") or single addresses ("127.0.0.1"). An empty list is nil.
func ParseAllowList(s string) ([]netip.Prefix, error) {
	p, err := clientaddr.ParsePrefixes(s)
	if err != nil {
		return nil, fmt.Errorf("webhook allow-list: %w", err)
	}
	return p, nil
}

// Targets checks webhook URLs against a Policy, resolving names with Resolver
// (net.DefaultResolver when nil). It is the concierge.WebhookTargets of the service.
type Targets struct {
	Policy   Policy
	Resolver Resolver
}

// CheckURL returns nil when raw may be a webhook's URL (see Policy.CheckURL).
func (t Targets) CheckURL(ctx context.Context, raw string) error {
	r := t.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	return t.Policy.CheckURL(ctx, r, raw)
}
