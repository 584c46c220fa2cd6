package staffapi

import (
	"net/http"

	"concierge/internal/concierge"
	"concierge/internal/idempotency"
)

// loginRequest is the body of POST /api/v1/auth/login.
type loginRequest struct {
	Username string
	Password string
}

// loginAnswer is the answer to a successful login.
type loginAnswer struct {
	Token     string   `json:"token"`
	ExpiresAt string   `json:"expiresAt"`
	User      userJSON `json:"user"`
}

// login checks a username and password and answers a bearer token (SPEC §5).
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
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
	h.writeJSON(w, r, http.StatusOK, loginAnswer{Token: token, ExpiresAt: formatTime(sess.ExpiresAt), User: userOf(prof)})
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

// meAnswer describes the caller: a staff user (kind "user", with the session's expiry) or an
// API key (kind "apiKey").
type meAnswer struct {
	Kind      string      `json:"kind"`
	User      *userJSON   `json:"user,omitempty"`
	ExpiresAt string      `json:"expiresAt,omitempty"`
	APIKey    *apiKeyJSON `json:"apiKey,omitempty"`
}

// me answers who the caller is.
func (h *Handler) me(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	if p.APIKey != nil {
		k, err := h.apiKeysJSON(r, []concierge.APIKey{*p.APIKey})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		h.writeJSON(w, r, http.StatusOK, meAnswer{Kind: "apiKey", APIKey: &k[0]})
		return
	}
	prof, err := h.svc.StaffProfile(r.Context(), *p.User)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u := userOf(prof)
	h.writeJSON(w, r, http.StatusOK, meAnswer{Kind: "user", User: &u, ExpiresAt: formatTime(p.Session.ExpiresAt)})
}

// userJSON is a staff user as the API shows it. Service centers and properties are codes.
type userJSON struct {
	ID             int64          `json:"id"`
	Username       string         `json:"username"`
	DisplayName    string         `json:"displayName"`
	Role           concierge.Role `json:"role"`
	ServiceCenters []string       `json:"serviceCenters"`
	Properties     []string       `json:"properties"`
}

func userOf(p concierge.StaffProfile) userJSON {
	u := userJSON{ID: p.User.ID, Username: p.User.Username, DisplayName: p.User.DisplayName, Role: p.User.Role,
		ServiceCenters: []string{}, Properties: []string{}}
	for _, sc := range p.ServiceCenters {
		u.ServiceCenters = append(u.ServiceCenters, sc.Code)
	}
	for _, prop := range p.Properties {
		u.Properties = append(u.Properties, prop.Code)
	}
	return u
}
