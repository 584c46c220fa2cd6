package clientaddr

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

func TestParseTrusted(t *testing.T) {
	t.Parallel()
	tr, err := ParseTrusted(" 127.0.0.1/32, 10.1.2.3/16 ::1\tfd00::/8,192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tr.String(), "127.0.0.1/32,10.1.0.0/16,::1/128,fd00::/8,192.0.2.7/32"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	for _, bad := range []string{"10.0.0.0/33", "localhost", "10.0.0", "fe80::1%eth0", "1.2.3.4/x"} {
		if _, err := ParseTrusted(bad); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("ParseTrusted(%q): %v, want an error naming it", bad, err)
		}
	}
	if tr, err := ParseTrusted(""); err != nil || tr.String() != "" {
		t.Errorf(`ParseTrusted(""): %v %q`, err, tr)
	}
}

func TestParseNode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"192.0.2.43":               "192.0.2.43",
		"192.0.2.43:47011":         "192.0.2.43",
		"192.0.2.43:_hidden":       "192.0.2.43",
		"[2001:db8:cafe::17]":      "2001:db8:cafe::17",
		"[2001:db8:cafe::17]:4711": "2001:db8:cafe::17",
		"2001:db8:cafe::17":        "2001:db8:cafe::17", // bare, as in X-Forwarded-For
		"::ffff:192.0.2.1":         "192.0.2.1",
		"[::ffff:192.0.2.1]:80":    "192.0.2.1",
		"fe80::1%eth0":             "fe80::1",
		"unknown":                  "invalid IP",
		"_hidden":                  "invalid IP",
		"":                         "invalid IP",
		"[192.0.2.1]":              "invalid IP",
		"192.0.2.43:123456":        "invalid IP",
		"192.0.2.43:":              "invalid IP",
		"[2001:db8::1":             "invalid IP",
		"[2001:db8::1]x":           "invalid IP",
		"example.com:80":           "invalid IP",
		"2001:db8::1:80:1:2:3:4:5": "invalid IP",
	} {
		if got := parseNode(in).String(); got != want {
			t.Errorf("parseNode(%q) = %s, want %s", in, got, want)
		}
	}
}

// addrs renders a hop list for comparison ("invalid IP" for hops without an address).
func addrs(a []netip.Addr) string {
	s := make([]string, len(a))
	for i, x := range a {
		s[i] = x.String()
	}
	return strings.Join(s, " ")
}

func TestForwardedFor(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		lines []string
		want  string
	}{
		// The examples of RFC 7239 §4 and §7.
		{[]string{`for="_gazonk"`}, "invalid IP"},
		{[]string{`For="[2001:db8:cafe::17]:4711"`}, "2001:db8:cafe::17"},
		{[]string{`for=192.0.2.60;proto=http;by=203.0.113.43`}, "192.0.2.60"},
		{[]string{`for=192.0.2.43, for=198.51.100.17`}, "192.0.2.43 198.51.100.17"},
		{[]string{`for=192.0.2.43,for="[2001:db8:cafe::17]",for=unknown`}, "192.0.2.43 2001:db8:cafe::17 invalid IP"},
		// Several header lines are one list, in order.
		{[]string{`for=192.0.2.43`, `for=198.51.100.17;by=10.0.0.1`}, "192.0.2.43 198.51.100.17"},
		// Leniency: unquoted port, spaces around separators, empty pairs and elements.
		{[]string{`for=192.0.2.43:8080 ; proto=https ,, for = 10.0.0.1;`}, "192.0.2.43 10.0.0.1"},
		{[]string{` , `}, ""},
		// Elements without for=, with two for=, or malformed: no address, and the next elements
		// are still read.
		{[]string{`proto=https, for=10.0.0.1`}, "invalid IP 10.0.0.1"},
		{[]string{`for=1.1.1.1;for=2.2.2.2, for=10.0.0.1`}, "invalid IP 10.0.0.1"},
		{[]string{`garbage, for=10.0.0.1`}, "invalid IP 10.0.0.1"},
		{[]string{`for="1.1.1.1, x" junk, for=10.0.0.1`}, "invalid IP 10.0.0.1"},
		{[]string{`for="quoted \"escape\", still quoted";x=1, for=10.0.0.1`}, "invalid IP 10.0.0.1"},
		{[]string{`for="unterminated, for=10.0.0.1`}, "invalid IP"},
		{[]string{`for=`, `for=10.0.0.1`}, "invalid IP 10.0.0.1"},
		{[]string{`host="a;b,c";for="[::1]:1"`}, "::1"},
	} {
		if got := addrs(forwardedFor(c.lines)); got != c.want {
			t.Errorf("forwardedFor(%q) = %q, want %q", c.lines, got, c.want)
		}
	}
}

