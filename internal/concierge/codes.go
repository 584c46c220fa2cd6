package concierge

import (
	"crypto/rand"
	"crypto/sha256"
	"time"
)

// codeAlphabet is Crockford's base-32 alphabet: no I, L, O or U to misread.
const codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// Code layout: codeTimeChars base-32 characters of the creation time in milliseconds since the
// Unix epoch (45 bits, enough until the year 3084), then codeRandomChars random ones (60 bits).
const (
	codeTimeChars   = 9
	codeRandomChars = 12
)

// NewCode returns a new opaque code: prefix, then the current time in milliseconds, then 60
// random bits, all in base 32 (21 characters after the prefix).
//
// The time comes first so that codes made one after the other sort together: a new row's code
// goes to the end of the table's unique index, the same few pages at every write, instead of a
// random page (with purely random codes each conversation and message dirtied two random index
// pages, which a commit must write and fsync). Codes are names, not secrets: who may read a
// conversation is decided by its owner, never by knowing its code.
func NewCode(prefix string) string {
	return newCodeAt(prefix, time.Now())
}

// newCodeAt is NewCode at time t.
func newCodeAt(prefix string, t time.Time) string {
	var b [codeRandomChars]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("concierge: crypto/rand failed: " + err.Error()) // never happens on supported systems
	}
	out := make([]byte, len(prefix), len(prefix)+codeTimeChars+codeRandomChars)
	copy(out, prefix)
	ms := uint64(max(t.UnixMilli(), 0))
	for i := codeTimeChars - 1; i >= 0; i-- {
		out = append(out, codeAlphabet[(ms>>(5*i))&31])
	}
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
