package staffapi

import (
	"net/http"
	"strconv"

	"concierge/internal/concierge"
	"concierge/internal/idempotency"
)

// interfaceTokenJSON is an interface token as the admin API shows it: never with its secret,
// except once in the answer that created it.
type interfaceTokenJSON struct {
	ID         int64    `json:"id"`
	Name       string   `json:"name"`
	Properties []string `json:"properties"` // codes
	CreatedAt  string   `json:"createdAt"`
	RevokedAt  *string  `json:"revokedAt"` // null while the token works
}

// createdInterfaceTokenJSON is the answer to a token's creation: the token and its secret,
// shown this once.
type createdInterfaceTokenJSON struct {
	interfaceTokenJSON
	Secret string `json:"secret"`
}

// interfaceTokenList is a page of interface tokens; nextCursor is "" on the last page.
type interfaceTokenList struct {
	InterfaceTokens []interfaceTokenJSON `json:"interfaceTokens"`
	NextCursor      string               `json:"nextCursor"`
}

// interfaceTokensJSON renders tokens with their property codes.
func (h *Handler) interfaceTokensJSON(r *http.Request, tokens []concierge.InterfaceToken) ([]interfaceTokenJSON, error) {
	var ids []int64
	for _, t := range tokens {
		ids = append(ids, t.PropertyIDs...)
	}
	props, err := h.svc.PropertiesByIDs(r.Context(), ids)
	if err != nil {
		return nil, err
	}
	out := make([]interfaceTokenJSON, len(tokens))
	for i, t := range tokens {
		out[i] = interfaceTokenJSON{ID: t.ID, Name: t.Name, Properties: []string{},
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
	list := interfaceTokenList{InterfaceTokens: out}
	if len(tokens) > 0 {
		list.NextCursor = nextCursor(cursorInterfaceTokens, more, tokens[len(tokens)-1].ID)
	}
	h.writeJSON(w, r, http.StatusOK, list)
}

// interfaceTokenRequest is the body of POST /api/v1/interface-tokens.
type interfaceTokenRequest struct {
	Name       string
	Properties []string // property codes
}

// createInterfaceToken creates an interface token (admin) and answers it with its secret,
// shown this once (201).
func (h *Handler) createInterfaceToken(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req interfaceTokenRequest
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
	h.writeJSON(w, r, http.StatusCreated, createdInterfaceTokenJSON{interfaceTokenJSON: out[0], Secret: secret})
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
