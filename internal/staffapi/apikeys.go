package staffapi

import (
	"net/http"
	"strconv"
	"strings"

	"concierge/internal/concierge"
	"concierge/internal/idempotency"
)

// defaultLimit is the page length of a list when the client gives none.
const defaultLimit = 50

// apiKeyJSON is an API key as the API shows it: never with its secret, except once in the
// answer that created it.
type apiKeyJSON struct {
	ID         int64          `json:"id"`
	Name       string         `json:"name"`
	Role       concierge.Role `json:"role"`
	Properties []string       `json:"properties"` // codes; empty for an admin key
	CreatedAt  string         `json:"createdAt"`
	RevokedAt  *string        `json:"revokedAt"` // null while the key works
}

// createdAPIKeyJSON is the answer to a key's creation: the key and its secret, shown this once.
type createdAPIKeyJSON struct {
	apiKeyJSON
	Secret string `json:"secret"`
}

// apiKeyList is a page of API keys; nextCursor is "" on the last page.
type apiKeyList struct {
	APIKeys    []apiKeyJSON `json:"apiKeys"`
	NextCursor string       `json:"nextCursor"`
}

// apiKeysJSON renders keys with their property codes.
func (h *Handler) apiKeysJSON(r *http.Request, keys []concierge.APIKey) ([]apiKeyJSON, error) {
	var ids []int64
	for _, k := range keys {
		ids = append(ids, k.PropertyIDs...)
	}
	props, err := h.svc.PropertiesByIDs(r.Context(), ids)
	if err != nil {
		return nil, err
	}
	out := make([]apiKeyJSON, len(keys))
	for i, k := range keys {
		out[i] = apiKeyJSON{ID: k.ID, Name: k.Name, Role: k.Role, Properties: []string{},
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
	list := apiKeyList{APIKeys: out}
	if more {
		list.NextCursor = encodeCursor(cursorAPIKeys, keys[len(keys)-1].ID)
	}
	h.writeJSON(w, r, http.StatusOK, list)
}

// createAPIKeyRequest is the body of POST /api/v1/api-keys.
type createAPIKeyRequest struct {
	Name       string
	Role       string
	Properties []string // property codes
}

// createAPIKey creates an API key (admin) and answers it with its secret, shown this once (201).
func (h *Handler) createAPIKey(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req createAPIKeyRequest
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
	h.writeJSON(w, r, http.StatusCreated, createdAPIKeyJSON{apiKeyJSON: out[0], Secret: secret})
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
