package staffapi

// addRoutes lists every route of the staff and admin API.
func (h *Handler) addRoutes(mux routeAdder) {
	// Authentication.
	mux.HandleFunc("POST /api/v1/auth/login", h.login)
	mux.HandleFunc("POST /api/v1/auth/logout", h.authed(h.logout))
	mux.HandleFunc("GET /api/v1/me", h.authed(h.me))

	// API keys (admin).
	mux.HandleFunc("GET /api/v1/api-keys", h.authed(h.listAPIKeys))
	mux.HandleFunc("POST /api/v1/api-keys", h.authed(h.createAPIKey))
	mux.HandleFunc("POST /api/v1/api-keys/{id}/revoke", h.authed(h.revokeAPIKey))

	// Configuration (admin.go, admin_outlets.go, admin_staff.go, admin_tokens.go): properties
	// (admins write, managers read their own), service centers, outlets and agents (managers of
	// the property and admins), managers and admins, interface tokens (admins).
	mux.HandleFunc("GET /api/v1/properties", h.authed(h.listProperties))
	mux.HandleFunc("POST /api/v1/properties", h.authed(h.createProperty))
	mux.HandleFunc("GET /api/v1/properties/{code}", h.authed(h.getProperty))
	mux.HandleFunc("PATCH /api/v1/properties/{code}", h.authed(h.updateProperty))
	mux.HandleFunc("GET /api/v1/properties/{code}/service-centers", h.authed(h.listServiceCenters))
	mux.HandleFunc("POST /api/v1/properties/{code}/service-centers", h.authed(h.createServiceCenter))
	mux.HandleFunc("GET /api/v1/properties/{code}/service-centers/{serviceCenter}", h.authed(h.getServiceCenter))
	mux.HandleFunc("PATCH /api/v1/properties/{code}/service-centers/{serviceCenter}", h.authed(h.updateServiceCenter))
	mux.HandleFunc("GET /api/v1/properties/{code}/outlets", h.authed(h.listOutlets))
	mux.HandleFunc("POST /api/v1/properties/{code}/outlets", h.authed(h.createOutlet))
	mux.HandleFunc("GET /api/v1/properties/{code}/outlets/{outlet}", h.authed(h.getOutlet))
	mux.HandleFunc("PATCH /api/v1/properties/{code}/outlets/{outlet}", h.authed(h.updateOutlet))
	mux.HandleFunc("GET /api/v1/staff-users", h.authed(h.listStaffUsers))
	mux.HandleFunc("POST /api/v1/staff-users", h.authed(h.createStaffUser))
	mux.HandleFunc("GET /api/v1/staff-users/{username}", h.authed(h.getStaffUser))
	mux.HandleFunc("PATCH /api/v1/staff-users/{username}", h.authed(h.updateStaffUser))
	mux.HandleFunc("PUT /api/v1/staff-users/{username}/password", h.authed(h.setStaffPassword))
	mux.HandleFunc("POST /api/v1/staff-users/{username}/disable", h.authed(h.disableStaffUser))
	mux.HandleFunc("POST /api/v1/staff-users/{username}/enable", h.authed(h.enableStaffUser))
	mux.HandleFunc("GET /api/v1/interface-tokens", h.authed(h.listInterfaceTokens))
	mux.HandleFunc("POST /api/v1/interface-tokens", h.authed(h.createInterfaceToken))
	mux.HandleFunc("POST /api/v1/interface-tokens/{id}/revoke", h.authed(h.revokeInterfaceToken))

	// Stays and orders of a property (stays.go, orders.go; managers and admins).
	mux.HandleFunc("GET /api/v1/properties/{code}/stays", h.authed(h.listStays))
	mux.HandleFunc("POST /api/v1/properties/{code}/stays/import", h.authed(h.importStays))
	mux.HandleFunc("GET /api/v1/properties/{code}/stays/{bookingReference}", h.authed(h.getStay))
	mux.HandleFunc("PUT /api/v1/properties/{code}/stays/{bookingReference}", h.authed(h.putStay))
	mux.HandleFunc("GET /api/v1/properties/{code}/orders", h.authed(h.listOrders))
	mux.HandleFunc("POST /api/v1/properties/{code}/orders/import", h.authed(h.importOrders))
	mux.HandleFunc("GET /api/v1/properties/{code}/orders/{orderCode}", h.authed(h.getOrder))
	mux.HandleFunc("PUT /api/v1/properties/{code}/orders/{orderCode}", h.authed(h.putOrder))

	// A property's translation glossary (glossary.go; managers and admins).
	mux.HandleFunc("GET /api/v1/properties/{code}/glossary", h.authed(h.listGlossary))
	mux.HandleFunc("PUT /api/v1/properties/{code}/glossary/{term}", h.authed(h.putGlossaryTerm))
	mux.HandleFunc("DELETE /api/v1/properties/{code}/glossary/{term}", h.authed(h.deleteGlossaryTerm))

	// The staff inbox and conversations (conversations.go).
	mux.HandleFunc("GET /api/v1/conversations", h.authed(h.listConversations))
	mux.HandleFunc("GET /api/v1/inbox/counts", h.authed(h.inboxCounts))
	mux.HandleFunc("GET /api/v1/conversations/{code}", h.authed(h.getConversation))
	mux.HandleFunc("POST /api/v1/conversations/{code}/messages", h.authed(h.addMessage))
	mux.HandleFunc("POST /api/v1/conversations/{code}/close", h.authed(h.closeConversation))
	mux.HandleFunc("POST /api/v1/conversations/{code}/reopen", h.authed(h.reopenConversation))
	mux.HandleFunc("POST /api/v1/conversations/{code}/read", h.authed(h.readConversation))
	mux.HandleFunc("POST /api/v1/conversations/{code}/assign", h.authed(h.assignConversation))
	mux.HandleFunc("POST /api/v1/conversations/{code}/unassign", h.authed(h.unassignConversation))
	mux.HandleFunc("POST /api/v1/conversations/{code}/move", h.authed(h.moveConversation))

	// Live events (events.go).
	mux.HandleFunc("GET /api/v1/events", h.authed(h.events))
	mux.HandleFunc("GET /api/v1/events/ws", h.webSocketAuthed(h.eventsWebSocket))
	mux.HandleFunc("POST /api/v1/events/ticket", h.authed(h.eventTicket)) // event_ticket.go

	// The audit log (audit.go; admins, managers for their properties).
	mux.HandleFunc("GET /api/v1/audit", h.authed(h.listAudit))

	// Webhooks of a property and their deliveries (webhooks.go; managers and admins).
	mux.HandleFunc("GET /api/v1/properties/{code}/webhooks", h.authed(h.listWebhooks))
	mux.HandleFunc("POST /api/v1/properties/{code}/webhooks", h.authed(h.createWebhook))
	mux.HandleFunc("GET /api/v1/properties/{code}/webhooks/{id}", h.authed(h.getWebhook))
	mux.HandleFunc("PATCH /api/v1/properties/{code}/webhooks/{id}", h.authed(h.updateWebhook))
	mux.HandleFunc("DELETE /api/v1/properties/{code}/webhooks/{id}", h.authed(h.deleteWebhook))
	mux.HandleFunc("GET /api/v1/properties/{code}/webhooks/{id}/deliveries", h.authed(h.listDeliveries))
	mux.HandleFunc("GET /api/v1/properties/{code}/webhooks/{id}/deliveries/{delivery}", h.authed(h.getDelivery))
	mux.HandleFunc("POST /api/v1/properties/{code}/webhooks/{id}/deliveries/{delivery}/redeliver", h.authed(h.redeliverOne))
	mux.HandleFunc("POST /api/v1/properties/{code}/webhooks/{id}/redeliver", h.authed(h.redeliverRange))

	// Guest-data rights, retention and legal holds (privacy.go; managers and admins).
	mux.HandleFunc("POST /api/v1/properties/{code}/guest-data/export", h.authed(h.exportGuestData))
	mux.HandleFunc("POST /api/v1/properties/{code}/guest-data/erase", h.authed(h.eraseGuestData))
	mux.HandleFunc("GET /api/v1/properties/{code}/retention", h.authed(h.getRetention))
	mux.HandleFunc("PUT /api/v1/properties/{code}/retention", h.authed(h.putRetention))
	mux.HandleFunc("GET /api/v1/conversations/{code}/legal-hold", h.authed(h.getLegalHold))
	mux.HandleFunc("PUT /api/v1/conversations/{code}/legal-hold", h.authed(h.putLegalHold))
	mux.HandleFunc("DELETE /api/v1/conversations/{code}/legal-hold", h.authed(h.deleteLegalHold))
}