func TestXForwardedFor(t *testing.T) {
	t.Parallel()
	got := addrs(xForwardedFor([]string{"203.0.113.7, 2001:db8::1 ,,unknown", "[2001:db8::2]:443,198.51.100.1:80"}))
	if want := "203.0.113.7 2001:db8::1 invalid IP 2001:db8::2 198.51.100.1"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	tr, err := ParseTrusted("10.0.0.0/8, 2001:db8:ffff::/48")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		trusted Trusted
		peer    string
		header  map[string][]string
		want    string
	}{
		{"no proxy trusted: header ignored", Trusted{}, "10.1.1.1:5000",
			map[string][]string{"X-Forwarded-For": {"203.0.113.7"}}, "10.1.1.1"},
		{"untrusted peer: forged header ignored", tr, "198.51.100.9:5000",
			map[string][]string{"X-Forwarded-For": {"203.0.113.7"}, "Forwarded": {"for=203.0.113.8"}}, "198.51.100.9"},
		{"trusted peer without header", tr, "10.1.1.1:5000", nil, "10.1.1.1"},
		{"trusted peer, X-Forwarded-For", tr, "10.1.1.1:5000",
			map[string][]string{"X-Forwarded-For": {"203.0.113.7"}}, "203.0.113.7"},
		{"forged entries left of the real client are skipped", tr, "10.1.1.1:5000",
			map[string][]string{"X-Forwarded-For": {"1.2.3.4, 203.0.113.7"}}, "203.0.113.7"},
		{"trusted hops skipped from the right", tr, "10.1.1.1:5000",
			map[string][]string{"X-Forwarded-For": {"1.2.3.4, 203.0.113.7, 10.9.9.9", "10.8.8.8"}}, "203.0.113.7"},
		{"every hop trusted: the leftmost", tr, "10.1.1.1:5000",
			map[string][]string{"X-Forwarded-For": {"10.3.3.3, 10.2.2.2"}}, "10.3.3.3"},
		{"unknown hop: the last known proxy", tr, "10.1.1.1:5000",
			map[string][]string{"X-Forwarded-For": {"203.0.113.7, unknown, 10.2.2.2"}}, "10.2.2.2"},
		{"garbage from the proxy: the proxy", tr, "10.1.1.1:5000",
			map[string][]string{"X-Forwarded-For": {"not an address"}}, "10.1.1.1"},
		{"Forwarded wins over X-Forwarded-For", tr, "10.1.1.1:5000",
			map[string][]string{"X-Forwarded-For": {"203.0.113.7"}, "Forwarded": {`for="[2001:db8::7]:4711";proto=https`}}, "2001:db8::7"},
		{"Forwarded, trusted IPv6 hop skipped", tr, "[2001:db8:ffff::1]:443",
			map[string][]string{"Forwarded": {`for=192.0.2.1, for="[2001:db8:ffff::2]"`}}, "192.0.2.1"},
		{"IPv4-mapped peer", tr, "[::ffff:10.1.1.1]:5000",
			map[string][]string{"X-Forwarded-For": {"203.0.113.7"}}, "203.0.113.7"},
		{"peer not IP:port", tr, "pipe", map[string][]string{"X-Forwarded-For": {"203.0.113.7"}}, "pipe"},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = c.peer
		for k, vs := range c.header {
			for _, v := range vs {
				r.Header.Add(k, v)
			}
		}
		if got := c.trusted.Resolve(r); got != c.want {
			t.Errorf("%s: Resolve = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestMiddlewareAndOf(t *testing.T) {
	t.Parallel()
	tr, err := ParseTrusted("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	var got string
	h := tr.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = Of(r) }))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "127.0.0.1:1234"
	r.Header.Set("X-Forwarded-For", "192.0.2.5")
	h.ServeHTTP(httptest.NewRecorder(), r)
	if got != "192.0.2.5" {
		t.Errorf("Of behind Middleware = %q, want 192.0.2.5", got)
	}
	if got := Of(r); got != "127.0.0.1" { // no Middleware: the peer
		t.Errorf("Of without Middleware = %q, want 127.0.0.1", got)
	}
}

// FuzzForwarded: the parsers never panic, a request's client is always an address it could
// name (its peer or one of the forwarded hops), and a well-formed Forwarded header built from
// an address gives that address back.
func FuzzForwarded(f *testing.F) {
	for _, s := range []string{`for=192.0.2.43, for="[2001:db8:cafe::17]:4711"`, `for="_gazonk"`,
		`for="unterminated`, `a=b;c="d\"e",,for=unknown`, `203.0.113.7, [::1]:80`, `;;,,;`, `for="\`} {
		f.Add(s, uint16(0))
	}
	tr, err := ParseTrusted("10.0.0.0/8")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string, port uint16) {
		hops := append(forwardedFor([]string{s}), xForwardedFor([]string{s})...)
		for _, h := range hops {
			if h.IsValid() && (h.Is4In6() || h.Zone() != "") {
				t.Fatalf("hop %s not normalised (from %q)", h, s)
			}
		}
		for _, name := range []string{"Forwarded", "X-Forwarded-For"} {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = "10.0.0.1:80"
			r.Header.Set(name, s)
			got := tr.Resolve(r)
			ok := got == "10.0.0.1"
			for _, h := range hops {
				ok = ok || h.String() == got
			}
			if !ok {
				t.Fatalf("Resolve with %s %q = %q: neither the peer nor a hop", name, s, got)
			}
		}
		// Round trip: any address s parses as, put into a Forwarded element, comes back.
		if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
			a = a.Unmap()
			node := a.String()
			if a.Is6() {
				node = "[" + node + "]"
			}
			hdr := `for="` + node + ":" + strconv.Itoa(int(port)) + `";proto=https, for=10.2.3.4`
			if got := addrs(forwardedFor([]string{hdr})); got != a.String()+" 10.2.3.4" {
				t.Fatalf("forwardedFor(%q) = %q", hdr, got)
			}
		}
	})
}
