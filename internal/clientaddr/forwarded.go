package clientaddr

import (
	"net/netip"
	"strings"
)

// forwardedFor returns the for= node of every element of the Forwarded header lines (RFC 7239),
// in order, the client side first. An element whose for= names no address (missing, "unknown",
// an obfuscated node, malformed) gives an invalid Addr in its place; a malformed element is
// skipped up to the next comma outside a quoted string, so it cannot hide the elements after
// it. Empty list elements are ignored.
func forwardedFor(lines []string) []netip.Addr {
	var out []netip.Addr
	for _, line := range lines {
		p := forwardedParser{s: line}
		for {
			a, empty, more := p.element()
			if !empty {
				out = append(out, a)
			}
			if !more {
				break
			}
		}
	}
	return out
}

// forwardedParser reads one Forwarded header line.
type forwardedParser struct {
	s string
	i int
}

// element reads one forwarded-element and the comma after it. It returns the element's for=
// address (invalid when it has none or the element is malformed), whether the element was
// empty, and whether another element follows.
func (p *forwardedParser) element() (addr netip.Addr, empty, more bool) {
	var forValue string
	forSeen, pairs := false, 0
	for {
		p.space()
		if p.i >= len(p.s) {
			return node(forValue, forSeen), pairs == 0, false
		}
		switch p.s[p.i] {
		case ',':
			p.i++
			return node(forValue, forSeen), pairs == 0, true
		case ';': // between pairs, or an empty pair
			p.i++
			continue
		}
		name := p.token()
		p.space()
		if name == "" || p.i >= len(p.s) || p.s[p.i] != '=' {
			return p.malformed()
		}
		p.i++
		p.space()
		value, ok := p.value()
		if !ok {
			return p.malformed()
		}
		if strings.EqualFold(name, "for") {
			if forSeen { // a parameter may occur once per element
				return p.malformed()
			}
			forSeen, forValue = true, value
		}
		pairs++
		p.space()
		if p.i < len(p.s) && p.s[p.i] != ';' && p.s[p.i] != ',' {
			return p.malformed()
		}
	}
}

// malformed gives up on the current element: it has no address, and parsing goes on after
// the next comma outside a quoted string.
func (p *forwardedParser) malformed() (addr netip.Addr, empty, more bool) {
	return netip.Addr{}, false, p.skipElement()
}

// node parses a for= value when there was one.
func node(v string, seen bool) netip.Addr {
	if !seen {
		return netip.Addr{}
	}
	return parseNode(v)
}

// space skips optional whitespace.
func (p *forwardedParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

// token reads an RFC 7230 token ("" when there is none).
func (p *forwardedParser) token() string {
	start := p.i
	for p.i < len(p.s) && isTokenChar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

// value reads a quoted string (unescaping quoted pairs) or, leniently, an unquoted run up to
// the next separator, so that the common unquoted for=192.0.2.1:80 is understood. It fails on
// an unterminated quoted string or an empty value.
func (p *forwardedParser) value() (string, bool) {
	if p.i < len(p.s) && p.s[p.i] == '"' {
		p.i++
		var b strings.Builder
		for p.i < len(p.s) {
			c := p.s[p.i]
			switch {
			case c == '"':
				p.i++
				return b.String(), true
			case c == '\\' && p.i+1 < len(p.s):
				b.WriteByte(p.s[p.i+1])
				p.i += 2
			default:
				b.WriteByte(c)
				p.i++
			}
		}
		return "", false
	}
	start := p.i
	for p.i < len(p.s) && !strings.ContainsRune(";, \t\"", rune(p.s[p.i])) {
		p.i++
	}
	return p.s[start:p.i], p.i > start
}

// skipElement moves past the rest of a malformed element, to just after the next comma that is
// not inside a quoted string, and reports whether there was one.
func (p *forwardedParser) skipElement() bool {
	quoted := false
	for ; p.i < len(p.s); p.i++ {
		switch c := p.s[p.i]; {
		case quoted && c == '\\':
			p.i++
		case c == '"':
			quoted = !quoted
		case c == ',' && !quoted:
			p.i++
			return true
		}
	}
	return false
}

// isTokenChar reports whether c may appear in an RFC 7230 token.
func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// xForwardedFor returns the addresses of the X-Forwarded-For header lines, in order, the client
// side first; an entry that is not an address (with or without a port) gives an invalid Addr.
// Empty entries are ignored.
func xForwardedFor(lines []string) []netip.Addr {
	var out []netip.Addr
	for _, line := range lines {
		for _, f := range strings.Split(line, ",") {
			if f = strings.TrimSpace(f); f != "" {
				out = append(out, parseNode(f))
			}
		}
	}
	return out
}

// parseNode parses a node (RFC 7239 §6): an IPv4 address, an IPv6 address in brackets, or
// either with a port; a bare IPv6 address is accepted too (X-Forwarded-For). "unknown",
// obfuscated identifiers and anything else give an invalid Addr. IPv4-mapped IPv6 addresses
// become IPv4, and zones are dropped.
func parseNode(s string) netip.Addr {
	host := s
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 || !validPort(s[end+1:], true) {
			return netip.Addr{}
		}
		host = s[1:end]
		a, err := netip.ParseAddr(host)
		if err != nil || !a.Is6() {
			return netip.Addr{}
		}
		return a.Unmap().WithZone("")
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return a.Unmap().WithZone("")
	}
	if i := strings.IndexByte(s, ':'); i > 0 && validPort(s[i:], false) {
		if a, err := netip.ParseAddr(s[:i]); err == nil && a.Is4() {
			return a
		}
	}
	return netip.Addr{}
}

// validPort reports whether s is empty (when allowed) or ":" and a port: 1–5 digits, or an
// obfuscated port ("_" and letters, digits, ".", "_", "-").
func validPort(s string, emptyOK bool) bool {
	if s == "" {
		return emptyOK
	}
	if s[0] != ':' || len(s) < 2 {
		return false
	}
	s = s[1:]
	if s[0] == '_' {
		for i := 1; i < len(s); i++ {
			if c := s[i]; !isTokenChar(c) || strings.IndexByte("!#$%&'*+^`|~", c) >= 0 {
				return false
			}
		}
		return true
	}
	if len(s) > 5 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
