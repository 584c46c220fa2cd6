package webhook

import (
	"strings"
	"testing"
	"time"
)

func TestSignVerify(t *testing.T) {
	t.Parallel()
	body := []byte(`{"kind":"message.created"}`)
	sig := Sign("whsec_secret", 1700000000, body)
	if !strings.HasPrefix(sig, "v1=") || len(sig) != 3+64 {
		t.Fatalf("Sign = %q", sig)
	}
	// The value receivers compute with any HMAC library: HMAC-SHA256("whsec_secret", "1700000000." + body)
	// (here computed with Python's hmac module).
	if want := "v1=6e98d187f57d9a49efc9ab3414d6d9891529010ec1fa26502a004323fb51d7cb"; sig != want {
		t.Errorf("Sign = %s, want %s", sig, want)
	}
	if !Verify("whsec_secret", 1700000000, body, sig) {
		t.Error("Verify rejects its own signature")
	}
	if !Verify("whsec_secret", 1700000000, body, "v0=abc, "+sig) {
		t.Error("Verify rejects a valid v1 among other schemes")
	}
	for name, ok := range map[string]bool{
		"other secret": Verify("whsec_other", 1700000000, body, sig),
		"other time":   Verify("whsec_secret", 1700000001, body, sig),
		"other body":   Verify("whsec_secret", 1700000000, []byte(`{}`), sig),
		"empty header": Verify("whsec_secret", 1700000000, body, ""),
		"bad hex":      Verify("whsec_secret", 1700000000, body, "v1="+strings.Repeat("z", 64)),
		"short":        Verify("whsec_secret", 1700000000, body, sig[:20]),
	} {
		if ok {
			t.Errorf("Verify accepts %s", name)
		}
	}
}

func FuzzParseSignature(f *testing.F) {
	f.Add(Sign("k", 1, []byte("x")))
	f.Add("v1=zz, v2=00")
	f.Add(",,=,v1=")
	f.Fuzz(func(t *testing.T, header string) {
		for _, sig := range ParseSignature(header) {
			if len(sig) != 32 {
				t.Fatalf("ParseSignature(%q) gave %d bytes", header, len(sig))
			}
		}
		_ = Verify("k", 1, []byte("x"), header)
	})
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	lo, hi := time.Second, time.Hour
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 5: 16 * time.Second, 13: time.Hour, 100: time.Hour} {
		if got := Backoff(n, lo, hi, 0.999999999); got > want || got < want*99/100 {
			t.Errorf("Backoff(%d) at the top = %v, want about %v", n, got, want)
		}
		if got := Backoff(n, lo, hi, 0); got != 0 {
			t.Errorf("Backoff(%d, r=0) = %v, want 0 (full jitter)", n, got)
		}
	}
}
