package v40

import (
	"net/http"

	"concierge/api"
	"concierge/internal/concierge"
	"concierge/internal/idempotency"
)

const itemInitialise = api.ItemInitialiseSession

func (h *Handler) initialise(w http.ResponseWriter, r *http.Request) {
	h.initialiseAs(w, r, concierge.InitialiseAnonymous)
}

func (h *Handler) initialiseByRoom(w http.ResponseWriter, r *http.Request) {
	h.initialiseAs(w, r, concierge.InitialiseByRoom)
}

func (h *Handler) initialiseByGuestIdentifier(w http.ResponseWriter, r *http.Request) {
	h.initialiseAs(w, r, concierge.InitialiseByIdentifier)
}

func (h *Handler) initialiseAs(w http.ResponseWriter, r *http.Request, mode concierge.InitialiseMode) {
	var req api.GuestInitialiseRequest
	if err := decodeBody(w, r, &req); err != nil {
		writeFailure(w, r, "", itemInitialise, err)
		return
	}
	if req.InterfaceToken != "" {
		if err := allow(r.Context(), h.opts.PerInterfaceToken, interfaceTokenKey(req.InterfaceToken)); err != nil {
			writeFailure(w, r, "", itemInitialise, err)
			return
		}
	}
	gs, err := h.svc.InitialiseSession(r.Context(), concierge.InitialiseInput{
		Mode:            mode,
		PropertyCode:    req.PropertyCode,
		InterfaceToken:  req.InterfaceToken,
		Version:         req.Version,
		LanguageCode:    req.LanguageCode,
		LastName:        req.LastName,
		RoomNumber:      req.RoomNumber,
		GuestIdentifier: req.GuestUniqueIdentifier,
	})
	if err != nil {
		writeFailure(w, r, "", itemInitialise, err)
		return
	}
	content := api.GuestSession{ // Version is echoed when the client sent one
		BrandCode:    gs.Property.BrandCode,
		GroupCode:    gs.Property.GroupCode,
		PropertyCode: gs.Property.Code,
		LanguageCode: gs.Session.Language,
		Version:      gs.Session.Version,
	}
	if gs.Stay != nil {
		content.GuestFirstName = &gs.Stay.FirstName
		content.GuestLastName = &gs.Stay.LastName
		content.RoomNumber = &gs.Stay.RoomNumber
	}
	idempotency.IssuedSecret(r.Context(), concierge.SecretGuestSession, gs.Session.ID, gs.Token)
	writeSuccess(w, r, gs.Token,
		namedItem{name: itemInitialise, item: item{Content: content}},
		namedItem{name: itemStatus})
}

func (h *Handler) loginByRoom(w http.ResponseWriter, r *http.Request) {
	var req api.GuestLoginByRoomRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.failEarly(w, r, itemStatus, sentToken(r), err)
		return
	}
	gs, err := h.authenticate(r, sessionToken(r, req.SessionToken))
	if err != nil {
		writeFailure(w, r, tokenOf(gs), itemStatus, err)
		return
	}
	next, err := h.svc.LoginByRoom(r.Context(), gs, req.LastName, req.RoomNumber)
	if err != nil {
		writeFailure(w, r, gs.Token, itemStatus, err)
		return
	}
	idempotency.IssuedSecret(r.Context(), concierge.SecretGuestSession, next.Session.ID, next.Token)
	writeSuccess(w, r, next.Token, namedItem{name: itemStatus})
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	var req api.GuestTokenRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.failEarly(w, r, itemStatus, sentToken(r), err)
		return
	}
	gs, err := h.authenticate(r, sessionToken(r, req.SessionToken))
	if err != nil {
		writeFailure(w, r, tokenOf(gs), itemStatus, err)
		return
	}
	if err := h.svc.Logout(r.Context(), gs); err != nil { // the session may live on: keep it
		writeFailure(w, r, gs.Token, itemStatus, err)
		return
	}
	writeSuccess(w, r, "", namedItem{name: itemStatus})
}

// tokenOf returns the token of an authenticated session (nil: "").
func tokenOf(gs *concierge.GuestSession) string {
	if gs == nil {
		return ""
	}
	return gs.Token
}
