package main

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"concierge/internal/openapi"
)

// Every staff and admin API call the end-to-end tests make goes through checkAgainstOpenAPI
// (from server.do): its answer must match the OpenAPI document, and a request the server
// accepted (2xx) must be one the document allows. Tests that send bad requests on purpose
// still have their error answers checked.
var (
	openAPIOnce      sync.Once
	openAPIValidator validator.Validator
	openAPIErr       error
)

func loadOpenAPI() (validator.Validator, error) {
	openAPIOnce.Do(func() {
		raw, err := openapi.Document()
		if err != nil {
			openAPIErr = err
			return
		}
		doc, err := libopenapi.NewDocument(raw)
		if err != nil {
			openAPIErr = err
			return
		}
		v, errs := validator.NewValidator(doc)
		if len(errs) > 0 {
			openAPIErr = errs[0]
			return
		}
		openAPIValidator = v
	})
	return openAPIValidator, openAPIErr
}

// lenientHeader marks a request a test sends in a form the server accepts but the document does
// not describe (other letter cases of property names or enum values): only its answer is
// checked. The server ignores the header.
const lenientHeader = "X-Test-Lenient"

// lenient is the header set of such a request without credentials.
var lenient = map[string]string{lenientHeader: "1"}

// checkAgainstOpenAPI validates one staff API exchange (guest API exchanges go to
// checkGuestAgainstOpenAPI). Routing failures (unknown routes and methods) and CORS preflights
// are by definition not in the document and are skipped.
func checkAgainstOpenAPI(t testing.TB, req *http.Request, reqBody []byte, status int, header http.Header, respBody []byte) {
	t.Helper()
	if isGuestPath(req.URL.Path) { // the guest API's document (openapi_guest_harness_test.go)
		checkGuestAgainstOpenAPI(t, req, reqBody, status, header, respBody)
		return
	}
	if !strings.HasPrefix(req.URL.Path, "/api/v1/") || req.URL.Path == "/api/v1/openapi.json" {
		return
	}
	if req.Method == http.MethodOptions { // CORS preflights: answered by middleware, not in the document
		return
	}
	if bytes.Contains(respBody, []byte(`"code":"RouteNotFound"`)) || bytes.Contains(respBody, []byte(`"code":"MethodNotAllowed"`)) {
		return
	}
	v, err := loadOpenAPI()
	if err != nil {
		t.Fatalf("OpenAPI document: %v", err)
	}
	vreq := req.Clone(req.Context())
	validateExchange(t, v, "the staff document", req, vreq, reqBody, status, header, respBody)
}

// validateExchange validates with v the answer to req (status, header, respBody) and, when the
// server accepted it (2xx) and it is not marked lenient, the request itself: vreq is req as the
// document spells it, vreqBody its body. The test fails on any difference.
func validateExchange(t testing.TB, v validator.Validator, doc string, req, vreq *http.Request, vreqBody []byte, status int, header http.Header, respBody []byte) {
	t.Helper()
	vreq.Body = io.NopCloser(bytes.NewReader(vreqBody))
	resp := &http.Response{StatusCode: status, Header: header, Body: io.NopCloser(bytes.NewReader(respBody)), Request: vreq}
	if ok, errs := v.ValidateHttpResponse(vreq, resp); !ok {
		for _, e := range errs {
			t.Errorf("OpenAPI: answer to %s %s (HTTP %d) does not match %s: %s: %s", req.Method, req.URL.Path, status, doc, e.Message, e.Reason)
			for _, se := range e.SchemaValidationErrors {
				t.Errorf("  %s: %s", se.FieldPath, se.Reason)
			}
		}
		t.Fatalf("answer was: %s", respBody)
	}
	if status >= 200 && status < 300 && req.Header.Get(lenientHeader) == "" {
		vreq.Body = io.NopCloser(bytes.NewReader(vreqBody))
		if ok, errs := v.ValidateHttpRequest(vreq); !ok {
			for _, e := range errs {
				t.Errorf("OpenAPI: accepted request %s %s does not match %s: %s: %s", req.Method, req.URL.Path, doc, e.Message, e.Reason)
				for _, se := range e.SchemaValidationErrors {
					t.Errorf("  %s: %s", se.FieldPath, se.Reason)
				}
			}
			t.Fatalf("request was: %s", vreqBody)
		}
	}
}
