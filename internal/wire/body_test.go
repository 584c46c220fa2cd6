package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"concierge/internal/concierge"
)

// wantCode fails unless err is a *concierge.Error with the given code.
func wantCode(t *testing.T, err error, code concierge.Code) *concierge.Error {
	t.Helper()
	var e *concierge.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T), want a *concierge.Error with code %s", err, err, code)
	}
	if e.Code != code {
		t.Fatalf("code %s (%v), want %s", e.Code, e, code)
	}
	if e.Message == "" {
		t.Fatalf("%s without a message", code)
	}
	return e
}

// newBodyRequest builds a POST with body; contentLength -1 sends it without a Content-Length
// (as a chunked request would arrive).
func newBodyRequest(body []byte, contentType string, contentLength int64) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/API/V40/Interactive/Messages/Conversations", bytes.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	r.ContentLength = contentLength
	return r
}

func readBody(t *testing.T, body []byte, contentType string, contentLength int64) ([]byte, error) {
	t.Helper()
	return ReadJSONBody(httptest.NewRecorder(), newBodyRequest(body, contentType, contentLength))
}

func TestReadJSONBodyContentTypes(t *testing.T) {
	t.Parallel()
	body := []byte(`{"Message":"Hola"}`)
	accepted := []string{
		"",
		"application/json",
		"text/json",
		"application/json; charset=utf-8",
		"application/json;charset=UTF-8",
		"text/json; charset=utf-8",
		"Application/JSON",
		"TEXT/JSON; Charset=utf-8",
		"application/json ; charset=utf-8",
	}
	for _, ct := range accepted {
		got, err := readBody(t, body, ct, int64(len(body)))
		if err != nil {
			t.Errorf("Content-Type %q: %v", ct, err)
			continue
		}
		if !bytes.Equal(got, body) {
			t.Errorf("Content-Type %q: body %q", ct, got)
		}
	}
	refused := []string{
		"text/plain",
		"text/plain; charset=utf-8",
		"application/x-www-form-urlencoded",
		"multipart/form-data; boundary=xyz",
		"application/xml",
		"application/problem+json",
		"application/jsonp",
		"json",
		"application/",
		"application/json; charset", // not a valid media type
		";",
	}
	for _, ct := range refused {
		_, err := readBody(t, body, ct, int64(len(body)))
		t.Run(ct, func(t *testing.T) {
			wantCode(t, err, concierge.CodeUnsupportedMediaType)
		})
	}
}

func TestReadJSONBodySizeLimit(t *testing.T) {
	t.Parallel()
	// A JSON object of exactly n bytes.
	object := func(n int) []byte {
		b := []byte(`{"Message":"`)
		b = append(b, bytes.Repeat([]byte("a"), n-len(b)-2)...)
		b = append(b, `"}`...)
		if len(b) != n || !json.Valid(b) {
			t.Fatalf("object(%d) has %d bytes", n, len(b))
		}
		return b
	}
	atLimit := object(MaxBodyBytes)
	over := object(MaxBodyBytes + 1)
	huge := object(4 * MaxBodyBytes)

	for _, cl := range []int64{int64(len(atLimit)), -1} {
		got, err := readBody(t, atLimit, "application/json", cl)
		if err != nil || len(got) != MaxBodyBytes {
			t.Errorf("exactly %d bytes, Content-Length %d: %d bytes, %v", MaxBodyBytes, cl, len(got), err)
		}
	}
	cases := []struct {
		name string
		body []byte
		cl   int64
	}{
		{"one byte over, with Content-Length", over, int64(len(over))},
		{"one byte over, without Content-Length", over, -1},
		{"far over, with Content-Length", huge, int64(len(huge))},
		{"far over, without Content-Length", huge, -1},
		{"Content-Length understates the body", huge, 10},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := readBody(t, c.body, "application/json", c.cl)
			e := wantCode(t, err, concierge.CodePayloadTooLarge)
			if Status(e.Code) != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d", Status(e.Code))
			}
		})
	}
	t.Run("announced Content-Length over the limit is refused before reading", func(t *testing.T) {
		r := newBodyRequest(nil, "application/json", MaxBodyBytes+1)
		r.Body = io.NopCloser(readerFunc(func([]byte) (int, error) {
			t.Fatal("the body was read")
			return 0, io.EOF
		}))
		_, err := ReadJSONBody(httptest.NewRecorder(), r)
		wantCode(t, err, concierge.CodePayloadTooLarge)
	})
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

