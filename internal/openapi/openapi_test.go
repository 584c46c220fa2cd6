package openapi

import (
	"encoding/json"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
)

// TestDocumentIsValidOpenAPI31 checks the merged staff document against the OpenAPI 3.1 schema.
func TestDocumentIsValidOpenAPI31(t *testing.T) {
	t.Parallel()
	raw, err := Document()
	if err != nil {
		t.Fatal(err)
	}
	checkValidOpenAPI31(t, raw)
}

// TestGuestDocumentIsValidOpenAPI31 checks the guest document against the OpenAPI 3.1 schema.
func TestGuestDocumentIsValidOpenAPI31(t *testing.T) {
	t.Parallel()
	raw, err := GuestDocument()
	if err != nil {
		t.Fatal(err)
	}
	checkValidOpenAPI31(t, raw)
}

func checkValidOpenAPI31(t *testing.T, raw []byte) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi %v", doc["openapi"])
	}
	d, err := libopenapi.NewDocument(raw)
	if err != nil {
		t.Fatal(err)
	}
	v, errs := validator.NewValidator(d)
	if len(errs) > 0 {
		t.Fatalf("validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("%s: %s", e.Message, e.Reason)
		}
	}
}
