package v40

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"concierge/api"
	"concierge/internal/concierge"
)

// TestEnvelopeMatchesAPI: the private envelope and item write exactly the shape of api.Envelope
// and api.Item: the same keys in the same order with the same omitempty, and an encoded
// envelope, read into api.Envelope with no unknown key, writes back to the same bytes.
func TestEnvelopeMatchesAPI(t *testing.T) {
	t.Parallel()
	tags := func(typ reflect.Type) []string {
		var out []string
		for f := range typ.Fields() {
			out = append(out, f.Tag.Get("json"))
		}
		return out
	}
	if got, want := tags(reflect.TypeFor[item]()), tags(reflect.TypeFor[api.Item]()); !reflect.DeepEqual(got, want) {
		t.Fatalf("item keys %q, api.Item keys %q", got, want)
	}
	env := envelope{SessionToken: "tok<&>", Responses: []namedItem{
		{name: api.ItemGetConversation, item: item{Succeeded: true, Content: api.GuestConversationContent{
			Conversation: api.GuestConversation{Messages: []api.GuestMessage{{Code: "M1", Content: "<b>hi</b> & bye"}}}}}},
		{name: itemStatus, item: item{AreaError: concierge.CodeValidationFailed, Message: "bad",
			Errors: []concierge.FieldError{{Field: "Message", Message: "is required"}}}},
		{name: itemStatus, item: item{Succeeded: true}},
	}, ResponsesIncluded: "a,b,c", Status: "Failure"}
	got, err := env.encode()
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(got))
	dec.DisallowUnknownFields()
	var read api.Envelope
	if err := dec.Decode(&read); err != nil {
		t.Fatalf("api.Envelope cannot read %s: %v", got, err)
	}
	again, err := json.Marshal(read)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, got) {
		t.Fatalf("api.Envelope writes\n%s\nthe server wrote\n%s", again, got)
	}
	var content api.GuestConversationContent
	it, ok := read.Find(api.ItemGetConversation)
	if !ok || json.Unmarshal(it.Content, &content) != nil || content.Conversation.Messages[0].Content != "<b>hi</b> & bye" {
		t.Fatalf("content read back as %+v from %s", content, it.Content)
	}
}
