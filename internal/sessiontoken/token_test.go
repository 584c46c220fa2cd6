package sessiontoken

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

func mustKeyring(t testing.TB, current []byte, previous ...[]byte) *Keyring {
	t.Helper()
	k, err := NewKeyring(current, previous...)
	if err != nil {
		t.Fatalf("NewKeyring: %v", err)
	}
	return k
}

// forge builds a correctly signed token over an arbitrary payload, to test the checks that run
// after the MAC.
func forge(key []byte, issued int64, version uint32, id int64) string {
	var p [payloadSize]byte
	binary.BigEndian.PutUint64(p[0:8], uint64(issued))
	binary.BigEndian.PutUint32(p[8:12], version)
	binary.BigEndian.PutUint64(p[12:20], uint64(id))
	return b64.EncodeToString(p[:]) + "." + b64.EncodeToString(computeMAC(key, p[:]))
}

func TestSignParseRoundTrip(t *testing.T) {
	t.Parallel()
	k := mustKeyring(t, testKey(1))
	issued := time.Date(2025, 1, 18, 7, 52, 37, 92395900, time.FixedZone("x", 3600))
	for _, id := range []int64{1, 2, 42, 1 << 40, math.MaxInt64} {
		tok := k.Sign(id, issued)
		if len(tok) != 71 {
			t.Fatalf("token length %d, want 71: %q", len(tok), tok)
		}
		if strings.Count(tok, ".") != 1 || strings.ContainsAny(tok, "=+/") {
			t.Fatalf("token not unpadded base64url: %q", tok)
		}
		c, err := k.Parse(tok)
		if err != nil {
			t.Fatalf("Parse(Sign(%d)): %v", id, err)
		}
		want := Claims{SessionID: id, IssuedAt: time.Unix(issued.Unix(), 0).UTC(), Version: CurrentVersion}
		if c != want {
			t.Fatalf("claims = %+v, want %+v", c, want)
		}
	}
}

func TestSignIsDeterministicAndExtremeTimes(t *testing.T) {
	t.Parallel()
	k := mustKeyring(t, testKey(1))
	for _, sec := range []int64{0, -1, math.MinInt64, math.MaxInt64, 1737186757} {
		tok := k.Sign(7, time.Unix(sec, 0))
		c, err := k.Parse(tok)
		if err != nil {
			t.Fatalf("sec %d: %v", sec, err)
		}
		if c.IssuedAt.Unix() != sec {
			t.Fatalf("sec %d: IssuedAt.Unix() = %d", sec, c.IssuedAt.Unix())
		}
		if again := k.Sign(c.SessionID, c.IssuedAt); again != tok {
			t.Fatalf("sec %d: re-sign %q != %q", sec, again, tok)
		}
	}
}

func TestPayloadLayout(t *testing.T) {
	t.Parallel()
	k := mustKeyring(t, testKey(1))
	tok := k.Sign(0x0102030405060708, time.Unix(0x1112131415161718, 0))
	p, _, _ := strings.Cut(tok, ".")
	raw, err := b64.DecodeString(p)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{
		0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, // issued
		0, 0, 0, 1, // version
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, // id
	}
	if !bytes.Equal(raw, want) {
		t.Fatalf("payload = % x, want % x", raw, want)
	}
}

func expectInvalid(t *testing.T, k *Keyring, name, tok string) {
	t.Helper()
	c, err := k.Parse(tok)
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("%s: Parse(%q) = %+v, %v; want ErrInvalid", name, tok, c, err)
	}
	if err != nil && err.Error() != ErrInvalid.Error() {
		t.Errorf("%s: error %q reveals more than ErrInvalid", name, err)
	}
	if err != nil && c != (Claims{}) {
		t.Errorf("%s: non-zero claims %+v with error", name, c)
	}
}

