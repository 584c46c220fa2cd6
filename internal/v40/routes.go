package v40

import "net/http"

// routes lists every guest API endpoint (SPEC §4).
func (h *Handler) routes() []route {
	return []route{
		{method: http.MethodPost, pattern: "/API/V40/System/Session/Initialise", handle: h.initialise},
		{method: http.MethodPost, pattern: "/API/V40/System/Session/InitialiseByRoom", handle: h.initialiseByRoom},
		{method: http.MethodPost, pattern: "/API/V40/System/Session/InitialiseByGuestIdentifier", handle: h.initialiseByGuestIdentifier},
		{method: http.MethodPost, pattern: "/API/V40/System/Session/LoginByRoom", handle: h.loginByRoom},
		{method: http.MethodPost, pattern: "/API/V40/System/Session/Logout", handle: h.logout},
		{method: http.MethodGet, pattern: "/API/V40/System/Settings/Outlet", handle: h.outletSettings},
		{method: http.MethodPost, pattern: "/API/V40/Interactive/Messages/Conversations", handle: h.createConversation},
		{method: http.MethodPost, pattern: "/API/V40/Interactive/Messages/NonVerifiedGuestConversations", handle: h.createNonVerifiedConversation},
		{method: http.MethodGet, pattern: "/API/V40/Interactive/Messages", handle: h.getMessages},
		{method: http.MethodGet, pattern: "/API/V40/Interactive/Messages/Conversations", handle: h.getConversations},
		{method: http.MethodGet, pattern: "/API/V40/Interactive/Messages/Conversations/{code}", handle: h.getConversation},
		{method: http.MethodPost, pattern: "/API/V40/Interactive/Messages/Conversations/{code}/Messages", handle: h.addMessage},
		{method: http.MethodPost, pattern: "/API/V40/Interactive/Messages/Conversations/{code}/Read", handle: h.markRead},
		{method: http.MethodPost, pattern: "/API/V40/Interactive/Messages/Conversations/{code}/Close", handle: h.closeConversation},
		{method: http.MethodGet, pattern: "/API/V40/Interactive/Messages/Events", handle: h.events},
		{method: http.MethodGet, pattern: "/API/V40/openapi.json", handle: h.document},
	}
}
