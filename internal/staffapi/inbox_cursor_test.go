package staffapi

import (
	"encoding/base64"
	"errors"
	"math"
	"testing"
	"time"

	"concierge/internal/concierge"
)

func TestInboxCursorRoundTrip(t *testing.T) {
	t.Parallel()
	for _, pos := range []concierge.InboxPosition{
		{UpdatedAt: time.Date(2026, 11, 25, 11, 0, 0, 123456789, time.UTC), ID: 1},
		{UpdatedAt: time.Unix(0, 0).UTC(), ID: 42},
		{UpdatedAt: time.Unix(0, math.MaxInt64).UTC(), ID: math.MaxInt64},
		{UpdatedAt: time.Unix(0, -5).UTC(), ID: 7},
	} {
		c := encodeInboxCursor(pos)
		got, err := decodeInboxCursor(c)
		if err != nil || got == nil || !got.UpdatedAt.Equal(pos.UpdatedAt) || got.ID != pos.ID {
			t.Errorf("decodeInboxCursor(encodeInboxCursor(%v) = %q) = %v, %v", pos, c, got, err)
		}
		if len(c) > maxInboxCursorLength {
			t.Errorf("cursor %q longer than %d", c, maxInboxCursorLength)
		}
		if _, err := decodeCursor(cursorAPIKeys, c); err == nil {
			t.Errorf("an inbox cursor is an API key cursor: %q", c)
		}
	}
	if got, err := decodeInboxCursor(""); got != nil || err != nil {
		t.Fatalf("empty cursor = %v, %v", got, err)
	}
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, bad := range []string{
		"x", "!!!!", enc("cv:"), enc("cv:1"), enc("cv:1."), enc("cv:.1"), enc("cv:1.0"), enc("cv:1.-1"),
		enc("cv:01.1"), enc("cv:1.01"), enc("cv:+1.1"), enc("cv:1.1 "), enc("cv:1.1.1"), enc("ak:1"),
		enc("CV:1.1"), enc("cv:9223372036854775808.1"), enc("cv:1.9223372036854775808"),
		base64.URLEncoding.EncodeToString([]byte("cv:1.12")), enc("cv:1.12") + "=",
		enc("cv:1." + string(make([]byte, 100))),
	} {
		_, err := decodeInboxCursor(bad)
		var e *concierge.Error
		if !errors.As(err, &e) || e.Code != concierge.CodeValidationFailed || len(e.Fields) != 1 || e.Fields[0].Field != "cursor" {
			t.Errorf("decodeInboxCursor(%q) = %v, want ValidationFailed on cursor", bad, err)
		}
	}
}

// FuzzDecodeInboxCursor checks that decodeInboxCursor never panics, fails only with
// ValidationFailed, and accepts exactly the cursors encodeInboxCursor produces.
func FuzzDecodeInboxCursor(f *testing.F) {
	for _, seed := range []string{"", encodeInboxCursor(concierge.InboxPosition{UpdatedAt: time.Unix(1, 5), ID: 9}),
		"Y3Y6MS4x", "Y3Y6MS4w", "=", "\xff", "YWs6MQ"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, cursor string) {
		pos, err := decodeInboxCursor(cursor)
		if err != nil {
			var e *concierge.Error
			if !errors.As(err, &e) || e.Code != concierge.CodeValidationFailed {
				t.Fatalf("decodeInboxCursor(%q) error %v", cursor, err)
			}
			return
		}
		if cursor == "" {
			if pos != nil {
				t.Fatalf("empty cursor = %v", pos)
			}
			return
		}
		if pos == nil || pos.ID <= 0 || encodeInboxCursor(*pos) != cursor {
			t.Fatalf("decodeInboxCursor(%q) = %v, which does not encode back", cursor, pos)
		}
	})
}
