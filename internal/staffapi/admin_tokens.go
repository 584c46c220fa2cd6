package staffapi

import (
	"net/http"
	"strconv"

	"concierge/api"
	"concierge/internal/concierge"
	"concierge/internal/idempotency"
)

// interfaceTokensJSON renders tokens with their property codes: never with their secrets,
// which only the answer of a creation shows (api.CreatedInterfaceToken).
func (h *Handler) interfaceTokensJSON(r *http.Request, tokens []concierge.InterfaceToken) ([]api.InterfaceToken, error) {
	var ids []int64
	for _, t := range tokens {
		ids = append(ids, t.PropertyIDs...)
	}
	props, err := h.svc.PropertiesByIDs(r.Context(), ids)
	if err != nil {
		return nil, err
	}
	out := make([]api.InterfaceToken, len(tokens))
	for i, t := range tokens {
		out[i] = api.InterfaceToken{ID: t.ID, Name: t.Name, Properties: []string{},
			CreatedAt: formatTime(t.CreatedAt), RevokedAt: formatOptionalTime(t.RevokedAt)}
		for _, id := range t.PropertyIDs {
			if p, ok := props[id]; ok {
				out[i].Properties = append(out[i].Properties, p.Code)
			}
		}
	}
	return out, nil
}

// listInterfaceTokens answers a page of interface tokens (admin).
func (h *Handler) listInterfaceTokens(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	after, limit, err := pageQuery(r, cursorInterfaceTokens)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	tokens, more, err := h.svc.ListInterfaceTokens(r.Context(), p, after, limit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.interfaceTokensJSON(r, tokens)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	list := api.InterfaceTokenList{InterfaceTokens: out}
	if len(tokens) > 0 {
		list.NextCursor = nextCursor(cursorInterfaceTokens, more, tokens[len(tokens)-1].ID)
	}
	h.writeJSON(w, r, http.StatusOK, list)
}

// createInterfaceToken creates an interface token (admin) and answers it with its secret,
// shown this once (201).
func (h *Handler) createInterfaceToken(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req api.InterfaceTokenRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	secret, t, err := h.svc.CreateInterfaceToken(r.Context(), p, concierge.InterfaceTokenInput{
		Name: req.Name, PropertyCodes: req.Properties})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.interfaceTokensJSON(r, []concierge.InterfaceToken{t})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	idempotency.IssuedSecret(r.Context(), concierge.SecretInterfaceToken, t.ID, secret)
	h.writeJSON(w, r, http.StatusCreated, api.CreatedInterfaceToken{InterfaceToken: out[0], Secret: secret})
}

// revokeInterfaceToken revokes an interface token (admin) and answers it. A malformed id names
// no token (InterfaceTokenNotFound).
func (h *Handler) revokeInterfaceToken(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		id = 0 // names no token; the service still checks the caller's role first
	}
	t, err := h.svc.RevokeInterfaceToken(r.Context(), p, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.interfaceTokensJSON(r, []concierge.InterfaceToken{t})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, out[0])
}
