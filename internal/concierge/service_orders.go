package concierge

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// OrderStatusText returns the built-in text of the System message that tells a guest whose
// language is lang that order code moved to status, and the language of that text: lang's own
// where there is one (en, es, de, fr), English otherwise.
func OrderStatusText(lang string, status OrderStatus, code string) (text, textLang string) {
	if base, ok := NormalizeLanguage(lang); ok {
		if t := orderStatusText(base, status); t != "" {
			return fmt.Sprintf(t, code), base
		}
	}
	return fmt.Sprintf(orderStatusText("en", status), code), "en"
}

// orderStatusText is the format (with %s for the order code) of a status text in lang, or "".
func orderStatusText(lang string, status OrderStatus) string {
	switch lang + "/" + string(status) {
	case "en/Pending":
		return "Your order %s has been received."
	case "en/Acknowledged":
		return "Your order %s has been confirmed."
	case "en/Delivering":
		return "Your order %s is on its way."
	case "en/Completed":
		return "Your order %s has been delivered."
	case "en/Cancelled":
		return "Your order %s has been cancelled."
	case "es/Pending":
		return "Hemos recibido su pedido %s."
	case "es/Acknowledged":
		return "Su pedido %s ha sido confirmado."
	case "es/Delivering":
		return "Su pedido %s está en camino."
	case "es/Completed":
		return "Su pedido %s ha sido entregado."
	case "es/Cancelled":
		return "Su pedido %s ha sido cancelado."
	case "de/Pending":
		return "Ihre Bestellung %s ist eingegangen."
	case "de/Acknowledged":
		return "Ihre Bestellung %s wurde bestätigt."
	case "de/Delivering":
		return "Ihre Bestellung %s ist unterwegs."
	case "de/Completed":
		return "Ihre Bestellung %s wurde geliefert."
	case "de/Cancelled":
		return "Ihre Bestellung %s wurde storniert."
	case "fr/Pending":
		return "Votre commande %s a bien été reçue."
	case "fr/Acknowledged":
		return "Votre commande %s a été confirmée."
	case "fr/Delivering":
		return "Votre commande %s est en route."
	case "fr/Completed":
		return "Votre commande %s a été livrée."
	case "fr/Cancelled":
		return "Votre commande %s a été annulée."
	}
	return ""
}

// OrderInput is an order as the POS sends it: the booking reference of its stay, its
// outlet's code and its status (case-insensitive), all required.
type OrderInput struct {
	BookingReference string
	OutletCode       string
	Status           string
}

// OrderRow is one row of an order import: its line in the file, order code and fields.
type OrderRow struct {
	Line int
	Code string
	OrderInput
}

// OrderView is an order with the booking reference of its stay and its outlet's code ("" when
// the stay or outlet no longer exists).
type OrderView struct {
	Order
	BookingReference string
	OutletCode       string
}

// UpsertedOrder is what UpsertOrder did: the order, the result, and how many System messages
// its status change posted.
type UpsertedOrder struct {
	OrderView
	Result         UpsertResult
	MessagesPosted int
}

// orderRefs resolves the stays and outlets orders name, caching what it looked up.
type orderRefs struct {
	prop    Property
	outlets []Outlet
	stays   map[string]*Stay // by upper-cased booking reference; nil value: none
}

func (s *Service) newOrderRefs(ctx context.Context, prop Property) (*orderRefs, error) {
	outlets, err := s.store.OutletsByProperty(ctx, prop.ID)
	if err != nil {
		return nil, s.internal(ctx, "outlets by property", err)
	}
	return &orderRefs{prop: prop, outlets: outlets, stays: map[string]*Stay{}}, nil
}

func (r *orderRefs) outlet(code string) *Outlet {
	for i := range r.outlets {
		if strings.EqualFold(r.outlets[i].Code, code) {
			return &r.outlets[i]
		}
	}
	return nil
}

func (s *Service) refStay(ctx context.Context, r *orderRefs, ref string) (*Stay, error) {
	key := strings.ToUpper(ref)
	if st, ok := r.stays[key]; ok {
		return st, nil
	}
	st, err := s.store.StayByReference(ctx, r.prop.ID, ref)
	if errors.Is(err, ErrNotFound) {
		r.stays[key] = nil
		return nil, nil
	}
	if err != nil {
		return nil, s.internal(ctx, "stay by reference", err)
	}
	r.stays[key] = &st
	return &st, nil
}

