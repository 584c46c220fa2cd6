package webhook

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestPolicyCheck(t *testing.T) {
	t.Parallel()
	cases := []struct {
		addr    string
		allowed bool
	}{
		{"8.8.8.8", true},
		{"1.1.1.1", true},
		{"93.184.216.34", true},
		{"2606:4700:4700::1111", true},
		{"127.0.0.1", false},
		{"127.255.255.254", false},
		{"::1", false},
		{"10.0.0.1", false},
		{"172.16.0.1", false},
		{"172.31.255.255", false},
		{"172.32.0.1", true},
		{"192.168.1.1", false},
		{"169.254.169.254", false}, // cloud metadata
		{"fe80::1", false},
		{"fe80::1%eth0", false},
		{"fc00::1", false},
		{"fd12:3456::1", false},
		{"224.0.0.1", false},
		{"239.255.255.250", false},
		{"ff02::1", false},
		{"0.0.0.0", false},
		{"::", false},
		{"100.64.0.1", false},
		{"100.127.255.255", false},
		{"100.128.0.1", true},
		{"255.255.255.255", false},
		{"::ffff:127.0.0.1", false},
		{"::ffff:10.1.2.3", false},
		{"::ffff:169.254.169.254", false},
		{"::ffff:8.8.8.8", true},
		{"::127.0.0.1", false},         // IPv4-compatible
		{"64:ff9b::a00:1", false},      // NAT64 of 10.0.0.1
		{"64:ff9b::808:808", true},     // NAT64 of 8.8.8.8
		{"2002:7f00:1::", false},       // 6to4 of 127.0.0.1
		{"2002:0808:0808::1", true},    // 6to4 of 8.8.8.8
		{"fec0::1", false},             // site-local
		{"198.18.0.1", false},          // benchmarking
		{"2001:4860:4860::8888", true}, // public IPv6
	}
	var p Policy
	for _, c := range cases {
		a := netip.MustParseAddr(c.addr)
		err := p.Check(a)
		if (err == nil) != c.allowed {
			t.Errorf("Check(%s) = %v, want allowed %t", c.addr, err, c.allowed)
		}
		if err != nil && !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("Check(%s) error %v is not ErrForbiddenAddress", c.addr, err)
		}
	}
	if err := p.Check(netip.Addr{}); err == nil {
		t.Error("Check of the zero address allowed")
	}
}

func TestPolicyAllowList(t *testing.T) {
	t.Parallel()
	allow, err := ParseAllowList("127.0.0.0/8, 10.1.0.0/16 fd00::1")
	if err != nil {
		t.Fatal(err)
	}
	p := Policy{Allow: allow}
	for addr, want := range map[string]bool{
		"127.0.0.1": true, "::ffff:127.0.0.1": true, "10.1.2.3": true, "10.2.0.1": false,
		"fd00::1": true, "fd00::2": false, "192.168.0.1": false, "8.8.8.8": true,
	} {
		if got := p.Check(netip.MustParseAddr(addr)) == nil; got != want {
			t.Errorf("allow-listed Check(%s) = %t, want %t", addr, got, want)
		}
	}
}

func TestParseAllowList(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                              "",
		" , ":                           "",
		"127.0.0.1":                     "127.0.0.1/32",
		"10.1.2.3/8,::1":                "10.0.0.0/8 ::1/128",
		"192.168.0.0/16\tfd00::/8\n":    "192.168.0.0/16 fd00::/8",
		"::ffff:127.0.0.1/128":          "::ffff:127.0.0.1/128",
		"2001:db8::/32 , 100.64.0.0/10": "2001:db8::/32 100.64.0.0/10",
	} {
		got, err := ParseAllowList(in)
		if err != nil {
			t.Errorf("ParseAllowList(%q): %v", in, err)
			continue
		}
		var parts []string
		for _, p := range got {
			parts = append(parts, p.String())
		}
		if strings.Join(parts, " ") != want {
			t.Errorf("ParseAllowList(%q) = %v, want %s", in, parts, want)
		}
	}
	for _, bad := range []string{"localhost", "10.0.0.0/33", "1.2.3", "fe80::1%eth0", "10.0.0.0/", "/8", "1.2.3.4/x"} {
		if _, err := ParseAllowList(bad); err == nil {
			t.Errorf("ParseAllowList(%q) accepted", bad)
		}
	}
}

