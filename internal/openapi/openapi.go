// Package openapi serves the OpenAPI 3.1 descriptions of Concierge's two APIs, written by hand:
// the staff and admin API (/api/v1/openapi.json) and the guest V40 API (/API/V40/openapi.json).
// The staff document is in fragments: base.json holds the document's frame and shared schemas,
// and each file in fragments/ the paths and schemas of one area of the API. Document merges them;
// a path or schema defined twice is an error. The guest document is one file, guest.json.
package openapi

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"sort"
)

//go:embed base.json guest.json fragments/*.json
var files embed.FS

// fragment is the part of a document a fragment file may hold.
type fragment struct {
	Paths      map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]json.RawMessage `json:"schemas"`
	} `json:"components"`
}

// Document returns the merged OpenAPI document as JSON. It errors when a file is not valid
// JSON or when two files define the same path or schema.
func Document() ([]byte, error) {
	doc, err := readObject("base.json")
	if err != nil {
		return nil, err
	}
	paths := doc["paths"].(map[string]any)
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	names, err := fs.Glob(files, "fragments/*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for _, name := range names {
		raw, err := files.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var f fragment
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			return nil, fmt.Errorf("openapi: %s: %w", path.Base(name), err)
		}
		for p, v := range f.Paths {
			if _, dup := paths[p]; dup {
				return nil, fmt.Errorf("openapi: %s: path %s defined twice", path.Base(name), p)
			}
			paths[p] = v
		}
		for s, v := range f.Components.Schemas {
			if _, dup := schemas[s]; dup {
				return nil, fmt.Errorf("openapi: %s: schema %s defined twice", path.Base(name), s)
			}
			schemas[s] = v
		}
	}
	return json.MarshalIndent(doc, "", "  ")
}

// GuestDocument returns the OpenAPI document of the guest V40 API as JSON. It errors when
// guest.json is not valid JSON.
func GuestDocument() ([]byte, error) {
	doc, err := readObject("guest.json")
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(doc, "", "  ")
}

// readObject reads an embedded file holding a JSON object.
func readObject(name string) (map[string]any, error) {
	raw, err := files.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("openapi: %s: %w", name, err)
	}
	return doc, nil
}

// Handler serves the staff document. It errors when the document cannot be built, which the
// package tests rule out.
func Handler() (http.Handler, error) {
	return serve(Document())
}

// GuestHandler serves the guest document. It errors when the document cannot be built, which
// the package tests rule out.
func GuestHandler() (http.Handler, error) {
	return serve(GuestDocument())
}

// serve answers every request with doc.
func serve(doc []byte, err error) (http.Handler, error) {
	if err != nil {
		return nil, err
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=300")
		_, _ = w.Write(doc)
	}), nil
}
