package main

import (
	"errors"
	"fmt"
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

// metricsToken returns the bearer token /metrics wants: --metrics-token, given directly or
// by --metrics-token-file (secretFlags); "" when neither is set. It fails when
// --metrics-on-debug-addr has no --debug-addr.
func metricsToken(cfg config) (string, error) {
	if cfg.MetricsOnDebugAddr && cfg.DebugAddr == "" {
		return "", errors.New("--metrics-on-debug-addr needs --debug-addr")
	}
	return cfg.MetricsToken, nil
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
