package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"concierge/internal/concierge"
)

// FuzzDecodeJSON checks DecodeJSON on a struct shaped like the guest create-conversation
// request: it never panics; it fails only with a MalformedRequest *concierge.Error; and on a
// JSON object it agrees with encoding/json, both on whether the input decodes and on the values.
func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range []string{
		``,
		` `,
		`{}`,
		`null`,
		`[]`,
		`"x"`,
		`1`,
		`{"SessionToken":"abc.def","Message":"Hola","ConversationType":"guest","OutletCode":"SPA","OrderCode":"ORD-1001"}`,
		`{"sessiontoken":"t","MESSAGE":"m","outletCode":"x"}`,
		`{"Message":5}`,
		`{"Message":null}`,
		`{"Message":"a","message":"b"}`,
		`{"OrderFormDetailsDictionary":{"firstName":"Ana","lastName":"García","n":[1,2,{"x":null}]}}`,
		`{"OrderFormDetailsDictionary":"str"}`,
		`{"OrderFormDetailsDictionary":null}`,
		`{"Message":"m"} {"Message":"n"}`,
		`{"Message":"m"}]`,
		`{"Message":"\ud83d\ude00 \u0000"}`,
		"{\"Message\":\"\xff\"}",
		`{"Unknown":{"deep":[[[[[]]]]]}}`,
		`{"a":1e999}`,
		"\ufeff{}",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var got request
		err := DecodeJSON(body, &got)
		if err != nil {
			var e *concierge.Error
			if !errors.As(err, &e) {
				t.Fatalf("DecodeJSON(%q) = %v (%T), want a *concierge.Error", body, err, err)
			}
			if e.Code != concierge.CodeMalformedRequest {
				t.Fatalf("DecodeJSON(%q): code %s, want MalformedRequest", body, e.Code)
			}
			if e.Message == "" {
				t.Fatalf("DecodeJSON(%q): error without a message", body)
			}
			if Status(e.Code) != 400 {
				t.Fatalf("status %d", Status(e.Code))
			}
		}
		trimmed := bytes.TrimSpace(body)
		if len(trimmed) == 0 {
			if err != nil {
				t.Fatalf("DecodeJSON(%q) = %v, want nil for an empty body", body, err)
			}
			return
		}
		if err == nil && !json.Valid(body) {
			t.Fatalf("DecodeJSON accepted invalid JSON %q: %s", body, got)
		}
		if !json.Valid(body) || trimmed[0] != '{' {
			if err == nil {
				t.Fatalf("DecodeJSON accepted %q, which is not one JSON object", body)
			}
			return
		}
		// A valid JSON object: encoding/json is the reference.
		var want request
		wantErr := json.Unmarshal(body, &want)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("DecodeJSON(%q) = %v, but json.Unmarshal = %v", body, err, wantErr)
		}
		if err == nil && !got.equal(want) {
			t.Fatalf("DecodeJSON(%q) = %s, json.Unmarshal = %s", body, got, want)
		}
	})
}
