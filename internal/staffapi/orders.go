package staffapi

import (
	"net/http"

	"concierge/api"
	"concierge/internal/concierge"
	"concierge/internal/importer"
)

// orderRecordOut renders an order as the admin API shows it.
func orderRecordOut(o concierge.OrderView) api.Order {
	return api.Order{Code: o.Code, BookingReference: o.BookingReference, OutletCode: o.OutletCode,
		Status: string(o.Status), UpdatedAt: formatTime(o.UpdatedAt)}
}

// putOrder creates or updates an order (manager, admin): 201 when created, 200 otherwise.
func (h *Handler) putOrder(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	if err := h.svc.CheckStayOrderAccess(r.Context(), p, r.PathValue("code")); err != nil {
		h.fail(w, r, err)
		return
	}
	var req api.OrderRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	o, err := h.svc.UpsertOrder(r.Context(), p, r.PathValue("code"), r.PathValue("orderCode"), concierge.OrderInput{
		BookingReference: req.BookingReference, OutletCode: req.OutletCode, Status: req.Status,
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, upsertHTTPStatus(o.Result), api.OrderPut{Result: string(o.Result), MessagesPosted: o.MessagesPosted, Order: orderRecordOut(o.OrderView)})
}

// getOrder answers one order (manager, admin).
func (h *Handler) getOrder(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	o, err := h.svc.Order(r.Context(), p, r.PathValue("code"), r.PathValue("orderCode"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, orderRecordOut(o))
}

// listOrders answers a page of a property's orders (manager, admin): query status, cursor,
// limit (1–200, default 50).
func (h *Handler) listOrders(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	if err := h.svc.CheckStayOrderAccess(r.Context(), p, r.PathValue("code")); err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	after, err := decodeCursor(cursorOrders, q.Get("cursor"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	orders, more, err := h.svc.ListOrders(r.Context(), p, r.PathValue("code"), q.Get("status"), after, stayOrderLimit(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	list := api.OrderList{Orders: make([]api.Order, len(orders))}
	for i, o := range orders {
		list.Orders[i] = orderRecordOut(o)
	}
	if more {
		list.NextCursor = encodeCursor(cursorOrders, orders[len(orders)-1].ID)
	}
	h.writeJSON(w, r, http.StatusOK, list)
}

// importOrders upserts an order file (manager, admin) and answers the summary.
func (h *Handler) importOrders(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	h.bulkImport(w, r, p, importer.Orders)
}