func TestTamperingFails(t *testing.T) {
	t.Parallel()
	k := mustKeyring(t, testKey(1))
	tok := k.Sign(12345, time.Unix(1737186757, 0))
	p64, m64, _ := strings.Cut(tok, ".")
	payload, _ := b64.DecodeString(p64)
	mac, _ := b64.DecodeString(m64)

	// Every bit of every byte of payload and mac, re-encoded canonically.
	for i := range payload {
		for bit := 0; bit < 8; bit++ {
			p := bytes.Clone(payload)
			p[i] ^= 1 << bit
			expectInvalid(t, k, fmt.Sprintf("payload byte %d bit %d", i, bit), b64.EncodeToString(p)+"."+m64)
		}
	}
	for i := range mac {
		for bit := 0; bit < 8; bit++ {
			m := bytes.Clone(mac)
			m[i] ^= 1 << bit
			expectInvalid(t, k, fmt.Sprintf("mac byte %d bit %d", i, bit), p64+"."+b64.EncodeToString(m))
		}
	}
	// Every character replaced by every other byte value.
	for i := 0; i < len(tok); i++ {
		for c := 0; c < 256; c++ {
			if byte(c) == tok[i] {
				continue
			}
			b := []byte(tok)
			b[i] = byte(c)
			expectInvalid(t, k, fmt.Sprintf("char %d = %#x", i, c), string(b))
		}
	}
	// Every truncation and every extension.
	for n := 0; n < len(tok); n++ {
		expectInvalid(t, k, fmt.Sprintf("prefix %d", n), tok[:n])
		expectInvalid(t, k, fmt.Sprintf("suffix from %d", n+1), tok[n+1:])
	}

	cases := map[string]string{
		"empty":                "",
		"dot only":             ".",
		"no dot":               p64 + m64,
		"swapped parts":        m64 + "." + p64,
		"padded payload":       p64 + "=." + m64,
		"padded mac":           p64 + "." + m64 + "=",
		"padded both":          p64 + "=." + m64 + "=",
		"extra dot end":        tok + ".",
		"extra dot start":      "." + tok,
		"extra part":           tok + "." + m64,
		"double dot":           p64 + ".." + m64,
		"std alphabet":         strings.NewReplacer("-", "+", "_", "/").Replace(tok) + "+/",
		"non-base64":           strings.Repeat("!", len(p64)) + "." + strings.Repeat("!", len(m64)),
		"newline in payload":   p64[:5] + "\n" + p64[5:] + "." + m64[:len(m64)-1],
		"space":                " " + tok,
		"trailing newline":     tok + "\n",
		"crlf inside mac":      p64 + "." + m64[:20] + "\r\n" + m64[20:len(m64)-2],
		"huge":                 strings.Repeat(tok, 1000),
		"huge dots":            strings.Repeat(".", 1<<16),
		"nul":                  strings.Repeat("\x00", len(tok)),
		"upper-cased":          strings.ToUpper(tok),
		"unicode":              strings.Replace(tok, tok[:3], "é", 1),
		"mac of other payload": p64 + "." + strings.SplitN(k.Sign(12346, time.Unix(1737186757, 0)), ".", 2)[1],
	}
	for name, c := range cases {
		if c == tok {
			continue // e.g. upper-casing a token that happens to have no lower case
		}
		expectInvalid(t, k, name, c)
	}

	// Non-zero trailing bits: 27 chars carry 162 bits for 160, so the last character has two
	// unused low bits, and 43 chars carry 258 for 256. Changing them must not decode to the
	// same bytes and verify.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for _, part := range []int{0, 1} {
		for low := 1; low < 4; low++ {
			var s string
			if part == 0 {
				last := strings.IndexByte(alphabet, p64[len(p64)-1])
				s = p64[:len(p64)-1] + string(alphabet[last|low]) + "." + m64
			} else {
				last := strings.IndexByte(alphabet, m64[len(m64)-1])
				s = p64 + "." + m64[:len(m64)-1] + string(alphabet[last|low])
			}
			if s != tok {
				expectInvalid(t, k, fmt.Sprintf("trailing bits part %d low %d", part, low), s)
			}
		}
	}
}

func TestWrongKeyVersionAndID(t *testing.T) {
	t.Parallel()
	k := mustKeyring(t, testKey(1))
	other := mustKeyring(t, testKey(2))
	expectInvalid(t, k, "wrong key", other.Sign(1, time.Unix(100, 0)))
	// One bit different key.
	kb := testKey(1)
	kb[31] ^= 1
	expectInvalid(t, k, "near key", mustKeyring(t, kb).Sign(1, time.Unix(100, 0)))

	// Correctly signed, but failing the payload checks.
	key := testKey(1)
	if _, err := k.Parse(forge(key, 100, CurrentVersion, 5)); err != nil {
		t.Fatalf("forge helper broken: %v", err)
	}
	expectInvalid(t, k, "version 0", forge(key, 100, 0, 5))
	expectInvalid(t, k, "version 2", forge(key, 100, 2, 5))
	expectInvalid(t, k, "version max", forge(key, 100, math.MaxUint32, 5))
	expectInvalid(t, k, "id 0", forge(key, 100, CurrentVersion, 0))
	expectInvalid(t, k, "id -1", forge(key, 100, CurrentVersion, -1))
	expectInvalid(t, k, "id min", forge(key, 100, CurrentVersion, math.MinInt64))
	expectInvalid(t, k, "Sign(0)", k.Sign(0, time.Unix(100, 0)))
	expectInvalid(t, k, "Sign(-3)", k.Sign(-3, time.Unix(100, 0)))
}

