package httpserver

import (
	"encoding/json"
	"net/http"
	"strings"

	"concierge/internal/idempotency"
	"concierge/internal/staffapi"
)

// addRoutes lists every route of the server. The guest API routes itself case-insensitively
// (see package v40); anything no other route claims goes to it, so unknown paths answer in the
// guest envelope.
func addRoutes(mux *http.ServeMux, cfg Config) {
	mux.HandleFunc("GET /healthz", healthz)
	mux.HandleFunc("GET /readyz", readyz(cfg))
	if cfg.Metrics != nil {
		mux.Handle("GET /metrics", cfg.Metrics)
	}
	mux.Handle("GET /api/v1/openapi.json", cfg.openAPI)
	// The web pages (package web): the staff console, the guest chat page and their shared files.
	mux.Handle("GET /console/", cfg.pages)
	mux.Handle("GET /console", cfg.pages)
	mux.Handle("GET /guest/", cfg.pages)
	mux.Handle("GET /guest", cfg.pages)
	mux.Handle("GET /assets/", cfg.pages)
	mux.Handle("/api/v1/", idempotency.Middleware(staffapi.NewHandler(cfg.Service, cfg.Logger, cfg.Staff), idempotency.Options{
		Store: cfg.Idempotency, Logger: cfg.Logger, Now: cfg.Now, WriteError: staffapi.WriteError,
		Reissue: cfg.Service.ReissueSecret,
	}))
	mux.Handle("/", idempotency.Middleware(cfg.guest, idempotency.Options{
		Store: cfg.Idempotency, Logger: cfg.Logger, Now: cfg.Now, WriteError: cfg.guest.WriteError,
		Reissue: cfg.Service.ReissueSecret,
	}))
}

// writeError answers an error from middleware in the format of the API the request was for:
// the staff API's error object under /api/v1/, the guest envelope elsewhere.
func (cfg Config) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if strings.HasPrefix(r.URL.Path, "/api/v1/") {
		staffapi.WriteError(w, r, err)
		return
	}
	cfg.guest.WriteError(w, r, err)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// healthz answers 200 while the process serves requests.
func healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 when the store is reachable with its migrations applied and the live
// events hub is open, 503 otherwise. checks.events is "ok", "closed" (shutting down) or
// "off"; eventsLatestSeq is the newest event the hub was told of.
func readyz(cfg Config) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		checks := map[string]string{"store": "ok", "events": "off"}
		body := map[string]any{"status": "ok", "checks": checks}
		status := http.StatusOK
		if err := cfg.Service.Ping(r.Context()); err != nil {
			cfg.Logger.WarnContext(r.Context(), "not ready", "err", err)
			checks["store"], body["status"], status = "unavailable", "unavailable", http.StatusServiceUnavailable
		}
		if hub := cfg.Guest.Events.Hub; hub != nil {
			checks["events"] = "ok"
			body["eventsLatestSeq"] = hub.Latest()
			select {
			case <-hub.Done():
				checks["events"], body["status"], status = "closed", "unavailable", http.StatusServiceUnavailable
			default:
			}
		}
		writeJSON(w, status, body)
	}
}
