package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"concierge/internal/concierge"
)

// MaxBodyBytes is the largest request body accepted (SPEC §10).
const MaxBodyBytes = 64 << 10

// ReadJSONBody reads a JSON request body of at most MaxBodyBytes. Errors: UnsupportedMediaType
// for a Content-Type other than application/json or text/json (a missing one is taken as JSON);
// PayloadTooLarge over the limit; ValidationFailed when the body is not valid UTF-8;
// MalformedRequest when it cannot be read.
func ReadJSONBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && mt != "text/json") {
			return nil, concierge.Errorf(concierge.CodeUnsupportedMediaType,
				"Request bodies must be JSON (application/json or text/json).")
		}
	}
	if r.ContentLength > MaxBodyBytes {
		return nil, tooLarge()
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return nil, tooLarge()
	}
	if err != nil {
		return nil, concierge.Errorf(concierge.CodeMalformedRequest, "The request body could not be read.")
	}
	if !utf8.Valid(body) {
		return nil, &concierge.Error{Code: concierge.CodeValidationFailed, Message: "The request body must be valid UTF-8.",
			Fields: []concierge.FieldError{{Field: "body", Message: "must be valid UTF-8"}}}
	}
	return body, nil
}

func tooLarge() error {
	return concierge.Errorf(concierge.CodePayloadTooLarge, "The request body is larger than %d KiB.", MaxBodyBytes>>10)
}

// DecodeJSON decodes a JSON object into dst, whose field names encoding/json matches
// case-insensitively; unknown properties are ignored and an empty body counts as {}.
// MalformedRequest when the body is not one JSON object or a field has the wrong JSON type.
func DecodeJSON(body []byte, dst any) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil
	}
	if trimmed[0] != '{' {
		return concierge.Errorf(concierge.CodeMalformedRequest, "The request body must be a JSON object.")
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if err := dec.Decode(dst); err != nil {
		return malformed(err)
	}
	if dec.More() {
		return concierge.Errorf(concierge.CodeMalformedRequest, "The request body holds more than one JSON value.")
	}
	if _, err := dec.Token(); err != io.EOF {
		return concierge.Errorf(concierge.CodeMalformedRequest, "The request body holds more than one JSON value.")
	}
	return nil
}

func malformed(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		return &concierge.Error{Code: concierge.CodeMalformedRequest,
			Message: fmt.Sprintf("The field '%s' has the wrong JSON type (got %s).", typeErr.Field, typeErr.Value),
			Fields:  []concierge.FieldError{{Field: typeErr.Field, Message: "has the wrong JSON type"}}}
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return concierge.Errorf(concierge.CodeMalformedRequest, "The request body is not valid JSON (at byte %d).", syntaxErr.Offset)
	}
	return concierge.Errorf(concierge.CodeMalformedRequest, "The request body is not valid JSON: %s.", strings.TrimPrefix(err.Error(), "json: "))
}
