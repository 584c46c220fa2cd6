package staffapi

import (
	"net/http"

	"concierge/api"
	"concierge/internal/concierge"
)

// adminOutletOf renders an outlet as the admin API shows it, its opening hours as English day
// names and "HH:MM" times in property time.
func adminOutletOf(d concierge.OutletDetail) api.Outlet {
	o := d.Outlet
	out := api.Outlet{Code: o.Code, Name: o.Name, Description: o.Description, ServiceCenter: d.ServiceCenterCode,
		AllowGuestMessages: o.AllowGuestMessages, AllowNonVerifiedGuests: o.AllowNonVerifiedGuests,
		SortOrder: o.SortOrder, OpeningHours: make([]api.OpeningHours, 0, len(o.Hours))}
	for _, hrs := range o.Hours {
		out.OpeningHours = append(out.OpeningHours, api.OpeningHours{Day: hrs.Day.String(),
			Open: concierge.FormatClock(hrs.Open), Close: concierge.FormatClock(hrs.Close)})
	}
	return out
}

// listOutlets answers a page of a property's outlets (manager of it, admin).
func (h *Handler) listOutlets(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	after, limit, err := pageQuery(r, cursorOutlets)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	list, more, err := h.svc.AdminListOutlets(r.Context(), p, r.PathValue("code"), after, limit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := api.OutletList{Outlets: make([]api.Outlet, 0, len(list))}
	for _, d := range list {
		out.Outlets = append(out.Outlets, adminOutletOf(d))
	}
	if len(list) > 0 {
		out.NextCursor = nextCursor(cursorOutlets, more, list[len(list)-1].Outlet.ID)
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// getOutlet answers one outlet (manager of its property, admin).
func (h *Handler) getOutlet(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	d, err := h.svc.AdminOutlet(r.Context(), p, r.PathValue("code"), r.PathValue("outlet"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeObject(w, r, http.StatusOK, adminOutletOf(d), adminOutletOf(d), "")
}

// hoursInput converts the request's hours (nil when absent; openingHours replaces the hours
// as a whole).
func hoursInput(req api.OutletRequest) *[]concierge.OpeningHoursInput {
	if req.OpeningHours == nil {
		return nil
	}
	out := make([]concierge.OpeningHoursInput, len(*req.OpeningHours))
	for i, h := range *req.OpeningHours {
		out[i] = concierge.OpeningHoursInput{Day: h.Day, Open: h.Open, Close: h.Close}
	}
	return &out
}

// createOutlet creates an outlet (manager of the property, admin); 201.
func (h *Handler) createOutlet(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req api.OutletRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	d, err := h.svc.CreateOutlet(r.Context(), p, r.PathValue("code"), concierge.OutletInput{
		Code: deref(req.Code), Name: deref(req.Name), Description: deref(req.Description),
		ServiceCenter: deref(req.ServiceCenter), AllowGuestMessages: deref(req.AllowGuestMessages),
		AllowNonVerifiedGuests: deref(req.AllowNonVerifiedGuests), SortOrder: deref(req.SortOrder),
		OpeningHours: deref(hoursInput(req)),
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeObject(w, r, http.StatusCreated, adminOutletOf(d), adminOutletOf(d),
		pathOf("properties", r.PathValue("code"), "outlets", d.Outlet.Code))
}

// updateOutlet changes an outlet (manager of the property, admin): absent fields stay as they
// are, openingHours replaces the hours as a whole, and code is ignored.
func (h *Handler) updateOutlet(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req api.OutletRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := ifMatch(r, func() (any, error) {
		cur, err := h.svc.AdminOutlet(r.Context(), p, r.PathValue("code"), r.PathValue("outlet"))
		return adminOutletOf(cur), err
	}); err != nil {
		h.fail(w, r, err)
		return
	}
	d, err := h.svc.UpdateOutlet(r.Context(), p, r.PathValue("code"), r.PathValue("outlet"), concierge.OutletPatch{
		Name: req.Name, Description: req.Description, ServiceCenter: req.ServiceCenter,
		AllowGuestMessages: req.AllowGuestMessages, AllowNonVerifiedGuests: req.AllowNonVerifiedGuests,
		SortOrder: req.SortOrder, OpeningHours: hoursInput(req),
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeObject(w, r, http.StatusOK, adminOutletOf(d), adminOutletOf(d), "")
}
