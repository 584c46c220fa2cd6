package staffapi

import (
	"net/http"
	"strconv"
	"time"

	"concierge/api"
	"concierge/internal/concierge"
)

// cursorDeliveries is the kind prefix of delivery list cursors (the event seq of the last
// delivery of the previous page).
const cursorDeliveries = "wd:"

// webhookOf renders a webhook of the property code as the API shows it: never with its
// secret, except once in the answer that created it (api.CreatedWebhook).
func webhookOf(code string, w concierge.Webhook) api.Webhook {
	out := api.Webhook{ID: w.ID, Property: code, URL: w.URL, Kinds: make([]string, len(w.Kinds)), Enabled: w.Enabled,
		CreatedAt: formatTime(w.CreatedAt), UpdatedAt: formatTime(w.UpdatedAt)}
	for i, k := range w.Kinds {
		out.Kinds[i] = string(k)
	}
	return out
}

// deliveryOf renders a webhook delivery as admins see it: nextAttemptAt null unless pending.
func deliveryOf(d concierge.WebhookDelivery) api.Delivery {
	out := api.Delivery{ID: d.ID, EventSeq: d.EventSeq, Kind: string(d.Kind), Status: string(d.Status),
		Attempts: d.Attempts, LastError: d.LastError, LastStatus: d.LastStatus, CreatedAt: formatTime(d.CreatedAt),
		DeliveredAt: formatOptionalTime(d.DeliveredAt)}
	if d.Status == concierge.DeliveryPending {
		out.NextAttemptAt = formatOptionalTime(&d.NextAttemptAt)
	}
	return out
}

// webhookID reads the {id} path value; a malformed one names no webhook (0).
func webhookID(r *http.Request) int64 {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

// propertyCodeOf is the canonical code of the property in the path, for answers: the
// service has already checked that the caller may see it.
func (h *Handler) propertyCodeOf(r *http.Request, p *concierge.Principal) string {
	prop, err := h.svc.AdminProperty(r.Context(), p, r.PathValue("code"))
	if err != nil {
		return r.PathValue("code")
	}
	return prop.Code
}

// listWebhooks answers a property's webhooks (managers and admins).
func (h *Handler) listWebhooks(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	ws, err := h.svc.ListWebhooks(r.Context(), p, r.PathValue("code"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	code := h.propertyCodeOf(r, p)
	out := api.WebhookList{Webhooks: make([]api.Webhook, len(ws))}
	for i, wh := range ws {
		out.Webhooks[i] = webhookOf(code, wh)
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// createWebhook subscribes a URL (managers and admins) and answers the webhook with its
// secret, shown this once (201).
func (h *Handler) createWebhook(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req api.WebhookRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	in := concierge.WebhookInput{URL: deref(req.URL), Secret: req.Secret, Enabled: req.Enabled}
	if req.Kinds != nil {
		in.Kinds = *req.Kinds
	}
	wh, err := h.svc.CreateWebhook(r.Context(), p, r.PathValue("code"), in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	shown := webhookOf(h.propertyCodeOf(r, p), wh)
	h.writeObject(w, r, http.StatusCreated, api.CreatedWebhook{Webhook: shown, Secret: wh.Secret}, shown,
		pathOf("properties", shown.Property, "webhooks", strconv.FormatInt(wh.ID, 10)))
}

// getWebhook answers one webhook.
func (h *Handler) getWebhook(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	wh, err := h.svc.Webhook(r.Context(), p, r.PathValue("code"), webhookID(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	shown := webhookOf(h.propertyCodeOf(r, p), wh)
	h.writeObject(w, r, http.StatusOK, shown, shown, "")
}

// updateWebhook changes a webhook and answers it (without its secret).
func (h *Handler) updateWebhook(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req api.WebhookRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := ifMatch(r, h.currentWebhook(r, p)); err != nil {
		h.fail(w, r, err)
		return
	}
	wh, err := h.svc.UpdateWebhook(r.Context(), p, r.PathValue("code"), webhookID(r),
		concierge.WebhookPatch{URL: req.URL, Kinds: req.Kinds, Secret: req.Secret, Enabled: req.Enabled})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	shown := webhookOf(h.propertyCodeOf(r, p), wh)
	h.writeObject(w, r, http.StatusOK, shown, shown, "")
}

// deleteWebhook deletes a webhook and its deliveries (204).
func (h *Handler) deleteWebhook(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	if err := ifMatch(r, h.currentWebhook(r, p)); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.svc.DeleteWebhook(r.Context(), p, r.PathValue("code"), webhookID(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// listDeliveries answers a page of a webhook's deliveries, newest event first: query status
// (pending, delivered, dead), cursor and limit.
func (h *Handler) listDeliveries(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	before, err := decodeCursor(cursorDeliveries, r.URL.Query().Get("cursor"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ds, more, err := h.svc.ListWebhookDeliveries(r.Context(), p, r.PathValue("code"), webhookID(r),
		r.URL.Query().Get("status"), before, queryLimit(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := api.DeliveryList{Deliveries: make([]api.Delivery, len(ds))}
	for i, d := range ds {
		out.Deliveries[i] = deliveryOf(d)
	}
	if more {
		out.NextCursor = encodeCursor(cursorDeliveries, ds[len(ds)-1].EventSeq)
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// getDelivery answers one delivery.
func (h *Handler) getDelivery(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	d, err := h.svc.WebhookDelivery(r.Context(), p, r.PathValue("code"), webhookID(r), r.PathValue("delivery"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, deliveryOf(d))
}

// redeliverOne sends one delivery again and answers it (now pending).
func (h *Handler) redeliverOne(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	id := r.PathValue("delivery")
	if _, err := h.svc.Redeliver(r.Context(), p, r.PathValue("code"), webhookID(r), concierge.Redelivery{ID: id}); err != nil {
		h.fail(w, r, err)
		return
	}
	d, err := h.svc.WebhookDelivery(r.Context(), p, r.PathValue("code"), webhookID(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, deliveryOf(d))
}

// redeliverRange sends again every delivery of a webhook made in [from, to) (RFC 3339) and
// answers how many: {"redelivered": n}.
func (h *Handler) redeliverRange(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req api.RedeliverRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	var v concierge.Validation
	from, errFrom := time.Parse(time.RFC3339Nano, req.From)
	if errFrom != nil {
		v.Add("from", "must be an RFC 3339 time")
	}
	to, errTo := time.Parse(time.RFC3339Nano, req.To)
	if errTo != nil {
		v.Add("to", "must be an RFC 3339 time")
	}
	if err := v.Err(); err != nil {
		h.fail(w, r, err)
		return
	}
	n, err := h.svc.Redeliver(r.Context(), p, r.PathValue("code"), webhookID(r), concierge.Redelivery{From: from, To: to})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, api.Redelivered{Redelivered: n})
}

// currentWebhook reads the webhook of the path as GET shows it, for If-Match.
func (h *Handler) currentWebhook(r *http.Request, p *concierge.Principal) func() (any, error) {
	return func() (any, error) {
		cur, err := h.svc.Webhook(r.Context(), p, r.PathValue("code"), webhookID(r))
		return webhookOf(h.propertyCodeOf(r, p), cur), err
	}
}
