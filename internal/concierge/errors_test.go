package concierge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

func TestErrorCode(t *testing.T) {
	t.Parallel()
	notFound := Errorf(CodeOutletNotFound, "There is no outlet '%s' at this property.", "SPAA")
	cases := []struct {
		name string
		err  error
		want Code
	}{
		{"nil", nil, ""},
		{"plain error", errors.New("boom"), CodeInternal},
		{"io.EOF", io.EOF, CodeInternal},
		{"context canceled", context.Canceled, CodeInternal},
		{"store sentinel", ErrNotFound, CodeInternal},
		{"*Error", notFound, CodeOutletNotFound},
		{"wrapped *Error", fmt.Errorf("choose outlet: %w", notFound), CodeOutletNotFound},
		{"doubly wrapped *Error", fmt.Errorf("a: %w", fmt.Errorf("b: %w", notFound)), CodeOutletNotFound},
		{"joined with a plain error", errors.Join(errors.New("x"), notFound), CodeOutletNotFound},
		{"wrapped with %v (not %w)", fmt.Errorf("choose outlet: %v", notFound), CodeInternal},
		{"internal *Error", &Error{Code: CodeInternal, Message: "An internal error occurred."}, CodeInternal},
		{"validation", (&Validation{Fields: []FieldError{{"Message", "too long"}}}).Err(), CodeValidationFailed},
	}
	for _, c := range cases {
		if got := ErrorCode(c.err); got != c.want {
			t.Errorf("%s: ErrorCode = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestErrorMessageAndUnwrap(t *testing.T) {
	t.Parallel()
	e := Errorf(CodeOutletNotFound, "There is no outlet '%s' at this property.", "SPAA")
	if e.Message != "There is no outlet 'SPAA' at this property." {
		t.Fatalf("Message = %q", e.Message)
	}
	if got := e.Error(); got != "OutletNotFound: There is no outlet 'SPAA' at this property." {
		t.Fatalf("Error() = %q", got)
	}
	if e.Unwrap() != nil {
		t.Fatal("an error without an internal cause unwraps to something")
	}
	cause := errors.New("disk I/O error")
	internal := &Error{Code: CodeInternal, Message: "An internal error occurred.", internalCause: cause}
	if !errors.Is(internal, cause) {
		t.Fatal("the internal cause is not reachable through errors.Is")
	}
	if strings.Contains(internal.Error(), "disk") || strings.Contains(internal.Message, "disk") {
		t.Fatalf("the internal cause leaks into the message: %q", internal.Error())
	}
}

func TestValidation(t *testing.T) {
	t.Parallel()
	var v Validation
	if err := v.Err(); err != nil {
		t.Fatalf("empty Validation: Err = %v, want nil", err)
	}
	// Err must be a true nil interface, not a typed nil.
	if err := (&Validation{}).Err(); err != nil {
		t.Fatalf("Err = %#v, want untyped nil", err)
	}
	if err := (&Validation{Fields: []FieldError{}}).Err(); err != nil {
		t.Fatalf("Err with an empty slice = %v, want nil", err)
	}

	v.Add("Message", "must be at most 4000 characters")
	err := v.Err()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Err = %T, want *Error", err)
	}
	if e.Code != CodeValidationFailed {
		t.Fatalf("Code = %q", e.Code)
	}
	if e.Message != "Message: must be at most 4000 characters" {
		t.Fatalf("one field: Message = %q", e.Message)
	}
	if len(e.Fields) != 1 || e.Fields[0] != (FieldError{Field: "Message", Message: "must be at most 4000 characters"}) {
		t.Fatalf("Fields = %v", e.Fields)
	}

	v.Add("ConversationType", `must be "" or "guest"`)
	v.Add("OutletCode", "must be at most 64 characters")
	e = nil
	if !errors.As(v.Err(), &e) {
		t.Fatal("not an *Error")
	}
	want := []FieldError{
		{"Message", "must be at most 4000 characters"},
		{"ConversationType", `must be "" or "guest"`},
		{"OutletCode", "must be at most 64 characters"},
	}
	if len(e.Fields) != len(want) {
		t.Fatalf("Fields = %v, want %v", e.Fields, want)
	}
	for i := range want {
		if e.Fields[i] != want[i] {
			t.Fatalf("Fields[%d] = %v, want %v (in the order added)", i, e.Fields[i], want[i])
		}
	}
	if e.Message == "" || strings.Contains(e.Message, "Message:") {
		t.Fatalf("several fields: Message = %q, want a generic summary", e.Message)
	}
	for _, f := range want {
		if !strings.Contains(e.Error(), f.Field) {
			t.Errorf("Error() = %q does not name %s", e.Error(), f.Field)
		}
	}
	if ErrorCode(v.Err()) != CodeValidationFailed {
		t.Fatal("ErrorCode of a validation error")
	}
}

// TestErrorCodeOfNilError: a nil *Error wrapped in an error is a bug elsewhere, but must not
// crash the answer: it counts as an internal error.
func TestErrorCodeOfNilError(t *testing.T) {
	t.Parallel()
	var nilErr *Error
	if got := ErrorCode(fmt.Errorf("x: %w", nilErr)); got != CodeInternal {
		t.Fatalf("ErrorCode = %q, want %q", got, CodeInternal)
	}
}