func TestRotation(t *testing.T) {
	t.Parallel()
	oldKey, newKey := testKey(1), testKey(2)
	oldRing := mustKeyring(t, oldKey)
	rotated := mustKeyring(t, newKey, oldKey)
	newOnly := mustKeyring(t, newKey)

	oldTok := oldRing.Sign(9, time.Unix(1000, 0))
	if c, err := rotated.Parse(oldTok); err != nil || c.SessionID != 9 {
		t.Fatalf("rotated keyring rejects old token: %+v, %v", c, err)
	}
	expectInvalid(t, newOnly, "old token, new key only", oldTok)

	newTok := rotated.Sign(10, time.Unix(2000, 0))
	if newTok != newOnly.Sign(10, time.Unix(2000, 0)) {
		t.Fatal("rotated keyring does not sign with its current key")
	}
	if _, err := newOnly.Parse(newTok); err != nil {
		t.Fatalf("new token under new key: %v", err)
	}
	expectInvalid(t, oldRing, "new token, old key only", newTok)

	// Several previous keys, any order.
	many := mustKeyring(t, testKey(3), testKey(4), newKey, testKey(5), oldKey)
	for _, tok := range []string{oldTok, newTok} {
		if _, err := many.Parse(tok); err != nil {
			t.Fatalf("many keys: %v", err)
		}
	}
}

func TestNewKeyringValidatesAndCopies(t *testing.T) {
	t.Parallel()
	if _, err := NewKeyring(nil); !errors.Is(err, ErrBadKey) {
		t.Fatalf("nil key: %v", err)
	}
	if _, err := NewKeyring(make([]byte, 31)); !errors.Is(err, ErrBadKey) {
		t.Fatalf("31-byte key: %v", err)
	}
	if _, err := NewKeyring(testKey(1), testKey(2), make([]byte, 16)); !errors.Is(err, ErrBadKey) {
		t.Fatalf("short previous key: %v", err)
	}
	if _, err := NewKeyring(bytes.Repeat([]byte{7}, 100)); err != nil {
		t.Fatalf("long key: %v", err)
	}

	key := testKey(1)
	k := mustKeyring(t, key)
	tok := k.Sign(1, time.Unix(1, 0))
	key[0] ^= 0xff // caller mutates its slice afterwards
	if _, err := k.Parse(tok); err != nil {
		t.Fatalf("keyring did not copy its key: %v", err)
	}
}

func TestKeyringDoesNotPrintKeys(t *testing.T) {
	t.Parallel()
	k := mustKeyring(t, bytes.Repeat([]byte{0xab}, 32), bytes.Repeat([]byte{0xcd}, 32))
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%q"} {
		out := fmt.Sprintf(verb, k)
		if strings.Contains(strings.ToLower(out), "abab") || strings.Contains(out, "171") ||
			strings.Contains(strings.ToLower(out), "cdcd") || strings.Contains(out, "205") {
			t.Errorf("%s prints key material: %s", verb, out)
		}
	}
}

func TestParseConcurrent(t *testing.T) {
	t.Parallel()
	k := mustKeyring(t, testKey(1), testKey(2))
	tok := k.Sign(5, time.Unix(5, 0))
	done := make(chan struct{})
	for g := 0; g < 8; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := 0; i < 200; i++ {
				if _, err := k.Parse(tok); err != nil {
					t.Error(err)
					return
				}
				_ = k.Sign(int64(i+1), time.Unix(int64(i), 0))
			}
		}()
	}
	for g := 0; g < 8; g++ {
		<-done
	}
}

func BenchmarkParse(b *testing.B) {
	k := mustKeyring(b, testKey(1), testKey(2))
	tok := k.Sign(5, time.Unix(5, 0))
	for b.Loop() {
		if _, err := k.Parse(tok); err != nil {
			b.Fatal(err)
		}
	}
}
