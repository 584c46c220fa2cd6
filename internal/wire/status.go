// Package wire holds what every Concierge HTTP API shares: the one mapping from error codes to
// HTTP statuses, and the reading and decoding of JSON request bodies with their limits.
package wire

import (
	"errors"
	"net/http"

	"concierge/internal/concierge"
)

// statusByCode is the only place where error codes meet HTTP statuses (SPEC §3.3).
var statusByCode = map[concierge.Code]int{
	concierge.CodeMalformedRequest:        http.StatusBadRequest,
	concierge.CodeValidationFailed:        http.StatusBadRequest,
	concierge.CodeIdentityTokenInvalid:    http.StatusUnauthorized,
	concierge.CodeIdentityTokenExpired:    http.StatusUnauthorized,
	concierge.CodeInterfaceTokenInvalid:   http.StatusUnauthorized,
	concierge.CodeGuestVerificationFailed: http.StatusUnauthorized,
	concierge.CodeGuestNotVerified:        http.StatusForbidden,
	concierge.CodePropertyNotFound:        http.StatusNotFound,
	concierge.CodeOutletNotFound:          http.StatusNotFound,
	concierge.CodeOrderNotFound:           http.StatusNotFound,
	concierge.CodeConversationNotFound:    http.StatusNotFound,
	concierge.CodeOutletNotAvailable:      http.StatusConflict,
	concierge.CodeNoOutletAvailable:       http.StatusConflict,
	concierge.CodeIdempotencyKeyReused:    http.StatusConflict,
	concierge.CodeUnsupportedMediaType:    http.StatusUnsupportedMediaType,
	concierge.CodePayloadTooLarge:         http.StatusRequestEntityTooLarge,
	concierge.CodeHeadersTooLarge:         http.StatusRequestHeaderFieldsTooLarge,
	concierge.CodeRateLimited:             http.StatusTooManyRequests,
	concierge.CodeRouteNotFound:           http.StatusNotFound,
	concierge.CodeMethodNotAllowed:        http.StatusMethodNotAllowed,
	concierge.CodeInternal:                http.StatusInternalServerError,
	concierge.CodeAuthenticationFailed:    http.StatusUnauthorized,
	concierge.CodeForbidden:               http.StatusForbidden,
	concierge.CodeAPIKeyNotFound:          http.StatusNotFound,
	concierge.CodeStayNotFound:            http.StatusNotFound,
	concierge.CodeServiceCenterNotFound:   http.StatusNotFound,
	concierge.CodeStaffUserNotFound:       http.StatusNotFound,
	concierge.CodeInterfaceTokenNotFound:  http.StatusNotFound,
	concierge.CodeAlreadyExists:           http.StatusConflict,
	concierge.CodeWebhookNotFound:         http.StatusNotFound,
	concierge.CodeDeliveryNotFound:        http.StatusNotFound,
	concierge.CodeGuestNotFound:           http.StatusNotFound,
	concierge.CodeGlossaryTermNotFound:    http.StatusNotFound,
	concierge.CodeLegalHold:               http.StatusConflict,
	concierge.CodePreconditionFailed:      http.StatusPreconditionFailed,
}

// Status returns the HTTP status for an error code (500 for an unknown code).
func Status(code concierge.Code) int {
	if s, ok := statusByCode[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// AsError returns err as a *concierge.Error. Errors that are not one (bugs, failed I/O,
// cancelled contexts) become a generic InternalError whose message reveals nothing.
func AsError(err error) *concierge.Error {
	var e *concierge.Error
	if errors.As(err, &e) && e != nil {
		return e
	}
	return &concierge.Error{Code: concierge.CodeInternal, Message: "An internal error occurred."}
}
