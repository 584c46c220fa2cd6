package client

import (
	"errors"
	"fmt"
	"time"

	"concierge/api"
)

// Error is a call that the server answered with a failure.
type Error struct {
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// Code is the guest API's areaError or the staff API's error code (SPEC §3.3, §5); empty
	// when the answer was not in the API's error shape (e.g. a proxy's 502 page).
	Code string
	// Message is the server's human-readable message.
	Message string
	// Fields lists the fields at fault of a ValidationFailed.
	Fields []api.FieldError
	// RetryAfter is the wait the server asked for with Retry-After (429, 503), else zero.
	RetryAfter time.Duration
}

// Error returns the code, status and message.
func (e *Error) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("concierge: HTTP %d: %s", e.StatusCode, e.Message)
	}
	return fmt.Sprintf("concierge: %s (HTTP %d): %s", e.Code, e.StatusCode, e.Message)
}

// Is reports whether target is an *Error with the same Code, so that
// errors.Is(err, &client.Error{Code: "ConversationNotFound"}) tests for a code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code != "" && t.Code == e.Code
}

// CodeOf returns the API error code of err, or "" when err is not an *Error.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
