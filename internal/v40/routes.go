package v40

import "net/http"

// routes lists every guest API endpoint (SPEC §4).
func (h *Handler) routes() []route {
	return []route{
		{method: http.MethodPost, pattern: "/API/V40/System/Session/Initialise", item: itemInitialise, handle: h.initialise},
		{method: http.MethodPost, pattern: "/API/V40/System/Session/InitialiseByRoom", item: itemInitialise, handle: h.initialiseByRoom},
		{method: http.MethodPost, pattern: "/API/V40/System/Session/InitialiseByGuestIdentifier", item: itemInitialise, handle: h.initialiseByGuestIdentifier},
		{method: http.MethodPost, pattern: "/API/V40/System/Session/LoginByRoom", item: itemStatus, handle: h.loginByRoom},
		{method: http.MethodPost, pattern: "/API/V40/System/Session/Logout", item: itemStatus, handle: h.logout},
		{method: http.MethodGet, pattern: "/API/V40/System/Settings/Outlet", item: itemOutletSettings, handle: h.outletSettings},
		{method: http.MethodPost, pattern: "/API/V40/Interactive/Messages/Conversations", item: itemCreateConversation, handle: h.createConversation},
		{method: http.MethodPost, pattern: "/API/V40/Interactive/Messages/NonVerifiedGuestConversations", item: itemCreateConversation, handle: h.createNonVerifiedConversation},
		{method: http.MethodGet, pattern: "/API/V40/Interactive/Messages", item: itemGetMessages, handle: h.getMessages},
		{method: http.MethodGet, pattern: "/API/V40/Interactive/Messages/Conversations", item: itemGetConversations, handle: h.getConversations},
		{method: http.MethodGet, pattern: "/API/V40/Interactive/Messages/Conversations/{code}", item: itemGetConversation, handle: h.getConversation},
		{method: http.MethodPost, pattern: "/API/V40/Interactive/Messages/Conversations/{code}/Messages", item: itemAddMessage, handle: h.addMessage},
		{method: http.MethodPost, pattern: "/API/V40/Interactive/Messages/Conversations/{code}/Read", item: itemStatus, handle: h.markRead},
		{method: http.MethodPost, pattern: "/API/V40/Interactive/Messages/Conversations/{code}/Close", item: itemStatus, handle: h.closeConversation},
		{method: http.MethodGet, pattern: "/API/V40/Interactive/Messages/Events", item: itemEvents, handle: h.events},
		{method: http.MethodGet, pattern: "/API/V40/openapi.json", item: itemStatus, handle: h.document},
	}
}
