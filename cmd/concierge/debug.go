package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// debugHandler serves Go's runtime profiles (net/http/pprof) on a mux of its own, so that they
// are never reachable through the public listener.
func debugHandler(metrics http.Handler) http.Handler {
	mux := http.NewServeMux()
	if metrics != nil {
		mux.Handle("GET /metrics", metrics)
	}
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	return mux
}

// startDebug listens on addr and serves the profiles (and metrics, when not nil: the
// handler of /metrics) until the returned stop is called. It
// prints the listener's URL to stdout ("Concierge debug on http://…").
// It fails when addr cannot be listened on.
func startDebug(addr string, metrics http.Handler, stdout io.Writer, logger *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--debug-addr: %w", err)
	}
	srv := &http.Server{Handler: debugHandler(metrics), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("debug listener", "err", err)
		}
	}()
	logger.Warn("profiles served on the debug listener: keep it private", "addr", ln.Addr().String())
	fmt.Fprintf(stdout, "Concierge debug on http://%s\n", ln.Addr())
	return func() { _ = srv.Close() }, nil
}
