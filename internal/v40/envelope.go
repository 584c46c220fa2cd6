package v40

import (
	"encoding/json"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"concierge/api"
	"concierge/internal/concierge"
	"concierge/internal/wire"
)

// itemStatus is the item name of commands without data and of routing failures.
const itemStatus = api.ItemResponseStatus

// item is one entry of the envelope's responses list, before it is wrapped in its name: the
// server side of api.Item, keys and omitempty the same (TestEnvelopeMatchesAPI checks it). It
// stays a type of its own because it carries its content unencoded (api.Item's is
// json.RawMessage, which encoding/json would validate and copy a second time, see encode) and
// the domain's error code and fields as they come.
type item struct {
	Content   any                    `json:"content,omitempty"`
	Succeeded bool                   `json:"succeeded"`
	AreaError concierge.Code         `json:"areaError,omitempty"`
	Message   string                 `json:"message,omitempty"`
	Errors    []concierge.FieldError `json:"errors,omitempty"`
}

// namedItem is an item with its name; it is written as {"<name>": item}.
type namedItem struct {
	name string
	item item
}

// envelope is the response container of SPEC §3.3, api.Envelope as the server writes it (by
// hand, see encode; TestEnvelopeMatchesAPI checks that api.Envelope reads it back whole).
type envelope struct {
	SessionToken      string
	ResponsesIncluded string
	Responses         []namedItem
	Status            string
}

// encode returns env as JSON, keys in the order of SPEC §3.3. It writes the object itself and
// marshals each item once: through a MarshalJSON method encoding/json would validate and copy
// every item's bytes again (a tenth of the CPU time of answering a create in a profile).
func (env envelope) encode() ([]byte, error) {
	b := make([]byte, 0, 1024)
	b = append(b, `{"sessionToken":`...)
	b = appendJSONString(b, env.SessionToken)
	b = append(b, `,"responsesIncluded":`...)
	b = appendJSONString(b, env.ResponsesIncluded)
	b = append(b, `,"responses":[`...)
	for i, it := range env.Responses {
		if i > 0 {
			b = append(b, ',')
		}
		body, err := json.Marshal(it.item)
		if err != nil {
			return nil, err
		}
		b = append(b, '{')
		b = appendJSONString(b, it.name)
		b = append(b, ':')
		b = append(b, body...)
		b = append(b, '}')
	}
	b = append(b, `],"status":`...)
	b = appendJSONString(b, env.Status)
	return append(b, '}'), nil
}

// appendJSONString appends s as a JSON string, escaped as encoding/json escapes it.
func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}

func writeEnvelope(w http.ResponseWriter, r *http.Request, status int, env envelope) {
	names := make([]string, len(env.Responses))
	env.Status = "Success"
	for i, it := range env.Responses {
		names[i] = it.name
		if !it.item.Succeeded {
			env.Status = "Failure"
		}
	}
	env.ResponsesIncluded = strings.Join(names, ",")
	body, err := env.encode()
	if err != nil { // only a bug can get here: answer a generic failure
		loggerFrom(r).ErrorContext(r.Context(), "encode envelope", "err", err)
		status = http.StatusInternalServerError
		body = []byte(`{"sessionToken":"","responsesIncluded":"responseStatus","responses":[{"responseStatus":{"succeeded":false,"areaError":"InternalError","message":"An internal error occurred."}}],"status":"Failure"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(append(body, '\n'))
	}
}

// writeSuccess answers the given items, all succeeded.
func writeSuccess(w http.ResponseWriter, r *http.Request, token string, items ...namedItem) {
	for i := range items {
		items[i].item.Succeeded = true
	}
	writeEnvelope(w, r, http.StatusOK, envelope{SessionToken: token, Responses: items})
}

// writeFailure answers err as a failed item with the given name. token is the session token the
// client may keep using: the one it sent when that token is valid, "" otherwise.
func writeFailure(w http.ResponseWriter, r *http.Request, token, name string, err error) {
	e := wire.AsError(err)
	if e.Code == concierge.CodeInternal {
		loggerFrom(r).ErrorContext(r.Context(), "request failed", "err", err)
	}
	if e.Code == concierge.CodeRateLimited {
		secs := int(math.Ceil(e.RetryAfter.Seconds()))
		if secs < 1 {
			secs = 1
		}
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	writeEnvelope(w, r, wire.Status(e.Code), envelope{
		SessionToken: token,
		Responses: []namedItem{{name: name, item: item{
			AreaError: e.Code, Message: e.Message, Errors: e.Fields,
		}}},
	})
}

// loggerKey carries the handler's logger to helpers that only see the request.
type loggerKey struct{}

func loggerFrom(r *http.Request) *slog.Logger {
	if l, ok := r.Context().Value(loggerKey{}).(*slog.Logger); ok {
		return l
	}
	return slog.New(slog.DiscardHandler)
}

// dateLayout renders instants as SPEC §3.5 asks: UTC, seven fractional digits, "+00:00".
const dateLayout = "2006-01-02T15:04:05.0000000+00:00"

// formatDate renders t per SPEC §3.5; the zero time renders as "".
func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(dateLayout)
}