func FuzzParseAllowList(f *testing.F) {
	for _, s := range []string{"", "127.0.0.1", "10.0.0.0/8,::1", "fd00::/8 1.2.3.4/32", "x/1", "::ffff:1.2.3.4/100"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseAllowList(s)
		if err != nil {
			return
		}
		var parts []string
		for _, p := range got {
			if !p.IsValid() || p.Masked() != p {
				t.Fatalf("ParseAllowList(%q) gave %v", s, p)
			}
			parts = append(parts, p.String())
		}
		again, err := ParseAllowList(strings.Join(parts, ","))
		if err != nil || len(again) != len(got) {
			t.Fatalf("ParseAllowList does not round-trip %q: %v %v", s, again, err)
		}
	})
}

// fakeResolver answers names from a map.
type fakeResolver map[string][]string

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	addrs, ok := f[host]
	if !ok {
		return nil, errors.New("no such host")
	}
	var out []netip.Addr
	for _, a := range addrs {
		out = append(out, netip.MustParseAddr(a))
	}
	return out, nil
}

func TestCheckURL(t *testing.T) {
	t.Parallel()
	r := fakeResolver{
		"hooks.example.com": {"93.184.216.34"},
		"internal.example":  {"10.0.0.5"},
		"mixed.example":     {"93.184.216.34", "127.0.0.1"},
		"v6.example":        {"2606:4700::1"},
	}
	var p Policy
	ctx := context.Background()
	for raw, want := range map[string]string{
		"https://hooks.example.com/x":                            "",
		"http://hooks.example.com:8080/a?b=c":                    "",
		"https://v6.example/":                                    "",
		"https://93.184.216.34/hook":                             "",
		"https://[2606:4700::1]/hook":                            "",
		"https://internal.example/x":                             "non-public",
		"https://mixed.example/x":                                "non-public",
		"http://127.0.0.1:9000/":                                 "non-public",
		"http://[::1]/":                                          "non-public",
		"http://[::ffff:169.254.169.254]/":                       "non-public",
		"http://169.254.169.254/latest":                          "non-public",
		"http://0.0.0.0/":                                        "non-public",
		"https://nowhere.example/":                               "does not resolve",
		"ftp://hooks.example.com/":                               "absolute http",
		"hooks.example.com/x":                                    "absolute http",
		"https:///x":                                             "absolute http",
		"https://user:pw@hooks.example.com/":                     "credentials",
		"https://hooks.example.com/#frag":                        "fragment",
		"https://hooks.example.com/" + strings.Repeat("a", 2001): "at most",
	} {
		err := p.CheckURL(ctx, r, raw)
		switch {
		case want == "" && err != nil:
			t.Errorf("CheckURL(%q) = %v, want nil", raw, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("CheckURL(%q) = %v, want an error with %q", raw, err, want)
		}
	}
	allowed := Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	if err := allowed.CheckURL(ctx, r, "http://127.0.0.1:9000/"); err != nil {
		t.Errorf("allow-listed loopback URL refused: %v", err)
	}
}

func TestControl(t *testing.T) {
	t.Parallel()
	var p Policy
	if err := p.Control("tcp", "127.0.0.1:80", nil); !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("Control(127.0.0.1:80) = %v", err)
	}
	if err := p.Control("tcp6", "[::ffff:10.0.0.1]:443", nil); !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("Control(mapped 10.0.0.1) = %v", err)
	}
	if err := p.Control("tcp", "93.184.216.34:443", nil); err != nil {
		t.Errorf("Control(public) = %v", err)
	}
	if err := p.Control("tcp", "nonsense", nil); err == nil {
		t.Error("Control of a malformed address allowed")
	}
}

// TestClientRefusesForbiddenAddresses: the delivery client checks the address it actually
// dials, whatever the URL said when the webhook was created (DNS rebinding), and follows no
// redirect.
func TestClientRefusesForbiddenAddresses(t *testing.T) {
	t.Parallel()
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/", http.StatusFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	// "localhost" stands for a public name re-pointed at the server's own network.
	url := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	_, err := NewClient(Policy{}, 5*time.Second).Get(url)
	if !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("GET %s without an allow-list: %v, want ErrForbiddenAddress", url, err)
	}
	if hits != 0 {
		t.Fatalf("the receiver was reached %d times", hits)
	}
	allowed := Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}}
	resp, err := NewClient(allowed, 5*time.Second).Get(url + "/redirect")
	if err != nil {
		t.Fatalf("GET with the allow-list: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || hits != 1 {
		t.Errorf("redirect: status %d after %d requests, want 302 not followed", resp.StatusCode, hits)
	}
}