func TestReadJSONBodyUTF8(t *testing.T) {
	t.Parallel()
	for _, body := range [][]byte{
		[]byte("{\"Message\":\"\xff\"}"),
		[]byte("{\"Message\":\"\xc3\x28\"}"),           // bad continuation byte
		[]byte("{\"Message\":\"\xed\xa0\x80\"}"),       // encoded surrogate
		[]byte("{\"Message\":\"\xe2\x82\"}"),           // truncated sequence
		[]byte("{\"Message\":\"ok\"}\xc0\xaf"),         // overlong encoding of '/'
		[]byte("\xef\xbb\xbf{\"Message\":\"ok\"}\xff"), // BOM and a stray byte
	} {
		_, err := readBody(t, body, "application/json", int64(len(body)))
		e := wantCode(t, err, concierge.CodeValidationFailed)
		if len(e.Fields) != 1 || e.Fields[0].Field != "body" {
			t.Errorf("%q: Fields = %v, want one field 'body'", body, e.Fields)
		}
	}
	valid := []byte(`{"Message":"Grüße aus München — 日本語 🙂"}`)
	if got, err := readBody(t, valid, "application/json", int64(len(valid))); err != nil || !bytes.Equal(got, valid) {
		t.Fatalf("valid UTF-8: %q, %v", got, err)
	}
}

func TestReadJSONBodyEmptyAndReadErrors(t *testing.T) {
	t.Parallel()
	got, err := readBody(t, nil, "application/json", 0)
	if err != nil || len(got) != 0 {
		t.Fatalf("empty body: %q, %v", got, err)
	}
	r := newBodyRequest(nil, "application/json", -1)
	r.Body = io.NopCloser(io.MultiReader(strings.NewReader(`{"Mess`), readerFunc(func([]byte) (int, error) {
		return 0, errors.New("connection reset by peer")
	})))
	_, err = ReadJSONBody(httptest.NewRecorder(), r)
	e := wantCode(t, err, concierge.CodeMalformedRequest)
	if strings.Contains(e.Message, "reset") {
		t.Fatalf("the I/O error leaks into the message: %q", e.Message)
	}
}

// request is shaped like the guest create-conversation request (SPEC §4.2, §4.3).
type request struct {
	SessionToken               string
	Message                    string
	ConversationType           string
	OutletCode                 string
	OrderCode                  string
	OrderFormDetailsDictionary json.RawMessage
}

