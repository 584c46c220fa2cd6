package staffapi

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"concierge/internal/concierge"
)

// cursorInbox is the kind prefix of inbox cursors. An inbox cursor names a position in the
// inbox order (last activity descending, then id descending): "cv:" + the unix nanoseconds of
// the last item's updated time + "." + its id, in unpadded base64url.
const cursorInbox = "cv:"

// maxInboxCursorLength bounds the cursors decodeInboxCursor reads (the longest it produces is
// 60 characters).
const maxInboxCursorLength = 80

// encodeInboxCursor returns the cursor after the position.
func encodeInboxCursor(pos concierge.InboxPosition) string {
	raw := cursorInbox + strconv.FormatInt(pos.UpdatedAt.UnixNano(), 10) + "." + strconv.FormatInt(pos.ID, 10)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// decodeInboxCursor returns the position a cursor names; nil for "" (the start). Errors:
// ValidationFailed (field cursor) for anything encodeInboxCursor would not produce.
func decodeInboxCursor(cursor string) (*concierge.InboxPosition, error) {
	if cursor == "" {
		return nil, nil
	}
	bad := func() (*concierge.InboxPosition, error) {
		var v concierge.Validation
		v.Add("cursor", "is not a cursor of this list")
		return nil, v.Err()
	}
	if len(cursor) > maxInboxCursorLength {
		return bad()
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(cursor)
	if err != nil {
		return bad()
	}
	rest, ok := strings.CutPrefix(string(raw), cursorInbox)
	if !ok {
		return bad()
	}
	nanosText, idText, ok := strings.Cut(rest, ".")
	if !ok {
		return bad()
	}
	nanos, err1 := strconv.ParseInt(nanosText, 10, 64)
	id, err2 := strconv.ParseInt(idText, 10, 64)
	if err1 != nil || err2 != nil || id <= 0 {
		return bad()
	}
	pos := concierge.InboxPosition{UpdatedAt: time.Unix(0, nanos).UTC(), ID: id}
	// Only the canonical form: numbers may be written many ways, and the decoder skips newlines.
	if encodeInboxCursor(pos) != cursor {
		return bad()
	}
	return &pos, nil
}
