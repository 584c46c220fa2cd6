package webhook

import (
	"errors"
	"net/netip"
	"testing"
)

// TestPolicyRefusesTranslationRanges: the local-use NAT64 prefix 64:ff9b:1::/48 and SIIT's
// IPv4-translated ::ffff:0:0:0/96 are refused whatever IPv4 address they carry (a public one
// included: the site's translator decides where it leads), unless allow-listed; their
// neighbours stay public.
func TestPolicyRefusesTranslationRanges(t *testing.T) {
	t.Parallel()
	var p Policy
	for addr, allowed := range map[string]bool{
		"64:ff9b:1::a00:1":           false, // local-use NAT64, /96 form, of 10.0.0.1
		"64:ff9b:1::808:808":         false, // of 8.8.8.8: still the site's own translator
		"64:ff9b:1:0:8:808:800::":    false, // /64 form (RFC 6052), 8.8.8.8 around the u octet
		"64:ff9b:1:ffff:ffff:ffff::": false, // the prefix's last /64
		"64:ff9b:2::1":               true,  // outside the /48
		"::ffff:0:7f00:1":            false, // IPv4-translated 127.0.0.1
		"::ffff:0:808:808":           false, // IPv4-translated 8.8.8.8
		"::ffff:0:0":                 false, // IPv4-mapped 0.0.0.0 (a neighbour range, refused already)
		"::fffe:0:808:808":           true,  // outside the /96
		"::1:ffff:0:808:808":         true,  // outside the /96
	} {
		err := p.Check(netip.MustParseAddr(addr))
		if (err == nil) != allowed {
			t.Errorf("Check(%s) = %v, want allowed %t", addr, err, allowed)
		}
		if err != nil && !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("Check(%s) error %v is not ErrForbiddenAddress", addr, err)
		}
	}
	allow, err := ParseAllowList("64:ff9b:1::/48")
	if err != nil {
		t.Fatal(err)
	}
	if err := (Policy{Allow: allow}).Check(netip.MustParseAddr("64:ff9b:1::a00:1")); err != nil {
		t.Errorf("allow-listed local-use NAT64 address refused: %v", err)
	}
	if err := p.CheckURL(t.Context(), nil, "http://[::ffff:0:808:808]/hook"); err == nil {
		t.Error("CheckURL allowed an IPv4-translated address")
	}
	if err := p.CheckURL(t.Context(), nil, "https://[64:ff9b:1::808:808]:8443/hook"); err == nil {
		t.Error("CheckURL allowed a local-use NAT64 address")
	}
}