func TestDecodeJSONCaseInsensitiveNames(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"SessionToken":"t","Message":"m","OutletCode":"SPA"}`,
		`{"sessionToken":"t","message":"m","outletCode":"SPA"}`,
		`{"sessiontoken":"t","MESSAGE":"m","OUTLETcode":"SPA"}`,
		` {"SESSIONTOKEN" : "t" , "mEsSaGe":"m","outletcode":"SPA"} ` + "\n",
	} {
		var r request
		if err := DecodeJSON([]byte(body), &r); err != nil {
			t.Errorf("%s: %v", body, err)
			continue
		}
		if r.SessionToken != "t" || r.Message != "m" || r.OutletCode != "SPA" {
			t.Errorf("%s: decoded %+v", body, r)
		}
	}
}

func TestDecodeJSONUnknownFieldsIgnored(t *testing.T) {
	t.Parallel()
	var r request
	body := `{"Message":"m","Unknown":1,"nested":{"a":[1,2,{"b":null}]},"Version":"4.0","x":true}`
	if err := DecodeJSON([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	if r.Message != "m" {
		t.Fatalf("decoded %+v", r)
	}
}

func TestDecodeJSONValues(t *testing.T) {
	t.Parallel()
	var r request
	body := `{"Message":"Hola \u00e9\n","ConversationType":"guest","OrderCode":null,
		"OrderFormDetailsDictionary":{"firstName":"Ana","guests":2,"extras":["a",{"b":true}]}}`
	if err := DecodeJSON([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	if r.Message != "Hola é\n" || r.ConversationType != "guest" || r.OrderCode != "" {
		t.Fatalf("decoded %+v", r)
	}
	var dict map[string]any
	if err := json.Unmarshal(r.OrderFormDetailsDictionary, &dict); err != nil || dict["firstName"] != "Ana" || dict["guests"] != 2.0 {
		t.Fatalf("dictionary %s: %v %v", r.OrderFormDetailsDictionary, dict, err)
	}
	// The raw dictionary keeps any JSON value, including non-objects; checking its shape is
	// the caller's job.
	r = request{}
	if err := DecodeJSON([]byte(`{"OrderFormDetailsDictionary":[1,2]}`), &r); err != nil || string(r.OrderFormDetailsDictionary) != "[1,2]" {
		t.Fatalf("array dictionary: %s, %v", r.OrderFormDetailsDictionary, err)
	}
}

func TestDecodeJSONWrongTypes(t *testing.T) {
	t.Parallel()
	cases := []struct{ body, field string }{
		{`{"Message":5}`, "Message"},
		{`{"message":true}`, "Message"},
		{`{"SessionToken":{"a":1}}`, "SessionToken"},
		{`{"OutletCode":["SPA"]}`, "OutletCode"},
		{`{"OrderCode":1.5}`, "OrderCode"},
		{`{"Message":"ok","ConversationType":0}`, "ConversationType"},
	}
	for _, c := range cases {
		var r request
		err := DecodeJSON([]byte(c.body), &r)
		t.Run(c.body, func(t *testing.T) {
			e := wantCode(t, err, concierge.CodeMalformedRequest)
			if len(e.Fields) != 1 || e.Fields[0].Field != c.field {
				t.Fatalf("Fields = %v, want %s", e.Fields, c.field)
			}
			if !strings.Contains(e.Message, c.field) {
				t.Fatalf("message %q does not name %s", e.Message, c.field)
			}
		})
	}
	// A nested field is named by its path.
	type inner struct{ N int }
	var nested struct{ Outer inner }
	e := wantCode(t, DecodeJSON([]byte(`{"outer":{"n":"x"}}`), &nested), concierge.CodeMalformedRequest)
	if len(e.Fields) != 1 || !strings.Contains(e.Fields[0].Field, "N") {
		t.Fatalf("nested: Fields = %v", e.Fields)
	}
}

func TestDecodeJSONNotAnObject(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`[]`,
		`[{"Message":"m"}]`,
		`"a string"`,
		`42`,
		`-1`,
		`true`,
		`null`,
		`x`,
		"\xef\xbb\xbf{}", // a byte-order mark is not JSON
		`{`,
		`{"Message":`,
		`{"Message":"m"`,
		`{"Message":"m",}`,
		`{'Message':'m'}`,
		`{Message:"m"}`,
		`{"Message":"m"}}`,
		`{"Message":"m"} {"Message":"n"}`,
		`{"Message":"m"}x`,
		`{"Message":"m"}]`,
		`{"Message":"m"},`,
		`{"Message":"m"} 1`,
		`{"Message":"m"} null`,
		`{"Message":"unterminated}`,
		`{"Message":"bad \q escape"}`,
		`{"Message":"control` + "\x01" + `"}`,
	} {
		var r request
		err := DecodeJSON([]byte(body), &r)
		t.Run(body, func(t *testing.T) {
			wantCode(t, err, concierge.CodeMalformedRequest)
		})
	}
}

func TestDecodeJSONEmptyBody(t *testing.T) {
	t.Parallel()
	for _, body := range []string{"", " ", "\n\t\r "} {
		r := request{Message: "unchanged"}
		if err := DecodeJSON([]byte(body), &r); err != nil {
			t.Errorf("%q: %v", body, err)
		}
		if r.Message != "unchanged" {
			t.Errorf("%q: destination changed: %+v", body, r)
		}
	}
	var r request
	if err := DecodeJSON([]byte(" {} \n"), &r); err != nil || !r.equal(request{}) {
		t.Fatalf("{}: %+v, %v", r, err)
	}
}

