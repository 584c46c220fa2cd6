package password

import (
	"errors"
	"strings"
	"testing"
)

var fast = Params{Memory: 64, Time: 1, Threads: 1}

func TestHashVerify(t *testing.T) {
	t.Parallel()
	h, err := Hash("demo-password", fast)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("unexpected hash format %q", h)
	}
	if err := Verify("demo-password", h); err != nil {
		t.Fatalf("Verify(right password) = %v", err)
	}
	if err := Verify("demo-passwordx", h); !errors.Is(err, ErrMismatch) {
		t.Fatalf("Verify(wrong password) = %v, want ErrMismatch", err)
	}
	h2, _ := Hash("demo-password", fast)
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
}

func TestVerifyBadHash(t *testing.T) {
	t.Parallel()
	good, _ := Hash("x", fast)
	parts := strings.Split(good, "$")
	for _, bad := range []string{
		"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=18$" + strings.Join(parts[3:], "$"),
		"$argon2id$v=19$m=0,t=1,p=1$" + strings.Join(parts[4:], "$"),
		"$argon2id$v=19$m=64,t=1,p=1$!!!$" + parts[5],
		"$argon2id$v=19$m=64,t=1,p=1$" + parts[4] + "$",
	} {
		if err := Verify("x", bad); !errors.Is(err, ErrBadHash) {
			t.Errorf("Verify(%q) = %v, want ErrBadHash", bad, err)
		}
	}
}

// FuzzParse checks that reading a stored hash never panics and that whatever it accepts has
// parameters inside the bounds Verify relies on.
func FuzzParse(f *testing.F) {
	good, _ := Hash("x", fast)
	f.Add(good)
	f.Add("$argon2id$v=19$m=64,t=1,p=1$$")
	f.Add("$argon2id$v=19$m=999999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")
	f.Fuzz(func(t *testing.T, hash string) {
		p, salt, key, err := parse(hash)
		if err != nil {
			return
		}
		if p.Memory == 0 || p.Memory > 1<<18 || p.Time == 0 || p.Time > 16 || len(salt) < 8 || len(key) < 16 {
			t.Fatalf("parse accepted out-of-bounds hash %q: %+v", hash, p)
		}
	})
}
