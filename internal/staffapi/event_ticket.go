package staffapi

import (
	"net/http"
	"strings"

	"concierge/api"
	"concierge/internal/concierge"
)

// EventsSubprotocol is the WebSocket subprotocol of /api/v1/events/ws. A client that
// authenticates with the bearer subprotocol offers it too, and the server selects it.
const EventsSubprotocol = "concierge.events.v1"

// bearerSubprotocolPrefix starts the subprotocol that carries a bearer token: browsers cannot
// set Authorization on a WebSocket, but they can offer subprotocols.
const bearerSubprotocolPrefix = "concierge.bearer."

// eventTicket issues a single-use ticket for the WebSocket (POST /api/v1/events/ticket): the
// browser opens /api/v1/events/ws?ticket=… within 30 seconds, on the same node. Errors:
// AuthenticationFailed; RateLimited when too many tickets wait.
func (h *Handler) eventTicket(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	token, err := bearerToken(r.Header.Get("Authorization"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ticket, expires, err := h.svc.IssueEventTicket(r.Context(), token)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusCreated, api.EventTicket{Ticket: ticket, ExpiresAt: formatTime(expires)})
}

// webSocketAuthed authenticates the WebSocket's caller before fn: without an Authorization
// header, by the ticket query parameter (POST /api/v1/events/ticket) or by a bearer token
// offered as the subprotocol "concierge.bearer.<token>" (next to EventsSubprotocol);
// otherwise as authed does. Errors: AuthenticationFailed.
func (h *Handler) webSocketAuthed(fn authedFunc) http.HandlerFunc {
	authed := h.authed(fn)
	return func(w http.ResponseWriter, r *http.Request) {
		if len(r.Header.Values("Authorization")) > 0 {
			authed(w, r)
			return
		}
		var p *concierge.Principal
		var err error
		if ticket := r.URL.Query().Get("ticket"); ticket != "" {
			p, err = h.svc.RedeemEventTicket(r.Context(), ticket)
		} else if token, ok := bearerSubprotocol(r); ok {
			p, err = h.svc.AuthenticateStaff(r.Context(), token)
		} else {
			authed(w, r) // answers what is missing
			return
		}
		if err != nil {
			h.fail(w, r, err)
			return
		}
		fn(w, r.WithContext(concierge.WithClient(r.Context(), clientAddress(r))), p)
	}
}

// bearerSubprotocol returns the token of a "concierge.bearer.<token>" subprotocol the
// request offers.
func bearerSubprotocol(r *http.Request) (string, bool) {
	for _, v := range r.Header.Values("Sec-WebSocket-Protocol") {
		for p := range strings.SplitSeq(v, ",") {
			if token, ok := strings.CutPrefix(strings.TrimSpace(p), bearerSubprotocolPrefix); ok && token != "" {
				return token, true
			}
		}
	}
	return "", false
}
