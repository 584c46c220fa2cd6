package v40

import (
	"net/http"
	"sort"
	"strings"
)

// route is one guest API endpoint. Literal segments of pattern match case-insensitively;
// a segment {name} captures the path segment as it was sent.
type route struct {
	method   string
	pattern  string
	item     string // the item name of its answer, success or failure
	segments []string
	handle   http.HandlerFunc
}

type router struct {
	routes []route
}

func newRouter(routes []route) router {
	for i := range routes {
		routes[i].segments = splitPath(routes[i].pattern)
	}
	return router{routes: routes}
}

// splitPath splits a path into its segments, ignoring a trailing slash.
func splitPath(p string) []string {
	return strings.Split(strings.Trim(p, "/"), "/")
}

// match finds the route for method and path. When the path matches routes of other methods
// only, allowed lists those methods.
func (rt router) match(method, path string) (*route, map[string]string, string) {
	segs := splitPath(path)
	var methods []string
	for i := range rt.routes {
		r := &rt.routes[i]
		params, ok := matchSegments(r.segments, segs)
		if !ok {
			continue
		}
		if r.method == method || (method == http.MethodHead && r.method == http.MethodGet) {
			return r, params, ""
		}
		methods = append(methods, r.method)
	}
	sort.Strings(methods)
	return nil, nil, strings.Join(methods, ", ")
}

func matchSegments(pattern, segs []string) (map[string]string, bool) {
	if len(pattern) != len(segs) {
		return nil, false
	}
	var params map[string]string
	for i, p := range pattern {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			if segs[i] == "" {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[p[1:len(p)-1]] = segs[i]
			continue
		}
		if !strings.EqualFold(p, segs[i]) {
			return nil, false
		}
	}
	return params, true
}
