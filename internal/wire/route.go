package wire

import "context"

// routeKey is the context key of a request's route note.
type routeKey struct{}

// routeNote is where the API that serves a request writes the route it matched.
type routeNote struct{ pattern string }

// WithRouteNote returns ctx carrying an empty route note, and the function that reads the
// route written into it by SetRoute ("" when none was).
func WithRouteNote(ctx context.Context) (context.Context, func() string) {
	n := &routeNote{}
	return context.WithValue(ctx, routeKey{}, n), func() string { return n.pattern }
}

// SetRoute records the route pattern a request matched (its path pattern without the method,
// e.g. "/api/v1/conversations/{code}"), for metrics that count requests by route rather than by
// raw path. Without a note in ctx (WithRouteNote) it does nothing.
func SetRoute(ctx context.Context, pattern string) {
	if n, ok := ctx.Value(routeKey{}).(*routeNote); ok {
		n.pattern = pattern
	}
}
