package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"concierge/internal/openapi"
)

// Every guest API call the end-to-end tests make through server.do (and every event stream they
// open) goes through checkGuestAgainstOpenAPI: its answer must match the guest API's OpenAPI
// document (/API/V40/openapi.json), and a request the server accepted (2xx) must be one the
// document allows. The guest API matches paths, query parameter names and body property names
// in any letter case (SPEC §3.1, §3.2), which OpenAPI cannot express: the check first rewrites
// the request to the document's spelling, as the server reads it, then validates.

// guestOpenAPI is the validator of the guest document with what the rewriting needs.
type guestOpenAPI struct {
	v validator.Validator
	// paths are the document's paths, split into segments, with their methods.
	paths []guestPath
	// names maps the lower-case spelling of every query parameter and request body property
	// the document names to its spelling there.
	names map[string]string
}

type guestPath struct {
	segments []string
	methods  map[string]bool
}

var (
	guestOpenAPIOnce sync.Once
	guestOpenAPIDoc  *guestOpenAPI
	guestOpenAPIErr  error
)

func loadGuestOpenAPI() (*guestOpenAPI, error) {
	guestOpenAPIOnce.Do(func() {
		guestOpenAPIDoc, guestOpenAPIErr = newGuestOpenAPI()
	})
	return guestOpenAPIDoc, guestOpenAPIErr
}

func newGuestOpenAPI() (*guestOpenAPI, error) {
	raw, err := openapi.GuestDocument()
	if err != nil {
		return nil, err
	}
	doc, err := libopenapi.NewDocument(raw)
	if err != nil {
		return nil, err
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		return nil, errs[0]
	}
	var spec struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Parameters      map[string]struct{ Name string } `json:"parameters"`
			SecuritySchemes map[string]struct{ Name string } `json:"securitySchemes"`
			Schemas         map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &spec); err != nil {
		return nil, err
	}
	g := &guestOpenAPI{v: v, names: map[string]string{}}
	add := func(name string) {
		if name != "" {
			g.names[strings.ToLower(name)] = name
		}
	}
	for _, p := range spec.Components.Parameters {
		add(p.Name)
	}
	for _, s := range spec.Components.SecuritySchemes {
		add(s.Name)
	}
	for p, item := range spec.Paths {
		gp := guestPath{segments: strings.Split(strings.Trim(p, "/"), "/"), methods: map[string]bool{}}
		for method, op := range item {
			gp.methods[strings.ToUpper(method)] = true
			var o struct {
				RequestBody struct {
					Content map[string]struct {
						Schema struct {
							Ref string `json:"$ref"`
						} `json:"schema"`
					} `json:"content"`
				} `json:"requestBody"`
			}
			if err := json.Unmarshal(op, &o); err != nil {
				return nil, fmt.Errorf("%s %s: %w", method, p, err)
			}
			for _, mt := range o.RequestBody.Content {
				name := strings.TrimPrefix(mt.Schema.Ref, "#/components/schemas/")
				for prop := range spec.Components.Schemas[name].Properties {
					add(prop)
				}
			}
		}
		g.paths = append(g.paths, gp)
	}
	return g, nil
}

// isGuestPath reports whether path is one of the guest API's (under /API/V40/, any case).
func isGuestPath(path string) bool {
	return len(path) >= 9 && strings.EqualFold(path[:9], "/API/V40/")
}

// canonicalPath returns path spelled as the document spells the path it matches, and whether
// the document has that path with method.
func (g *guestOpenAPI) canonicalPath(method, path string) (string, bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for _, p := range g.paths {
		if len(p.segments) != len(segs) {
			continue
		}
		out := make([]string, len(segs))
		ok := true
		for i, s := range p.segments {
			switch {
			case strings.HasPrefix(s, "{"):
				out[i] = segs[i]
				ok = ok && segs[i] != ""
			case strings.EqualFold(s, segs[i]):
				out[i] = s
			default:
				ok = false
			}
		}
		if ok {
			return "/" + strings.Join(out, "/"), p.methods[method]
		}
	}
	return "", false
}

// canonicalName returns the document's spelling of a query parameter or body property name.
func (g *guestOpenAPI) canonicalName(name string) string {
	if c, ok := g.names[strings.ToLower(name)]; ok {
		return c
	}
	return name
}

// canonicalBody renames the top-level properties of a JSON object body to the document's
// spelling; any other body is returned as it is.
func (g *guestOpenAPI) canonicalBody(body []byte) []byte {
	var obj map[string]json.RawMessage
	if len(bytes.TrimSpace(body)) == 0 || json.Unmarshal(body, &obj) != nil {
		return body
	}
	out := make(map[string]json.RawMessage, len(obj))
	for k, v := range obj {
		out[g.canonicalName(k)] = v
	}
	b, err := json.Marshal(out)
	if err != nil {
		return body
	}
	return b
}

// checkGuestAgainstOpenAPI validates one guest API exchange. Routing failures (unknown routes,
// methods a path does not have) are by definition not in the document and are skipped, as is
// HEAD (answered like GET, without a body).
func checkGuestAgainstOpenAPI(t testing.TB, req *http.Request, reqBody []byte, status int, header http.Header, respBody []byte) {
	t.Helper()
	g, err := loadGuestOpenAPI()
	if err != nil {
		t.Fatalf("guest OpenAPI document: %v", err)
	}
	if req.Method == http.MethodHead {
		return
	}
	path, ok := g.canonicalPath(req.Method, req.URL.Path)
	if !ok {
		return
	}
	vreq := req.Clone(req.Context())
	vreq.URL.Path, vreq.URL.RawPath = path, ""
	q := url.Values{}
	for k, vs := range req.URL.Query() {
		q[g.canonicalName(k)] = vs
	}
	vreq.URL.RawQuery = q.Encode()
	validateExchange(t, g.v, "the guest document", req, vreq, g.canonicalBody(reqBody), status, header, respBody)
}
