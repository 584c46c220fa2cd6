package staffapi

import (
	"net/http"
	"strconv"
	"strings"

	"concierge/api"
	"concierge/internal/concierge"
	"concierge/internal/idempotency"
)

// defaultLimit is the page length of a list when the client gives none.
const defaultLimit = 50

// apiKeysJSON renders keys with their property codes (none for an admin key): never with
// their secrets, which only the answer of a creation shows (api.CreatedAPIKey).
func (h *Handler) apiKeysJSON(r *http.Request, keys []concierge.APIKey) ([]api.APIKey, error) {
	var ids []int64
	for _, k := range keys {
		ids = append(ids, k.PropertyIDs...)
	}
	props, err := h.svc.PropertiesByIDs(r.Context(), ids)
	if err != nil {
		return nil, err
	}
	out := make([]api.APIKey, len(keys))
	for i, k := range keys {
		out[i] = api.APIKey{ID: k.ID, Name: k.Name, Role: string(k.Role), Properties: []string{},
			CreatedAt: formatTime(k.CreatedAt), RevokedAt: formatOptionalTime(k.RevokedAt)}
		for _, id := range k.PropertyIDs {
			if p, ok := props[id]; ok {
				out[i].Properties = append(out[i].Properties, p.Code)
			}
		}
	}
	return out, nil
}

// listAPIKeys answers a page of API keys (admin): query cursor and limit (1–200, default 50).
func (h *Handler) listAPIKeys(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	q := r.URL.Query()
	after, err := decodeCursor(cursorAPIKeys, q.Get("cursor"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	limit := defaultLimit
	if s := q.Get("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil {
			limit = -1 // not a number: the service answers ValidationFailed (limit)
		}
	}
	keys, more, err := h.svc.ListAPIKeys(r.Context(), p, after, limit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.apiKeysJSON(r, keys)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	list := api.APIKeyList{APIKeys: out}
	if more {
		list.NextCursor = encodeCursor(cursorAPIKeys, keys[len(keys)-1].ID)
	}
	h.writeJSON(w, r, http.StatusOK, list)
}

// createAPIKey creates an API key (admin) and answers it with its secret, shown this once (201).
func (h *Handler) createAPIKey(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req api.APIKeyRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	secret, k, err := h.svc.CreateAPIKey(r.Context(), p, concierge.APIKeyInput{
		Name:          req.Name,
		Role:          concierge.Role(strings.ToLower(strings.TrimSpace(req.Role))),
		PropertyCodes: req.Properties,
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.apiKeysJSON(r, []concierge.APIKey{k})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	idempotency.IssuedSecret(r.Context(), concierge.SecretAPIKey, k.ID, secret)
	h.writeJSON(w, r, http.StatusCreated, api.CreatedAPIKey{APIKey: out[0], Secret: secret})
}

// revokeAPIKey revokes an API key (admin) and answers it. A malformed id names no key
// (APIKeyNotFound).
func (h *Handler) revokeAPIKey(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		id = 0 // names no key; the service still checks the caller's role first
	}
	k, err := h.svc.RevokeAPIKey(r.Context(), p, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.apiKeysJSON(r, []concierge.APIKey{k})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, out[0])
}