// Equal compares two requests (a RawMessage makes the struct incomparable with ==).
func (r request) equal(o request) bool {
	return r.SessionToken == o.SessionToken && r.Message == o.Message && r.ConversationType == o.ConversationType &&
		r.OutletCode == o.OutletCode && r.OrderCode == o.OrderCode &&
		bytes.Equal(r.OrderFormDetailsDictionary, o.OrderFormDetailsDictionary)
}

func (r request) String() string {
	b, _ := json.Marshal(r)
	return string(b)
}

// codeConstants returns the value of every constant of type Code in package concierge, read
// from its source so that a code added later is covered without editing this test.
func codeConstants(t *testing.T) []concierge.Code {
	t.Helper()
	dir := filepath.Join("..", "concierge")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var codes []concierge.Code
	for _, ent := range entries {
		if !strings.HasSuffix(ent.Name(), ".go") || strings.HasSuffix(ent.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, ent.Name()), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
					continue
				}
				for _, v := range vs.Values {
					lit, ok := v.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						t.Fatalf("%s: a Code constant that is not a string literal", fset.Position(v.Pos()))
					}
					s, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					codes = append(codes, concierge.Code(s))
				}
			}
		}
	}
	if len(codes) < 20 {
		t.Fatalf("found only %d Code constants: %v", len(codes), codes)
	}
	return codes
}

func TestStatusCoversEveryCode(t *testing.T) {
	t.Parallel()
	// The table of SPEC §3.3.
	want := map[concierge.Code]int{
		concierge.CodeMalformedRequest:        400,
		concierge.CodeValidationFailed:        400,
		concierge.CodeIdentityTokenInvalid:    401,
		concierge.CodeIdentityTokenExpired:    401,
		concierge.CodeInterfaceTokenInvalid:   401,
		concierge.CodeGuestVerificationFailed: 401,
		concierge.CodeGuestNotVerified:        403,
		concierge.CodePropertyNotFound:        404,
		concierge.CodeOutletNotFound:          404,
		concierge.CodeOrderNotFound:           404,
		concierge.CodeConversationNotFound:    404,
		concierge.CodeOutletNotAvailable:      409,
		concierge.CodeNoOutletAvailable:       409,
		concierge.CodeIdempotencyKeyReused:    409,
		concierge.CodeUnsupportedMediaType:    415,
		concierge.CodePayloadTooLarge:         413,
		concierge.CodeRateLimited:             429,
		concierge.CodeRouteNotFound:           404,
		concierge.CodeMethodNotAllowed:        405,
		concierge.CodeInternal:                500,
	}
	for _, code := range codeConstants(t) {
		got := Status(code)
		if code == concierge.CodeInternal {
			if got != http.StatusInternalServerError {
				t.Errorf("Status(%s) = %d, want 500", code, got)
			}
			continue
		}
		if got == http.StatusInternalServerError {
			t.Errorf("Status(%s) = 500: the code is missing from statusByCode", code)
		}
		if got < 400 || got > 499 {
			t.Errorf("Status(%s) = %d, want a 4xx status", code, got)
		}
		// Codes of SPEC §3.3 must have the status the table gives; codes of other APIs (staff,
		// admin) only need a 4xx one.
		if w, ok := want[code]; ok && got != w {
			t.Errorf("Status(%s) = %d, want %d (SPEC §3.3)", code, got, w)
		}
	}
	if got := Status("NoSuchCode"); got != http.StatusInternalServerError {
		t.Errorf("Status of an unknown code = %d, want 500", got)
	}
	if got := Status(""); got != http.StatusInternalServerError {
		t.Errorf("Status of the empty code = %d, want 500", got)
	}
}

func TestAsError(t *testing.T) {
	t.Parallel()
	e := concierge.Errorf(concierge.CodeOutletNotFound, "no outlet")
	if got := AsError(e); got != e {
		t.Fatalf("AsError(*Error) = %v", got)
	}
	if got := AsError(errors.Join(errors.New("ctx"), e)); got != e {
		t.Fatalf("AsError(wrapped) = %v", got)
	}
	got := AsError(errors.New("pq: password authentication failed for user secret"))
	if got.Code != concierge.CodeInternal || strings.Contains(got.Message, "secret") || got.Message == "" {
		t.Fatalf("AsError(plain) = %+v", got)
	}
}
