package staffapi

import (
	"net/http"

	"concierge/internal/concierge"
	"concierge/internal/importer"
)

// orderRecordJSON is an order as the admin API shows it.
type orderRecordJSON struct {
	Code             string                `json:"code"`
	BookingReference string                `json:"bookingReference"`
	OutletCode       string                `json:"outletCode"`
	Status           concierge.OrderStatus `json:"status"`
	UpdatedAt        string                `json:"updatedAt"`
}

func orderRecordOut(o concierge.OrderView) orderRecordJSON {
	return orderRecordJSON{Code: o.Code, BookingReference: o.BookingReference, OutletCode: o.OutletCode,
		Status: o.Status, UpdatedAt: formatTime(o.UpdatedAt)}
}

// orderPutAnswer answers PUT …/orders/{orderCode}: messagesPosted counts the System messages
// the status change posted into the order's conversations.
type orderPutAnswer struct {
	Result         concierge.UpsertResult `json:"result"`
	MessagesPosted int                    `json:"messagesPosted"`
	Order          orderRecordJSON        `json:"order"`
}

// orderRecordList is a page of orders; nextCursor is "" on the last page.
type orderRecordList struct {
	Orders     []orderRecordJSON `json:"orders"`
	NextCursor string            `json:"nextCursor"`
}

// orderPutRequest is the body of PUT …/orders/{orderCode}.
type orderPutRequest struct {
	BookingReference string `json:"bookingReference"`
	OutletCode       string `json:"outletCode"`
	Status           string `json:"status"`
}

// putOrder creates or updates an order (manager, admin): 201 when created, 200 otherwise.
func (h *Handler) putOrder(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	if err := h.svc.CheckStayOrderAccess(r.Context(), p, r.PathValue("code")); err != nil {
		h.fail(w, r, err)
		return
	}
	var req orderPutRequest
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
	h.writeJSON(w, r, upsertHTTPStatus(o.Result), orderPutAnswer{Result: o.Result, MessagesPosted: o.MessagesPosted, Order: orderRecordOut(o.OrderView)})
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
	list := orderRecordList{Orders: make([]orderRecordJSON, len(orders))}
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
