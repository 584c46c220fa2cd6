package staffapi

import (
	"encoding/base64"
	"errors"
	"math"
	"testing"

	"concierge/internal/concierge"
)

func TestCursorRoundTrip(t *testing.T) {
	t.Parallel()
	for _, id := range []int64{1, 2, 42, 1 << 40, math.MaxInt64} {
		c := encodeCursor(cursorAPIKeys, id)
		got, err := decodeCursor(cursorAPIKeys, c)
		if err != nil || got != id {
			t.Errorf("decodeCursor(encodeCursor(%d) = %q) = %d, %v", id, c, got, err)
		}
		if _, err := decodeCursor("xx:", c); err == nil {
			t.Errorf("a cursor of another kind decodes: %q", c)
		}
	}
	if got, err := decodeCursor(cursorAPIKeys, ""); got != 0 || err != nil {
		t.Fatalf("empty cursor = %d, %v", got, err)
	}
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, bad := range []string{
		"x", "!!!!", enc("ak:"), enc("ak:0"), enc("ak:-1"), enc("ak:+1"), enc("ak:01"), enc("ak:1 "),
		enc("ak:9223372036854775808"), enc("ak:1x"), enc("k:1"), enc("AK:1"),
		base64.URLEncoding.EncodeToString([]byte("ak:1")), // padded
		enc("ak:1") + "=",
	} {
		_, err := decodeCursor(cursorAPIKeys, bad)
		var e *concierge.Error
		if !errors.As(err, &e) || e.Code != concierge.CodeValidationFailed || len(e.Fields) != 1 || e.Fields[0].Field != "cursor" {
			t.Errorf("decodeCursor(%q) = %v, want ValidationFailed on cursor", bad, err)
		}
	}
}

// FuzzDecodeCursor checks that decodeCursor never panics, fails only with ValidationFailed,
// and accepts exactly the cursors encodeCursor produces.
func FuzzDecodeCursor(f *testing.F) {
	for _, seed := range []string{"", "YWs6MQ", encodeCursor(cursorAPIKeys, 12345), "YWs6MA", "YWs6LTE", "=", "\xff"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, cursor string) {
		id, err := decodeCursor(cursorAPIKeys, cursor)
		if err != nil {
			var e *concierge.Error
			if !errors.As(err, &e) || e.Code != concierge.CodeValidationFailed {
				t.Fatalf("decodeCursor(%q) error %v", cursor, err)
			}
			return
		}
		if cursor == "" {
			if id != 0 {
				t.Fatalf("empty cursor = %d", id)
			}
			return
		}
		if id <= 0 || encodeCursor(cursorAPIKeys, id) != cursor {
			t.Fatalf("decodeCursor(%q) = %d, which encodes as %q", cursor, id, encodeCursor(cursorAPIKeys, id))
		}
	})
}
