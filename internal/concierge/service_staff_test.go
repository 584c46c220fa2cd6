package concierge

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"concierge/internal/password"
)

func TestDummyPasswordHashUsesDefaultParams(t *testing.T) {
	t.Parallel()
	p := password.Default
	prefix := fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$", p.Memory, p.Time, p.Threads)
	if !strings.HasPrefix(dummyPasswordHash, prefix) {
		t.Fatalf("dummyPasswordHash %q does not use password.Default (%s): unknown usernames would answer faster or slower", dummyPasswordHash, prefix)
	}
	if err := password.Verify("", dummyPasswordHash); err != password.ErrMismatch {
		t.Fatalf("Verify against the dummy hash = %v, want ErrMismatch", err)
	}
}

func TestNewSecretAndParseSecret(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		for prefix, kind := range map[string]secretKind{StaffTokenPrefix: secretStaffSession, APIKeyPrefix: secretAPIKey} {
			s := newSecret(prefix)
			if !strings.HasPrefix(s, prefix) || len(s) != secretLength || seen[s] {
				t.Fatalf("newSecret(%q) = %q", prefix, s)
			}
			seen[s] = true
			if got := parseSecret(s); got != kind {
				t.Fatalf("parseSecret(%q) = %v, want %v", s, got, kind)
			}
		}
	}
	good := newSecret(StaffTokenPrefix)
	body := good[len(StaffTokenPrefix):]
	for _, bad := range []string{
		"",
		StaffTokenPrefix,
		body,                               // no prefix
		"csx_" + body,                      // unknown prefix
		"CST_" + body,                      // prefixes are case-sensitive
		good + "A",                         // too long
		good[:len(good)-1],                 // too short
		good + "=",                         // padded
		StaffTokenPrefix + body[:42] + "B", // non-zero trailing bits: not canonical
		StaffTokenPrefix + strings.Repeat("+", 43),
		StaffTokenPrefix + strings.Repeat("/", 43),
		StaffTokenPrefix + strings.Repeat("é", 21) + "A",
		" " + good[:len(good)-1],
	} {
		if got := parseSecret(bad); got != secretInvalid {
			t.Errorf("parseSecret(%q) = %v, want invalid", bad, got)
		}
	}
}

// FuzzParseSecret checks that parseSecret never panics and accepts exactly a known prefix
// followed by the canonical unpadded base64url encoding of 32 bytes.
func FuzzParseSecret(f *testing.F) {
	for _, seed := range []string{"", "cst_", "cak_", newSecret(StaffTokenPrefix), newSecret(APIKeyPrefix),
		"cst_" + strings.Repeat("A", 43), "cak_" + strings.Repeat("_", 43), "xyz_" + strings.Repeat("A", 43),
		"cst_" + strings.Repeat("A", 42) + "B", "cst_\x00"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		kind := parseSecret(s)
		if kind == secretInvalid {
			return
		}
		prefix, rest := s[:4], s[4:]
		if (kind == secretStaffSession) != (prefix == StaffTokenPrefix) || (kind == secretAPIKey) != (prefix == APIKeyPrefix) {
			t.Fatalf("parseSecret(%q) = %v", s, kind)
		}
		b, err := base64.RawURLEncoding.DecodeString(rest)
		if err != nil || len(b) != secretBytes || base64.RawURLEncoding.EncodeToString(b) != rest {
			t.Fatalf("parseSecret accepted %q, which is not a canonical 32-byte secret", s)
		}
	})
}
