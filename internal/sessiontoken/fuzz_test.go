package sessiontoken

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzParse checks that Parse never panics, fails only with ErrInvalid, and accepts only canonical
// tokens: whatever it accepts is exactly what Sign produces for the same claims under one of the
// keyring's keys.
func FuzzParse(f *testing.F) {
	cur, prev := testKey(1), testKey(2)
	k, err := NewKeyring(cur, prev)
	if err != nil {
		f.Fatal(err)
	}
	signers := []*Keyring{mustKeyring(f, cur), mustKeyring(f, prev)}

	valid := []string{
		k.Sign(1, time.Unix(0, 0)),
		k.Sign(12345, time.Unix(1737186757, 0)),
		k.Sign(1<<62, time.Unix(-1, 0)),
		signers[1].Sign(77, time.Unix(1737186757, 0)),
	}
	for _, tok := range valid {
		f.Add(tok)
		p, m, _ := strings.Cut(tok, ".")
		f.Add(p + "=." + m)
		f.Add(m + "." + p)
		f.Add(tok[:len(tok)-1])
		f.Add(tok + "A")
		f.Add(tok + ".")
		f.Add(strings.ToUpper(tok))
		f.Add(p[:10] + "\n" + p[10:] + "." + m[:len(m)-1])
	}
	f.Add(forge(cur, 1, 2, 1))
	f.Add(forge(cur, 1, CurrentVersion, 0))
	f.Add(forge(cur, 1, CurrentVersion, -5))
	f.Add("")
	f.Add(".")
	f.Add("..")
	f.Add("!!!.???")
	f.Add(strings.Repeat("A", 27) + "." + strings.Repeat("A", 43))
	f.Add(strings.Repeat("x", 500))

	f.Fuzz(func(t *testing.T, tok string) {
		c, err := k.Parse(tok)
		if err != nil {
			if !errors.Is(err, ErrInvalid) || err.Error() != ErrInvalid.Error() {
				t.Fatalf("Parse(%q) error %v is not plain ErrInvalid", tok, err)
			}
			if c != (Claims{}) {
				t.Fatalf("Parse(%q) returned claims %+v with an error", tok, c)
			}
			return
		}
		if c.SessionID <= 0 || c.Version != CurrentVersion || c.IssuedAt.Location() != time.UTC {
			t.Fatalf("Parse(%q) accepted bad claims %+v", tok, c)
		}
		for _, s := range signers {
			if s.Sign(c.SessionID, c.IssuedAt) == tok {
				return
			}
		}
		t.Fatalf("Parse accepted non-canonical token %q (claims %+v; canonical under current key %q)",
			tok, c, signers[0].Sign(c.SessionID, c.IssuedAt))
	})
}
