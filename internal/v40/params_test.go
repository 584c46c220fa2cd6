package v40

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"concierge/internal/concierge"
)

// TestSessionTokenPrecedence checks the one order in which a call's token is taken, the same
// on every method: the Authorization: Session header, then the body, then the query string.
func TestSessionTokenPrecedence(t *testing.T) {
	t.Parallel()
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		r := httptest.NewRequest(method, "/API/V40/Interactive/Messages?sessiontoken=query", nil)
		if got := sessionToken(r, ""); got != "query" {
			t.Errorf("%s query only: %q", method, got)
		}
		if got := sessionToken(r, " body "); got != "body" {
			t.Errorf("%s body and query: %q", method, got)
		}
		r.Header.Set("Authorization", "session  header ")
		if got := sessionToken(r, "body"); got != "header" {
			t.Errorf("%s header, body and query: %q", method, got)
		}
		r.Header.Set("Authorization", "Bearer other")
		if got := sessionToken(r, ""); got != "query" {
			t.Errorf("%s another scheme is not a session token: %q", method, got)
		}
	}
	r := httptest.NewRequest(http.MethodPost, "/x", nil)
	if got := sessionToken(r, ""); got != "" {
		t.Errorf("no token anywhere: %q", got)
	}
}

// TestParamsBodyAndQuery checks that a GET's JSON body is read like its query string: keys in
// any case, numbers and booleans as their literals, the body winning over the query.
func TestParamsBodyAndQuery(t *testing.T) {
	t.Parallel()
	body := `{"pageNumber":2,"PAGELENGTH":"5","descendingOrder":true,"status":null,"sessionToken":"tb"}`
	r := httptest.NewRequest(http.MethodGet, "/x?PageNumber=9&Status=Open&SessionToken=tq&Code=SPA", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	q, err := readParams(httptest.NewRecorder(), r)
	if err != nil {
		t.Fatal(err)
	}
	p, err := parsePaging(q)
	if err != nil || p != (paging{Number: 2, Length: 5, Descending: true}) {
		t.Fatalf("paging %+v, %v", p, err)
	}
	if s, ok := q.get("status"); !ok || s != "Open" {
		t.Errorf("null in the body falls back to the query: %q %v", s, ok)
	}
	if s, _ := q.get("code"); s != "SPA" {
		t.Errorf("query only: %q", s)
	}
	if tok := q.token(); tok != "tb" {
		t.Errorf("token %q, want the body's", tok)
	}
	// An object where a number is due is refused by the field's own check.
	r = httptest.NewRequest(http.MethodGet, "/x", strings.NewReader(`{"PageNumber":{"a":1}}`))
	q, err = readParams(httptest.NewRecorder(), r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parsePaging(q); concierge.ErrorCode(err) != concierge.CodeValidationFailed {
		t.Fatalf("object PageNumber: %v", err)
	}
	// A GET without a body has its query string only.
	r = httptest.NewRequest(http.MethodGet, "/x?pagelength=3", nil)
	if q, err = readParams(httptest.NewRecorder(), r); err != nil {
		t.Fatal(err)
	}
	if p, _ := parsePaging(q); p.Length != 3 {
		t.Fatalf("query only: %+v", p)
	}
	// A body that is not a JSON object is MalformedRequest, as on POST.
	r = httptest.NewRequest(http.MethodGet, "/x", strings.NewReader(`[1]`))
	if _, err := readParams(httptest.NewRecorder(), r); concierge.ErrorCode(err) != concierge.CodeMalformedRequest {
		t.Fatalf("array body: %v", err)
	}
}

// TestCallTokenPutsTheBodyBack checks that middleware reading a call's token leaves its body
// whole for the handler.
func TestCallTokenPutsTheBodyBack(t *testing.T) {
	t.Parallel()
	body := `{"SessionToken":"tb","Message":"hi"}`
	r := httptest.NewRequest(http.MethodPost, "/x?sessionToken=tq", strings.NewReader(body))
	if tok := callToken(r); tok != "tb" {
		t.Fatalf("token %q", tok)
	}
	var req addMessageRequest
	if err := decodeBody(httptest.NewRecorder(), r, &req); err != nil || req.Message != "hi" {
		t.Fatalf("body after callToken: %+v, %v", req, err)
	}
	r = httptest.NewRequest(http.MethodPost, "/x?sessionToken=tq", strings.NewReader(`not json`))
	if tok := callToken(r); tok != "tq" {
		t.Fatalf("bad body: token %q, want the query's", tok)
	}
}

// FuzzParams checks the decoding of a GET's body and query into fields: it never panics; it
// fails only with the body errors of a POST; on success paging either parses or is
// ValidationFailed.
func FuzzParams(f *testing.F) {
	f.Add(`{"pageNumber":2,"pageLength":10}`, "SessionToken=x&PageNumber=1")
	f.Add(`{"sessionToken":null,"DescendingOrder":"true"}`, "")
	f.Add(`{"PageLength":[1,2]}`, "pagelength=5")
	f.Add(`"text"`, "a=%zz")
	f.Add(``, "PageNumber=0")
	f.Fuzz(func(t *testing.T, body, rawQuery string) {
		r := httptest.NewRequest(http.MethodGet, "/x", strings.NewReader(body))
		r.URL.RawQuery = rawQuery
		q, err := readParams(httptest.NewRecorder(), r)
		if err != nil {
			switch concierge.ErrorCode(err) {
			case concierge.CodeMalformedRequest, concierge.CodeValidationFailed:
			default:
				t.Fatalf("body %q: error %v", body, err)
			}
			return
		}
		_ = q.token()
		if _, err := parsePaging(q); err != nil {
			var e *concierge.Error
			if !errors.As(err, &e) || e.Code != concierge.CodeValidationFailed {
				t.Fatalf("paging error %v", err)
			}
		}
	})
}
