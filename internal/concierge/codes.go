package concierge

import (
	"crypto/rand"
	"crypto/sha256"
)

// codeAlphabet is Crockford's base-32 alphabet: no I, L, O or U to misread.
const codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewCode returns a random opaque code: prefix followed by 16 base-32 characters (80 bits).
func NewCode(prefix string) string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("concierge: crypto/rand failed: " + err.Error()) // never happens on supported systems
	}
	out := make([]byte, len(prefix), len(prefix)+len(b))
	copy(out, prefix)
	for _, c := range b {
		out = append(out, codeAlphabet[c&31])
	}
	return string(out)
}

// HashSecret returns the SHA-256 of a high-entropy secret (an interface token or API key):
// the form in which such secrets are stored and looked up.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}
