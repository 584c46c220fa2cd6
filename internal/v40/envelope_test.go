package v40

import (
	"encoding/json"
	"testing"

	"concierge/internal/concierge"
)

// TestEnvelopeEncode: the hand-written envelope is exactly what encoding/json writes for the
// same keys in the same order (escaping included), and valid JSON.
func TestEnvelopeEncode(t *testing.T) {
	t.Parallel()
	type reference struct {
		SessionToken      string            `json:"sessionToken"`
		ResponsesIncluded string            `json:"responsesIncluded"`
		Responses         []json.RawMessage `json:"responses"`
		Status            string            `json:"status"`
	}
	cases := []envelope{
		{SessionToken: "", ResponsesIncluded: "", Status: "Success"},
		{SessionToken: `tok"<&>\` + "\u2028é", ResponsesIncluded: "a,b", Status: "Failure", Responses: []namedItem{
			{name: "a", item: item{Content: map[string]any{"text": "<script>&\"x\"</script>\n", "n": 3}, Succeeded: true}},
			{name: `b"<`, item: item{AreaError: concierge.CodeValidationFailed, Message: "bad & wrong",
				Errors: []concierge.FieldError{{Field: "Message", Message: "is required"}}}},
		}},
	}
	for i, env := range cases {
		got, err := env.encode()
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		ref := reference{SessionToken: env.SessionToken, ResponsesIncluded: env.ResponsesIncluded, Status: env.Status,
			Responses: []json.RawMessage{}}
		for _, it := range env.Responses {
			body, _ := json.Marshal(it.item)
			name, _ := json.Marshal(it.name)
			ref.Responses = append(ref.Responses, json.RawMessage(`{`+string(name)+`:`+string(body)+`}`))
		}
		want, err := json.Marshal(ref)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("case %d:\n got %s\nwant %s", i, got, want)
		}
		if !json.Valid(got) {
			t.Errorf("case %d: not valid JSON: %s", i, got)
		}
	}
}
