// Package sessiontoken signs and verifies guest session tokens (SPEC §3.4).
//
// A token is base64url(payload) "." base64url(mac), both parts unpadded. The payload is exactly
// 20 bytes: the issue time (big-endian int64 Unix seconds), the token format version (big-endian
// uint32, currently 1) and the session id (big-endian int64, positive). The mac is
// HMAC-SHA256(payload) under a server key. The token only names and authenticates a session; the
// session itself (property, stay, expiry, revocation) lives in the store, so Parse does not judge
// expiry.
//
// Keys rotate: a Keyring signs with its current key and accepts tokens signed with the current key
// or any previous key.
package sessiontoken

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
)

// CurrentVersion is the token format version that Sign writes and Parse accepts.
const CurrentVersion uint32 = 1

// MinKeySize is the smallest key, in bytes, that NewKeyring accepts.
const MinKeySize = 32

const (
	payloadSize = 8 + 4 + 8 // issue time, version, session id
	macSize     = sha256.Size
)

var (
	b64        = base64.RawURLEncoding.Strict()
	payloadLen = b64.EncodedLen(payloadSize) // 27
	macLen     = b64.EncodedLen(macSize)     // 43
	tokenLen   = payloadLen + 1 + macLen     // 71
)

// ErrInvalid is the single error Parse returns for every token it rejects, whatever the reason
// (malformed, wrong length, bad signature, unknown version, bad session id). Callers must not try
// to learn more; match it with errors.Is.
var ErrInvalid = errors.New("sessiontoken: invalid token")

// ErrBadKey is returned (wrapped, with a description) by NewKeyring, ParseKeys,
// LoadOrCreateKeyFile and RotateKeyFile when a key is too short, not valid hex, or a key file's
// contents are malformed. Match it with errors.Is.
var ErrBadKey = errors.New("sessiontoken: bad key")

// Claims is what a valid token says.
type Claims struct {
	SessionID int64     // always > 0
	IssuedAt  time.Time // whole seconds, UTC
	Version   uint32    // always CurrentVersion
}

// Keyring holds the current signing key and any previous keys still accepted for verification.
// A Keyring is immutable once built and safe for concurrent use. Its String and GoString methods
// never reveal key material, so it is safe to pass to a logger by accident.
type Keyring struct {
	keys [][]byte // keys[0] is the current key
}

// NewKeyring returns a Keyring that signs with current and verifies against current and then each
// of previous, in order. The keys are copied. It returns an error wrapping ErrBadKey when any key
// is shorter than MinKeySize bytes.
func NewKeyring(current []byte, previous ...[]byte) (*Keyring, error) {
	k := &Keyring{keys: make([][]byte, 0, 1+len(previous))}
	for i, key := range append([][]byte{current}, previous...) {
		if len(key) < MinKeySize {
			what := "current key"
			if i > 0 {
				what = fmt.Sprintf("previous key %d", i)
			}
			return nil, fmt.Errorf("%w: %s is %d bytes, need at least %d", ErrBadKey, what, len(key), MinKeySize)
		}
		k.keys = append(k.keys, append([]byte(nil), key...))
	}
	return k, nil
}

// String describes the keyring without revealing any key.
func (k *Keyring) String() string {
	if k == nil {
		return "sessiontoken.Keyring(nil)"
	}
	return fmt.Sprintf("sessiontoken.Keyring(%d previous keys)", len(k.keys)-1)
}

// GoString describes the keyring without revealing any key (used by %#v).
func (k *Keyring) GoString() string { return k.String() }

// Sign returns the token for sessionID issued at issuedAt (truncated to whole seconds), signed
// with the current key. sessionID must be positive: Parse rejects tokens for other ids. Sign
// cannot fail.
func (k *Keyring) Sign(sessionID int64, issuedAt time.Time) string {
	return sign(k.keys[0], sessionID, issuedAt.Unix())
}

func sign(key []byte, sessionID, issuedUnix int64) string {
	var payload [payloadSize]byte
	binary.BigEndian.PutUint64(payload[0:8], uint64(issuedUnix))
	binary.BigEndian.PutUint32(payload[8:12], CurrentVersion)
	binary.BigEndian.PutUint64(payload[12:20], uint64(sessionID))
	mac := computeMAC(key, payload[:])

	buf := make([]byte, tokenLen)
	b64.Encode(buf[:payloadLen], payload[:])
	buf[payloadLen] = '.'
	b64.Encode(buf[payloadLen+1:], mac)
	return string(buf)
}

func computeMAC(key, payload []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(payload)
	return m.Sum(nil)
}

// Parse verifies token and returns its claims. The MAC is compared in constant time against the
// current key and then each previous key. Only the canonical encoding Sign produces is accepted:
// exactly one '.', unpadded base64url with zero trailing bits, exact lengths. Parse does not check
// expiry or revocation; that is the session store's job. Every failure returns ErrInvalid.
func (k *Keyring) Parse(token string) (Claims, error) {
	// A valid token is exactly tokenLen (71) characters; checking that first also bounds the
	// work done on hostile input before any decoding.
	if len(token) != tokenLen {
		return Claims{}, ErrInvalid
	}
	p64, m64, ok := strings.Cut(token, ".")
	if !ok || len(p64) != payloadLen || len(m64) != macLen {
		// Length of the parts also rules out any further '.' in the token.
		return Claims{}, ErrInvalid
	}
	var payload [payloadSize]byte
	var mac [macSize]byte
	if !decodeExact(payload[:], p64) || !decodeExact(mac[:], m64) {
		return Claims{}, ErrInvalid
	}

	verified := false
	for _, key := range k.keys {
		// Check every key rather than stopping at the first match; the work done does not
		// depend on which key (if any) signed the token.
		if hmac.Equal(computeMAC(key, payload[:]), mac[:]) {
			verified = true
		}
	}
	if !verified {
		return Claims{}, ErrInvalid
	}

	issued := int64(binary.BigEndian.Uint64(payload[0:8]))
	version := binary.BigEndian.Uint32(payload[8:12])
	id := int64(binary.BigEndian.Uint64(payload[12:20]))
	if version != CurrentVersion || id <= 0 {
		return Claims{}, ErrInvalid
	}
	return Claims{SessionID: id, IssuedAt: time.Unix(issued, 0).UTC(), Version: version}, nil
}

// decodeExact decodes s into dst and reports whether s is the canonical encoding of exactly
// len(dst) bytes. The strict decoder rejects non-zero trailing bits and padding, but like every
// encoding/base64 decoder it skips '\r' and '\n'; re-encoding and comparing closes that gap.
func decodeExact(dst []byte, s string) bool {
	buf := make([]byte, b64.DecodedLen(len(s)))
	n, err := b64.Decode(buf, []byte(s))
	if err != nil || n != len(dst) {
		return false
	}
	copy(dst, buf[:n])
	return b64.EncodeToString(dst) == s
}