// orderOf validates an order row and resolves its stay and outlet. Errors: ValidationFailed
// (fields code, bookingReference, outletCode, status; a reference to no stay or outlet is a
// broken rule of its field); InternalError.
func (s *Service) orderOf(ctx context.Context, r *orderRefs, code string, in OrderInput) (OrderView, error) {
	var v Validation
	checkText(&v, "code", code, true)
	checkText(&v, "bookingReference", in.BookingReference, true)
	checkText(&v, "outletCode", in.OutletCode, true)
	status, ok := ParseOrderStatus(strings.TrimSpace(in.Status))
	if !ok {
		v.Add("status", "must be one of Pending, Acknowledged, Delivering, Completed, Cancelled")
	}
	if err := v.Err(); err != nil {
		return OrderView{}, err
	}
	ref, outletCode := strings.TrimSpace(in.BookingReference), strings.TrimSpace(in.OutletCode)
	st, err := s.refStay(ctx, r, ref)
	if err != nil {
		return OrderView{}, err
	}
	if st == nil {
		v.Add("bookingReference", fmt.Sprintf("there is no stay '%s' at this property", ref))
	}
	o := r.outlet(outletCode)
	if o == nil {
		v.Add("outletCode", fmt.Sprintf("there is no outlet '%s' at this property", outletCode))
	}
	if err := v.Err(); err != nil {
		return OrderView{}, err
	}
	stayID, outletID := st.ID, o.ID // copies: the order must not share the cache's memory
	return OrderView{
		Order:            Order{PropertyID: r.prop.ID, Code: strings.TrimSpace(code), StayID: &stayID, OutletID: &outletID, Status: status},
		BookingReference: st.BookingReference,
		OutletCode:       o.Code,
	}, nil
}

// pendingOrder is a validated order row waiting in a batch, and what happened to it.
type pendingOrder struct {
	want   Order     // the order as the row asks for it
	view   OrderView // the order as written (or found unchanged)
	result UpsertResult
	posted int
}

// saveOrders writes a batch of validated orders, whose codes are distinct, in one store
// transaction (Orders.Save) and records in each what happened to it.
func (s *Service) saveOrders(ctx context.Context, batch []*pendingOrder) error {
	wants := make([]Order, len(batch))
	for i, po := range batch {
		wants[i] = po.want
	}
	saved, err := s.orders.Save(ctx, wants, s.now())
	if err != nil {
		return s.internal(ctx, "write orders", err)
	}
	for i, po := range batch {
		po.view.Order, po.result, po.posted = saved[i].Order, saved[i].Result, len(saved[i].Messages)
	}
	return nil
}

// UpsertOrder creates or updates the order with code at the property with propertyCode and
// says which (UpsertUnchanged when stay, outlet and status are already so). A status change
// posts a System message into every conversation linked to the order, in the conversation
// guest's language where there is a built-in text for it (en, es, de, fr; English otherwise),
// in the same transaction as the order. Errors, in this order: Forbidden unless p is an admin
// or a manager; PropertyNotFound (unknown, or not p's); ValidationFailed (fields code,
// bookingReference, outletCode, status; also for a stay or outlet the property does not have).
func (s *Service) UpsertOrder(ctx context.Context, p *Principal, propertyCode, code string, in OrderInput) (UpsertedOrder, error) {
	prop, err := s.adminProperty(ctx, p, propertyCode)
	if err != nil {
		return UpsertedOrder{}, err
	}
	refs, err := s.newOrderRefs(ctx, prop)
	if err != nil {
		return UpsertedOrder{}, err
	}
	view, err := s.orderOf(ctx, refs, code, in)
	if err != nil {
		return UpsertedOrder{}, err
	}
	po := &pendingOrder{want: view.Order, view: view}
	if err := s.saveOrders(ctx, []*pendingOrder{po}); err != nil {
		return UpsertedOrder{}, err
	}
	noteOwner(ctx, Owner{PropertyID: prop.ID, StayID: po.view.StayID})
	if po.result != UpsertUnchanged {
		s.logger.InfoContext(ctx, "order upserted", "order_id", po.view.ID, "result", string(po.result),
			"status", string(po.view.Status), "messages_posted", po.posted, "by", p.String())
	}
	return UpsertedOrder{OrderView: po.view, Result: po.result, MessagesPosted: po.posted}, nil
}

