package metrics

import "github.com/prometheus/client_golang/prometheus"

// RegisterBuildInfo registers concierge_build_info, always 1, labelled with the version, the
// Go version and the VCS revision ("" when unknown). It panics when registered twice, like
// prometheus.MustRegister.
func RegisterBuildInfo(reg prometheus.Registerer, version, goVersion, revision string) {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "concierge_build_info",
		Help:        "Always 1; the labels say which build of Concierge runs.",
		ConstLabels: prometheus.Labels{"version": version, "goversion": goVersion, "revision": revision},
	})
	g.Set(1)
	reg.MustRegister(g)
}
