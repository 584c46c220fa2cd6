package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// The headers of a delivery.
const (
	HeaderDeliveryID = "Concierge-Delivery-Id"
	HeaderTimestamp  = "Concierge-Timestamp"
	HeaderSignature  = "Concierge-Signature"
	HeaderEvent      = "Concierge-Event"
)

// Sign returns the Concierge-Signature value of a body sent at timestamp (Unix seconds):
// "v1=" and the hex HMAC-SHA256, under secret, of the timestamp, ".", and the body.
func Sign(secret string, timestamp int64, body []byte) string {
	return "v1=" + hex.EncodeToString(mac(secret, timestamp, body))
}

func mac(secret string, timestamp int64, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(timestamp, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// ParseSignature returns the v1 signatures of a Concierge-Signature header value (a comma-
// separated list of scheme=hex; other schemes are skipped, so that a later scheme can be sent
// alongside v1), decoded; none when there is no well-formed v1 entry.
func ParseSignature(header string) [][]byte {
	var out [][]byte
	for part := range strings.SplitSeq(header, ",") {
		scheme, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || scheme != "v1" || len(value) != 2*sha256.Size {
			continue
		}
		b, err := hex.DecodeString(value)
		if err != nil {
			continue
		}
		out = append(out, b)
	}
	return out
}

// Verify reports whether header (a Concierge-Signature value) holds a valid v1 signature of
// body sent at timestamp under secret. Receivers should also refuse timestamps far from their
// clock (replays).
func Verify(secret string, timestamp int64, body []byte, header string) bool {
	want := mac(secret, timestamp, body)
	for _, sig := range ParseSignature(header) {
		if hmac.Equal(sig, want) {
			return true
		}
	}
	return false
}
