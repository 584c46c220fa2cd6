package httpserver

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"concierge/internal/clientaddr"
	"concierge/internal/concierge"
	"concierge/internal/logging"
	"concierge/internal/v40"
	"concierge/internal/wire"
)

// withRequestID gives every request an id: the client's X-Request-Id when it is short and
// printable, a random one otherwise. It is echoed in the response and carried by the context
// into every log line of the request.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !validRequestID(id) {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(logging.WithRequestID(r.Context(), id)))
	})
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if c < '!' || c > '~' {
			return false
		}
	}
	return true
}

// statusRecorder remembers the status and size of a response.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer (flushing for streams).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// logRequests logs one line per request and feeds the HTTP metrics.
func logRequests(next http.Handler, logger *slog.Logger, m *metrics) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		ctx, route := wire.WithRouteNote(r.Context())
		r = r.WithContext(ctx)
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		d := time.Since(start)
		m.observe(routeOf(route(), r), r.Method, rec.status, d)
		level := slog.LevelInfo
		if rec.status >= 500 {
			level = slog.LevelError
		}
		attrs := []slog.Attr{slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", rec.status), slog.Int("bytes", rec.bytes),
			slog.Duration("duration", d), slog.String("remote", clientAddress(r))}
		if peer := clientaddr.Peer(r); peer != clientAddress(r) {
			attrs = append(attrs, slog.String("proxy", peer)) // the trusted proxy it came through
		}
		logger.LogAttrs(r.Context(), level, "request", attrs...)
	})
}

// recoverPanics turns a panic into an InternalError answer and a logged stack.
func recoverPanics(next http.Handler, logger *slog.Logger, writeError func(http.ResponseWriter, *http.Request, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				logger.ErrorContext(r.Context(), "panic", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				writeError(w, r, concierge.Errorf(concierge.CodeInternal, "An internal error occurred."))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// limitPerAddress refuses clients that send too many requests (RateLimited with Retry-After).
// Health and metrics endpoints are exempt so that probes never get throttled.
func limitPerAddress(next http.Handler, l v40.Limiter, writeError func(http.ResponseWriter, *http.Request, error)) http.Handler {
	if l == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/healthz", "/readyz", "/metrics":
			next.ServeHTTP(w, r)
			return
		}
		if ok, wait := l.Allow(r.Context(), "a"+clientAddress(r)); !ok {
			writeError(w, r, &concierge.Error{Code: concierge.CodeRateLimited, RetryAfter: wait,
				Message: "Too many requests from this address; try again later."})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// withClient carries the client's address in the request's context (concierge.WithClient),
// for the audit log and the per-address back-off of guest verifications.
func withClient(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(concierge.WithClient(r.Context(), clientAddress(r))))
	})
}

// clientAddress is the client's IP: the peer's, or the one a trusted proxy forwarded
// (clientaddr.Middleware runs first, see NewServer).
func clientAddress(r *http.Request) string {
	return clientaddr.Of(r)
}
