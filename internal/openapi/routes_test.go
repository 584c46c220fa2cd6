package openapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"concierge/internal/concierge"
	"concierge/internal/staffapi"
	"concierge/internal/v40"
	"concierge/internal/wire"
)

// spec is a parsed document, walked as plain JSON.
type spec map[string]any

func parseSpec(t *testing.T, raw []byte, err error) spec {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	var s spec
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func staffSpec(t *testing.T) spec { raw, err := Document(); return parseSpec(t, raw, err) }
func guestSpec(t *testing.T) spec { raw, err := GuestDocument(); return parseSpec(t, raw, err) }

// resolve follows a local $ref ("#/components/…") to the object it names.
func (s spec) resolve(t *testing.T, v any) map[string]any {
	t.Helper()
	m, _ := v.(map[string]any)
	ref, ok := m["$ref"].(string)
	if !ok {
		return m
	}
	var cur any = map[string]any(s)
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		cur = cur.(map[string]any)[strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")]
	}
	if cur == nil {
		t.Fatalf("unresolved $ref %s", ref)
	}
	return s.resolve(t, cur)
}

// operation is one operation of a document.
type operation struct {
	method, path string
	op           map[string]any
}

func (s spec) operations() []operation {
	var ops []operation
	for p, item := range s["paths"].(map[string]any) {
		for m, op := range item.(map[string]any) {
			switch m {
			case "get", "put", "post", "delete", "options", "head", "patch", "trace":
				ops = append(ops, operation{method: strings.ToUpper(m), path: p, op: op.(map[string]any)})
			}
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].path+ops[i].method < ops[j].path+ops[j].method })
	return ops
}

func (s spec) routes() []string {
	var out []string
	for _, o := range s.operations() {
		out = append(out, o.method+" "+o.path)
	}
	sort.Strings(out)
	return out
}

// sameRoutes fails unless the routes served and the operations documented are the same.
func sameRoutes(t *testing.T, name string, served, documented []string) {
	t.Helper()
	sort.Strings(served)
	for _, r := range served {
		if !slices.Contains(documented, r) {
			t.Errorf("%s: the server has %s, the document does not", name, r)
		}
	}
	for _, r := range documented {
		if !slices.Contains(served, r) {
			t.Errorf("%s: the document has %s, the server does not", name, r)
		}
	}
}

// TestDocumentsCoverEveryRoute keeps the documents in step with the routers: every route the
// server registers has an operation, and every operation a route.
func TestDocumentsCoverEveryRoute(t *testing.T) {
	t.Parallel()
	// The staff document also describes itself, which package httpserver serves.
	served := append(staffapi.Routes(), "GET /api/v1/openapi.json")
	sameRoutes(t, "staff", served, staffSpec(t).routes())
	sameRoutes(t, "guest", v40.Routes(), guestSpec(t).routes())
}

// TestDocumentsConventions checks what integrators and hotel IT rely on in both documents: a
// license, every operation tagged with a declared tag, a 429 answer with Retry-After on every
// operation (every call is rate limited per client address), and the Idempotency-Key header on
// every write.
func TestDocumentsConventions(t *testing.T) {
	t.Parallel()
	for name, s := range map[string]spec{"staff": staffSpec(t), "guest": guestSpec(t)} {
		info := s["info"].(map[string]any)
		if lic, _ := info["license"].(map[string]any); lic["name"] == nil || (lic["identifier"] == nil && lic["url"] == nil) {
			t.Errorf("%s: no license with an identifier or url: %v", name, info["license"])
		}
		var tags []string
		for _, tag := range s["tags"].([]any) {
			tm := tag.(map[string]any)
			if d, _ := tm["description"].(string); d == "" {
				t.Errorf("%s: tag %v has no description", name, tm["name"])
			}
			tags = append(tags, tm["name"].(string))
		}
		for _, o := range s.operations() {
			id := name + ": " + o.method + " " + o.path
			opTags, _ := o.op["tags"].([]any)
			if len(opTags) == 0 {
				t.Errorf("%s: no tag", id)
			}
			for _, tag := range opTags {
				if !slices.Contains(tags, tag.(string)) {
					t.Errorf("%s: tag %v is not declared", id, tag)
				}
			}
			responses := o.op["responses"].(map[string]any)
			rl := s.resolve(t, responses["429"])
			if rl == nil {
				t.Errorf("%s: no 429 answer", id)
			} else if hs, _ := rl["headers"].(map[string]any); s.resolve(t, hs["Retry-After"])["required"] != true {
				t.Errorf("%s: the 429 answer has no required Retry-After header", id)
			}
			write := o.method == http.MethodPost || o.method == http.MethodPut || o.method == http.MethodPatch || o.method == http.MethodDelete
			hasKey := false
			params, _ := o.op["parameters"].([]any)
			for _, p := range params {
				if p := s.resolve(t, p); p["in"] == "header" && p["name"] == "Idempotency-Key" {
					hasKey = true
				}
			}
			if write != hasKey {
				t.Errorf("%s: write %v but Idempotency-Key header %v", id, write, hasKey)
			}
		}
	}
}

