package staffapi

import (
	"encoding/base64"
	"strconv"
	"strings"

	"concierge/internal/concierge"
)

// Lists are paged by opaque cursors: the unpadded base64url of a kind prefix and the id of the
// last item of the previous page. Clients must not build them.

// cursorAPIKeys is the kind prefix of API key list cursors.
const cursorAPIKeys = "ak:"

// encodeCursor returns the cursor after id in a list of the kind.
func encodeCursor(kind string, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + strconv.FormatInt(id, 10)))
}

// decodeCursor returns the id a cursor of the kind names; "" is the start (0). Errors:
// ValidationFailed (field cursor) for anything encodeCursor of the kind would not produce.
func decodeCursor(kind, cursor string) (int64, error) {
	if cursor == "" {
		return 0, nil
	}
	bad := func() (int64, error) {
		var v concierge.Validation
		v.Add("cursor", "is not a cursor of this list")
		return 0, v.Err()
	}
	if len(cursor) > 64 {
		return bad()
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(cursor)
	if err != nil {
		return bad()
	}
	digits, ok := strings.CutPrefix(string(raw), kind)
	if !ok {
		return bad()
	}
	id, err := strconv.ParseInt(digits, 10, 64)
	// Only the canonical form: the decoder skips newlines, and digits may be written many ways.
	if err != nil || id <= 0 || encodeCursor(kind, id) != cursor {
		return bad()
	}
	return id, nil
}
