package main

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"concierge/internal/httpserver"
	"concierge/internal/metrics"
)

// newRegistry returns the registry every collector of the server is registered on: Go's
// runtime and the process, and the build.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	goVersion, revision := "unknown", ""
	if info, ok := debug.ReadBuildInfo(); ok {
		goVersion = info.GoVersion
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				revision = s.Value
			}
		}
	}
	metrics.RegisterBuildInfo(reg, version, goVersion, revision)
	return reg
}

// metricsToken returns the bearer token /metrics wants: --metrics-token, or the content of
// --metrics-token-file (white space around it ignored); "" when neither is set. It fails
// when both are set, when the file cannot be read or is empty, and when --metrics-on-debug-addr
// has no --debug-addr.
func metricsToken(cfg config) (string, error) {
	if cfg.MetricsOnDebugAddr && cfg.DebugAddr == "" {
		return "", errors.New("--metrics-on-debug-addr needs --debug-addr")
	}
	if cfg.MetricsTokenFile == "" {
		return cfg.MetricsToken, nil
	}
	if cfg.MetricsToken != "" {
		return "", errors.New("give --metrics-token or --metrics-token-file, not both")
	}
	b, err := os.ReadFile(cfg.MetricsTokenFile)
	if err != nil {
		return "", fmt.Errorf("--metrics-token-file: %w", err)
	}
	token := strings.TrimSpace(string(b))
	if token == "" {
		return "", fmt.Errorf("--metrics-token-file: %s is empty", cfg.MetricsTokenFile)
	}
	return token, nil
}

// corsPolicy parses --cors-origins.
func corsPolicy(cfg config) (*httpserver.CORS, error) {
	var origins []string
	for o := range strings.SplitSeq(cfg.CORSOrigins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			origins = append(origins, o)
		}
	}
	c, err := httpserver.NewCORS(origins)
	if err != nil {
		return nil, fmt.Errorf("--cors-origins: %w", err)
	}
	return c, nil
}
