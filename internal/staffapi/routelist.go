package staffapi

import (
	"net/http"
	"sort"
)

// routeAdder is where addRoutes registers the routes: the handler's http.ServeMux, or the
// recorder of Routes.
type routeAdder interface {
	HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request))
}

// routeRecorder keeps the patterns it is given.
type routeRecorder []string

func (r *routeRecorder) HandleFunc(pattern string, _ func(http.ResponseWriter, *http.Request)) {
	*r = append(*r, pattern)
}

// Routes lists the staff and admin API's routes as "METHOD /path" patterns of http.ServeMux,
// sorted, for the tests that keep the OpenAPI document in step with the server.
func Routes() []string {
	var rec routeRecorder
	(&Handler{}).addRoutes(&rec)
	sort.Strings(rec)
	return rec
}
