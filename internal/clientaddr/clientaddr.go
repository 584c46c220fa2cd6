// Package clientaddr finds the address of the client behind a request: the peer's own address,
// or, when the peer is a trusted reverse proxy, the address the proxy forwarded in a
// Forwarded (RFC 7239) or X-Forwarded-For header. Rate limits, back-off, logs and the audit log
// all key on it.
package clientaddr

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Trusted is the set of reverse proxies whose forwarding headers are believed. The zero value
// trusts nobody: every request's client is its peer.
type Trusted struct {
	prefixes []netip.Prefix
}

// ParseTrusted parses a list of proxy networks separated by commas or spaces, CIDR prefixes
// ("10.0.0.0/8") or single addresses ("127.0.0.1"). An empty list trusts nobody. It errors on
// an entry that is neither (see ParsePrefixes).
func ParseTrusted(s string) (Trusted, error) {
	p, err := ParsePrefixes(s)
	if err != nil {
		return Trusted{}, err
	}
	return Trusted{prefixes: p}, nil
}

// ParsePrefixes parses a list of networks separated by commas or spaces: CIDR prefixes
// ("10.1.0.0/16", "fd00::/8", masked to their network) or single addresses ("127.0.0.1", a
// prefix of one address). An empty list is nil. It errors on the first entry that is neither,
// naming it.
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, fmt.Errorf("%q is not a CIDR prefix", f)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil || a.Zone() != "" {
			return nil, fmt.Errorf("%q is not an address or a CIDR prefix", f)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// String lists the trusted networks, comma-separated ("" when none).
func (t Trusted) String() string {
	s := make([]string, len(t.prefixes))
	for i, p := range t.prefixes {
		s[i] = p.String()
	}
	return strings.Join(s, ",")
}

// contains reports whether a is one of the trusted proxies (IPv4-mapped IPv6 addresses count
// as their IPv4 address).
func (t Trusted) contains(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range t.prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Resolve returns the client address of r. From a peer that is not a trusted proxy it is the
// peer's IP and forwarding headers are ignored. From a trusted proxy it walks the forwarded
// addresses from the right, the nearest hop first, skipping trusted proxies: the first
// address that is not trusted is the client. The forwarded list is the Forwarded header's for=
// parameters when the request has one, else X-Forwarded-For. An entry that names no address
// ("unknown", an obfuscated node, garbage) ends the walk at the last hop known, a trusted
// proxy; when every hop is trusted the leftmost is the client.
func (t Trusted) Resolve(r *http.Request) string {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil { // not an IP:port (tests, unusual listeners): the address as given
		if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
			return host
		}
		return r.RemoteAddr
	}
	client := peer.Addr().Unmap().WithZone("")
	if len(t.prefixes) == 0 || !t.contains(client) {
		return client.String()
	}
	var hops []netip.Addr
	if fwd := r.Header.Values("Forwarded"); len(fwd) > 0 {
		hops = forwardedFor(fwd)
	} else {
		hops = xForwardedFor(r.Header.Values("X-Forwarded-For"))
	}
	for i := len(hops) - 1; i >= 0; i-- {
		if !hops[i].IsValid() {
			break
		}
		client = hops[i]
		if !t.contains(client) {
			break
		}
	}
	return client.String()
}

// key is the context key of the resolved client address.
type key struct{}

// Middleware resolves every request's client address once (see Resolve) and carries it in the
// request's context for Of.
func (t Trusted) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), key{}, t.Resolve(r))))
	})
}

// Of returns the client address of r as resolved by Middleware; for a request that did not
// pass through it, the peer's IP (no forwarding header is trusted).
func Of(r *http.Request) string {
	if a, ok := r.Context().Value(key{}).(string); ok {
		return a
	}
	return Peer(r)
}

// Peer returns the IP of r's peer, the other end of its connection, whatever it forwarded.
func Peer(r *http.Request) string {
	return Trusted{}.Resolve(r)
}
