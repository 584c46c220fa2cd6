package concierge

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an Error. The values are the V40 wire `areaError` codes; every API maps a
// Code to its HTTP status in exactly one place (package wire).
type Code string

// The error codes of SPEC §3.3.
const (
	CodeMalformedRequest        Code = "MalformedRequest"
	CodeValidationFailed        Code = "ValidationFailed"
	CodeIdentityTokenInvalid    Code = "IdentityTokenInvalid"
	CodeIdentityTokenExpired    Code = "IdentityTokenExpired"
	CodeInterfaceTokenInvalid   Code = "InterfaceTokenInvalid"
	CodeGuestVerificationFailed Code = "GuestVerificationFailed"
	CodeGuestNotVerified        Code = "GuestNotVerified"
	CodePropertyNotFound        Code = "PropertyNotFound"
	CodeOutletNotFound          Code = "OutletNotFound"
	CodeOrderNotFound           Code = "OrderNotFound"
	CodeConversationNotFound    Code = "ConversationNotFound"
	CodeOutletNotAvailable      Code = "OutletNotAvailable"
	CodeNoOutletAvailable       Code = "NoOutletAvailable"
	CodeIdempotencyKeyReused    Code = "IdempotencyKeyReused"
	CodeUnsupportedMediaType    Code = "UnsupportedMediaType"
	CodePayloadTooLarge         Code = "PayloadTooLarge"
	CodeHeadersTooLarge         Code = "HeadersTooLarge" // request line and headers over the limit (431)
	CodeRateLimited             Code = "RateLimited"
	CodeRouteNotFound           Code = "RouteNotFound"
	CodeMethodNotAllowed        Code = "MethodNotAllowed"
	CodeInternal                Code = "InternalError"
)

// The error codes of the staff and admin API (SPEC §5), which answers in its own error shape
// with the same HTTP statuses.
const (
	// CodeAuthenticationFailed: wrong username or password, or a bearer token that is missing,
	// malformed, unknown, expired or revoked (401).
	CodeAuthenticationFailed Code = "AuthenticationFailed"
	// CodeForbidden: the caller is authenticated but its role does not allow the call (403).
	CodeForbidden Code = "Forbidden"
	// CodeAPIKeyNotFound: no API key has this id (404).
	CodeAPIKeyNotFound Code = "APIKeyNotFound"
	// CodeStayNotFound: no stay has this booking reference at the property (404).
	CodeStayNotFound Code = "StayNotFound"
	// CodeServiceCenterNotFound: no service center has this code at the property, or the
	// caller may not see it (404).
	CodeServiceCenterNotFound Code = "ServiceCenterNotFound"
	// CodeStaffUserNotFound: no staff user has this username, or the caller may not see them
	// (404).
	CodeStaffUserNotFound Code = "StaffUserNotFound"
	// CodeInterfaceTokenNotFound: no interface token has this id (404).
	CodeInterfaceTokenNotFound Code = "InterfaceTokenNotFound"
	// CodeAlreadyExists: an object with this code or username already exists (409).
	CodeAlreadyExists Code = "AlreadyExists"
	// CodeWebhookNotFound: no webhook has this id at the property, or the caller may not see
	// it (404).
	CodeWebhookNotFound Code = "WebhookNotFound"
	// CodeDeliveryNotFound: no delivery of the webhook has this id (404).
	CodeDeliveryNotFound Code = "DeliveryNotFound"
	// CodeGuestNotFound: no non-verified guest has this identifier at the property (404).
	CodeGuestNotFound Code = "GuestNotFound"
	// CodeGlossaryTermNotFound: the property's glossary has no such term (404).
	CodeGlossaryTermNotFound Code = "GlossaryTermNotFound"
	// CodeLegalHold: the data is under a legal hold and may not be erased (409).
	CodeLegalHold Code = "LegalHold"
	// CodePreconditionFailed: the request's If-Match names another version of the object than
	// the current one (412); fetch it again and redo the change.
	CodePreconditionFailed Code = "PreconditionFailed"
)

// FieldError names one field whose value breaks a rule.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is the one error type that crosses from the domain to the APIs. Its Message is safe to
// show to the caller; internal details never go into it.
type Error struct {
	Code       Code
	Message    string
	Fields     []FieldError  // for CodeValidationFailed: each broken rule
	RetryAfter time.Duration // for CodeRateLimited: how long the caller should wait

	internalCause error // for CodeInternal: what went wrong, for logs only
}

// Unwrap returns the internal cause of a CodeInternal error, if any.
func (e *Error) Unwrap() error { return e.internalCause }

// Error implements error.
func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("%s: %s (%v)", e.Code, e.Message, e.Fields)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the Code of err: its own when err wraps an *Error, CodeInternal otherwise
// (and for nil, the empty Code).
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e != nil {
		return e.Code
	}
	return CodeInternal
}

// Validation collects field errors; its Err is nil while no rule was broken.
type Validation struct {
	Fields []FieldError
}

// Add records that field breaks the rule described by message.
func (v *Validation) Add(field, message string) {
	v.Fields = append(v.Fields, FieldError{Field: field, Message: message})
}

// Err returns a CodeValidationFailed *Error listing every recorded field, or nil if none.
func (v *Validation) Err() error {
	if len(v.Fields) == 0 {
		return nil
	}
	msg := "One or more fields are invalid."
	if len(v.Fields) == 1 {
		msg = v.Fields[0].Field + ": " + v.Fields[0].Message
	}
	return &Error{Code: CodeValidationFailed, Message: msg, Fields: v.Fields}
}

// Errors a Store returns. Stores map their engine's errors to these; the Service turns them
// into the *Error the caller should see.
var (
	// ErrNotFound means the object asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a uniqueness rule would be broken.
	ErrConflict = errors.New("conflict")
)
