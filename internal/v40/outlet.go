package v40

import (
	"net/http"

	"concierge/api"
	"concierge/internal/concierge"
)

const itemOutletSettings = api.ItemOutletSettings

func (h *Handler) outletSettings(w http.ResponseWriter, r *http.Request) {
	q, err := readParams(w, r)
	if err != nil {
		h.failEarly(w, r, itemOutletSettings, sentToken(r), err)
		return
	}
	gs, err := h.authenticate(r, q.token())
	if err != nil {
		writeFailure(w, r, tokenOf(gs), itemOutletSettings, err)
		return
	}
	code, _ := q.get("Code")
	outlets, err := h.svc.Outlets(r.Context(), gs, code)
	if err != nil {
		writeFailure(w, r, gs.Token, itemOutletSettings, err)
		return
	}
	content := api.GuestOutletList{Outlets: make([]api.GuestOutlet, 0, len(outlets))}
	for _, o := range outlets {
		content.Outlets = append(content.Outlets, outletShapeOf(o))
	}
	writeSuccess(w, r, gs.Token, namedItem{name: itemOutletSettings, item: item{Content: content}})
}

// outletShapeOf renders an outlet as guest apps see it (SPEC §4.1a): its opening hours as
// English day names and "HH:MM" times in property time.
func outletShapeOf(o concierge.OutletInfo) api.GuestOutlet {
	s := api.GuestOutlet{
		Code:                   o.Code,
		Name:                   o.Name,
		Description:            o.Description,
		AllowGuestMessages:     o.AllowGuestMessages,
		AllowNonVerifiedGuests: o.AllowNonVerifiedGuests,
		IsOpen:                 o.IsOpen,
		OpeningHours:           make([]api.OpeningHours, 0, len(o.Hours)),
	}
	for _, hrs := range o.Hours {
		s.OpeningHours = append(s.OpeningHours, api.OpeningHours{
			Day:   hrs.Day.String(),
			Open:  concierge.FormatClock(hrs.Open),
			Close: concierge.FormatClock(hrs.Close),
		})
	}
	return s
}
