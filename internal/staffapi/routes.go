package staffapi

import "net/http"

// addRoutes lists every route of the staff and admin API.
func (h *Handler) addRoutes(mux *http.ServeMux) {
	// Authentication.
	mux.HandleFunc("POST /api/v1/auth/login", h.login)
	mux.HandleFunc("POST /api/v1/auth/logout", h.authed(h.logout))
	mux.HandleFunc("GET /api/v1/me", h.authed(h.me))

	// API keys (admin).
	mux.HandleFunc("GET /api/v1/api-keys", h.authed(h.listAPIKeys))
	mux.HandleFunc("POST /api/v1/api-keys", h.authed(h.createAPIKey))
	mux.HandleFunc("POST /api/v1/api-keys/{id}/revoke", h.authed(h.revokeAPIKey))
}