// ImportOrders upserts rows as UpsertOrder does, at the property with propertyCode: each
// valid row is written (in transactions of a few hundred rows, each with the System messages
// its status change posts), each invalid one is skipped and listed in the summary with its line
// and reason, never half-written. An order code repeated in rows is upserted once per row, in
// order. Errors (nothing is written): Forbidden; PropertyNotFound; InternalError when the store
// fails (rows of earlier transactions stay written).
func (s *Service) ImportOrders(ctx context.Context, p *Principal, propertyCode string, rows []OrderRow) (ImportSummary, error) {
	prop, err := s.adminProperty(ctx, p, propertyCode)
	if err != nil {
		return ImportSummary{}, err
	}
	refs, err := s.newOrderRefs(ctx, prop)
	if err != nil {
		return ImportSummary{}, err
	}
	var sum ImportSummary
	posted := 0
	var batch []*pendingOrder
	seen := map[string]bool{}
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := s.saveOrders(ctx, batch); err != nil {
			return err
		}
		for _, po := range batch {
			sum.count(po.result)
			posted += po.posted
		}
		batch, seen = batch[:0], map[string]bool{}
		return nil
	}
	for _, row := range rows {
		view, err := s.orderOf(ctx, refs, row.Code, row.OrderInput)
		if err != nil {
			if ErrorCode(err) == CodeInternal {
				return sum, err
			}
			sum.Rejected = append(sum.Rejected, Rejection{Line: row.Line, Reason: rejectionReason(err)})
			continue
		}
		key := strings.ToUpper(view.Code)
		if seen[key] || len(batch) == importBatchSize {
			if err := flush(); err != nil {
				return sum, err
			}
		}
		seen[key] = true
		batch = append(batch, &pendingOrder{want: view.Order, view: view})
	}
	if err := flush(); err != nil {
		return sum, err
	}
	s.logger.InfoContext(ctx, "orders imported", "property", prop.Code, "created", sum.Created,
		"updated", sum.Updated, "unchanged", sum.Unchanged, "rejected", len(sum.Rejected),
		"messages_posted", posted, "by", p.String())
	return sum, nil
}

// Order returns the order with code at the property with propertyCode. Errors: Forbidden;
// PropertyNotFound; OrderNotFound.
func (s *Service) Order(ctx context.Context, p *Principal, propertyCode, code string) (OrderView, error) {
	prop, err := s.adminProperty(ctx, p, propertyCode)
	if err != nil {
		return OrderView{}, err
	}
	code = strings.TrimSpace(code)
	o, err := s.store.OrderByCode(ctx, prop.ID, code)
	if errors.Is(err, ErrNotFound) || code == "" {
		return OrderView{}, Errorf(CodeOrderNotFound, "There is no order '%s' at this property.", code)
	}
	if err != nil {
		return OrderView{}, s.internal(ctx, "order by code", err)
	}
	views, err := s.orderViews(ctx, prop, []Order{o})
	if err != nil {
		return OrderView{}, err
	}
	return views[0], nil
}

// orderViews adds booking references and outlet codes to orders of prop.
func (s *Service) orderViews(ctx context.Context, prop Property, orders []Order) ([]OrderView, error) {
	refs, err := s.newOrderRefs(ctx, prop)
	if err != nil {
		return nil, err
	}
	stays := map[int64]string{}
	out := make([]OrderView, len(orders))
	for i, o := range orders {
		out[i].Order = o
		if o.OutletID != nil {
			for _, ol := range refs.outlets {
				if ol.ID == *o.OutletID {
					out[i].OutletCode = ol.Code
				}
			}
		}
		if o.StayID != nil {
			ref, ok := stays[*o.StayID]
			if !ok {
				st, err := s.store.StayByID(ctx, *o.StayID)
				if err != nil && !errors.Is(err, ErrNotFound) {
					return nil, s.internal(ctx, "stay by id", err)
				}
				ref, stays[*o.StayID] = st.BookingReference, st.BookingReference
			}
			out[i].BookingReference = ref
		}
	}
	return out, nil
}

// ListOrders lists the orders of the property with propertyCode, only those with status
// (case-insensitive) unless it is empty, whose id is greater than afterID, ascending by id, at
// most limit (1 to MaxPageLength), and reports whether more follow. Errors: Forbidden;
// PropertyNotFound; ValidationFailed (fields status, limit).
func (s *Service) ListOrders(ctx context.Context, p *Principal, propertyCode, status string, afterID int64, limit int) ([]OrderView, bool, error) {
	prop, err := s.adminProperty(ctx, p, propertyCode)
	if err != nil {
		return nil, false, err
	}
	var v Validation
	var f OrderFilter
	if strings.TrimSpace(status) != "" {
		st, ok := ParseOrderStatus(strings.TrimSpace(status))
		if !ok {
			v.Add("status", "must be one of Pending, Acknowledged, Delivering, Completed, Cancelled")
		}
		f.Status = st
	}
	if limit < 1 || limit > MaxPageLength {
		v.Add("limit", fmt.Sprintf("must be between 1 and %d", MaxPageLength))
	}
	if err := v.Err(); err != nil {
		return nil, false, err
	}
	orders, err := s.store.ListOrders(ctx, prop.ID, f, afterID, limit+1)
	if err != nil {
		return nil, false, s.internal(ctx, "list orders", err)
	}
	more := len(orders) > limit
	if more {
		orders = orders[:limit]
	}
	views, err := s.orderViews(ctx, prop, orders)
	return views, more, err
}
