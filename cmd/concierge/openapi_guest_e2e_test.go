package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"concierge/internal/openapi"
)

// TestOpenAPIDocumentsServed fetches both OpenAPI documents from a running server: the guest
// one at /API/V40/openapi.json in any letter case (like every guest path), the staff one at
// /api/v1/openapi.json, each the document the package builds and the `openapi` command prints.
func TestOpenAPIDocumentsServed(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{})
	guest, err := openapi.GuestDocument()
	if err != nil {
		t.Fatal(err)
	}
	staff, err := openapi.Document()
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string][]byte{
		"/API/V40/openapi.json": guest,
		"/api/v40/OpenAPI.json": guest,
		"/api/v1/openapi.json":  staff,
	} {
		r := s.get(t, path)
		if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Fatalf("GET %s: HTTP %d %q", path, r.Status, r.Header.Get("Content-Type"))
		}
		if !bytes.Equal(r.Raw, want) {
			t.Errorf("GET %s is not the document", path)
		}
		if r.Body["openapi"] != "3.1.0" {
			t.Errorf("GET %s: openapi %v", path, r.Body["openapi"])
		}
	}
	var printed bytes.Buffer
	if err := run(t.Context(), []string{"concierge", "openapi", "guest"}, func(string) string { return "" }, &printed, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.TrimSpace(printed.Bytes()), guest) || !json.Valid(printed.Bytes()) {
		t.Errorf("`concierge openapi guest` does not print the guest document")
	}
	if err := run(t.Context(), []string{"concierge", "openapi", "nope"}, func(string) string { return "" }, &printed, &bytes.Buffer{}); err == nil {
		t.Errorf("`concierge openapi nope` did not fail")
	}
}