// TestStaffWebSocketRoute checks the description of the WebSocket upgrade.
func TestStaffWebSocketRoute(t *testing.T) {
	t.Parallel()
	s := staffSpec(t)
	op := s["paths"].(map[string]any)["/api/v1/events/ws"].(map[string]any)["get"].(map[string]any)
	headers := map[string]bool{}
	for _, p := range op["parameters"].([]any) {
		if p := s.resolve(t, p); p["in"] == "header" && p["required"] == true {
			headers[p["name"].(string)] = true
		}
	}
	for _, h := range []string{"Connection", "Upgrade", "Sec-WebSocket-Version", "Sec-WebSocket-Key"} {
		if !headers[h] {
			t.Errorf("the WebSocket route does not require the %s header", h)
		}
	}
	switched, _ := op["responses"].(map[string]any)["101"].(map[string]any)
	answer, _ := switched["headers"].(map[string]any)
	for _, h := range []string{"Connection", "Upgrade", "Sec-WebSocket-Accept"} {
		if answer[h] == nil {
			t.Errorf("the 101 answer does not describe the %s header", h)
		}
	}
}

// TestGuestFailuresMatchStatuses checks every failure the guest document describes: its
// areaError codes are ones the server answers with that HTTP status (package wire's one
// mapping), and every code of SPEC §3.3 appears in the document.
func TestGuestFailuresMatchStatuses(t *testing.T) {
	t.Parallel()
	s := guestSpec(t)
	schemas := s["components"].(map[string]any)["schemas"].(map[string]any)
	seen := map[string]bool{}
	for name, v := range schemas {
		status, ok := strings.CutPrefix(name, "Codes")
		if !ok {
			continue
		}
		want, err := strconv.Atoi(status)
		if err != nil {
			t.Fatalf("schema %s", name)
		}
		enum := v.(map[string]any)["properties"].(map[string]any)["responses"].(map[string]any)["items"].(map[string]any)["additionalProperties"].(map[string]any)["properties"].(map[string]any)["areaError"].(map[string]any)["enum"].([]any)
		for _, c := range enum {
			if got := wire.Status(concierge.Code(c.(string))); got != want {
				t.Errorf("%s lists %s, which the server answers with HTTP %d", name, c, got)
			}
			seen[c.(string)] = true
		}
	}
	for _, c := range schemas["AreaError"].(map[string]any)["enum"].([]any) {
		if !seen[c.(string)] && c != string(concierge.CodeMethodNotAllowed) { // 405: a routing failure
			t.Errorf("areaError %s is in no failure answer", c)
		}
	}
	for _, c := range []concierge.Code{concierge.CodeMalformedRequest, concierge.CodeValidationFailed,
		concierge.CodeIdentityTokenInvalid, concierge.CodeIdentityTokenExpired, concierge.CodeInterfaceTokenInvalid,
		concierge.CodeGuestVerificationFailed, concierge.CodeGuestNotVerified, concierge.CodePropertyNotFound,
		concierge.CodeOutletNotFound, concierge.CodeOrderNotFound, concierge.CodeConversationNotFound,
		concierge.CodeOutletNotAvailable, concierge.CodeNoOutletAvailable, concierge.CodeIdempotencyKeyReused,
		concierge.CodeUnsupportedMediaType, concierge.CodePayloadTooLarge, concierge.CodeRateLimited,
		concierge.CodeRouteNotFound, concierge.CodeInternal} {
		if !seen[string(c)] {
			t.Errorf("no failure answer lists %s", c)
		}
	}
}
