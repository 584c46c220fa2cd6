package staffapi

import (
	"net/http"

	"concierge/api"
	"concierge/internal/concierge"
	"concierge/internal/idempotency"
)

// login checks a username and password and answers a bearer token (SPEC §5).
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	var req api.LoginRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	token, sess, u, err := h.svc.StaffLogin(r.Context(), req.Username, req.Password, clientAddress(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	prof, err := h.svc.StaffProfile(r.Context(), u)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	idempotency.IssuedSecret(r.Context(), concierge.SecretStaffSession, sess.ID, token)
	h.writeJSON(w, r, http.StatusOK, api.Login{Token: token, ExpiresAt: formatTime(sess.ExpiresAt), User: userOf(prof)})
}

// logout ends the caller's staff session: its token stops working. It answers 204.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	if err := h.svc.StaffLogout(r.Context(), p); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// me answers who the caller is.
func (h *Handler) me(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	if p.APIKey != nil {
		k, err := h.apiKeysJSON(r, []concierge.APIKey{*p.APIKey})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		h.writeJSON(w, r, http.StatusOK, api.Me{Kind: "apiKey", APIKey: &k[0]})
		return
	}
	prof, err := h.svc.StaffProfile(r.Context(), *p.User)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u := userOf(prof)
	h.writeJSON(w, r, http.StatusOK, api.Me{Kind: "user", User: &u, ExpiresAt: formatTime(p.Session.ExpiresAt)})
}

// userOf renders a logged-in staff user with what they may see: service centers and properties
// as codes.
func userOf(p concierge.StaffProfile) api.User {
	u := api.User{ID: p.User.ID, Username: p.User.Username, DisplayName: p.User.DisplayName, Role: string(p.User.Role),
		ServiceCenters: []string{}, Properties: []string{}}
	for _, sc := range p.ServiceCenters {
		u.ServiceCenters = append(u.ServiceCenters, sc.Code)
	}
	for _, prop := range p.Properties {
		u.Properties = append(u.Properties, prop.Code)
	}
	return u
}
