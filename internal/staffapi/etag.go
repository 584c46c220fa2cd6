package staffapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"concierge/internal/concierge"
)

// Configuration objects (properties, service centers, outlets, staff users, webhooks) carry an
// ETag: a strong entity tag of the object as its GET answers it. Their updates honour
// If-Match: a tag list that does not hold the current tag (or "*", which any existing object
// matches) is PreconditionFailed (412), and the object stays as it is.

// etagOf returns the entity tag of shown, the object as GET answers it: a quoted hash of its
// JSON. Two answers carry the same tag exactly when they show the same object.
func etagOf(shown any) string {
	b, err := json.Marshal(shown)
	if err != nil { // only a bug can get here: a tag no If-Match can name
		return `"invalid"`
	}
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// writeObject answers a configuration object v with the ETag of shown (v itself, or what GET
// shows of it when the answer holds more, such as a secret shown once). A 201 answer carries
// location, the address of the new object.
func (h *Handler) writeObject(w http.ResponseWriter, r *http.Request, status int, v, shown any, location string) {
	w.Header().Set("ETag", etagOf(shown))
	if status == http.StatusCreated && location != "" {
		w.Header().Set("Location", location)
	}
	h.writeJSON(w, r, status, v)
}

// checkIfMatch compares the request's If-Match with the current object (as GET shows it):
// nil when there is no If-Match or it names the current tag or "*"; PreconditionFailed
// otherwise. Weak tags (W/"…") never match: If-Match compares strongly (RFC 9110 §13.1.1).
func checkIfMatch(r *http.Request, current any) error {
	values := r.Header.Values("If-Match")
	if len(values) == 0 {
		return nil
	}
	tag := etagOf(current)
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			t = strings.TrimSpace(t)
			if t == "*" || t == tag {
				return nil
			}
		}
	}
	return concierge.Errorf(concierge.CodePreconditionFailed,
		"The object changed since it was read (If-Match %s; it is now %s): read it again and redo the change.",
		strings.Join(values, ", "), tag)
}

// ifMatch checks the request's If-Match (see checkIfMatch) against the current object, which
// current reads only when the request has one; its error (e.g. a NotFound) is answered as is.
func ifMatch(r *http.Request, current func() (any, error)) error {
	if len(r.Header.Values("If-Match")) == 0 {
		return nil
	}
	cur, err := current()
	if err != nil {
		return err
	}
	return checkIfMatch(r, cur)
}

// pathOf joins the escaped segments of an address under /api/v1/.
func pathOf(segments ...string) string {
	var b strings.Builder
	b.WriteString("/api/v1")
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}
