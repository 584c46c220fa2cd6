package v40

import (
	"net/http"

	"concierge/internal/concierge"
)

const itemOutletSettings = "getOutletSettingsResponse"

type outletSettingsContent struct {
	Outlets []outletShape `json:"outlets"`
}

// outletShape is an outlet as guest apps see it (SPEC §4.1a), keys in order.
type outletShape struct {
	Code                   string       `json:"code"`
	Name                   string       `json:"name"`
	Description            string       `json:"description"`
	AllowGuestMessages     bool         `json:"allowGuestMessages"`
	AllowNonVerifiedGuests bool         `json:"allowNonVerifiedGuests"`
	IsOpen                 bool         `json:"isOpen"`
	OpeningHours           []hoursShape `json:"openingHours"`
}

// hoursShape is one opening interval in property time: day name, "HH:MM" open and close.
type hoursShape struct {
	Day   string `json:"day"`
	Open  string `json:"open"`
	Close string `json:"close"`
}

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
	content := outletSettingsContent{Outlets: make([]outletShape, 0, len(outlets))}
	for _, o := range outlets {
		content.Outlets = append(content.Outlets, outletShapeOf(o))
	}
	writeSuccess(w, r, gs.Token, namedItem{name: itemOutletSettings, item: item{Content: content}})
}

func outletShapeOf(o concierge.OutletInfo) outletShape {
	s := outletShape{
		Code:                   o.Code,
		Name:                   o.Name,
		Description:            o.Description,
		AllowGuestMessages:     o.AllowGuestMessages,
		AllowNonVerifiedGuests: o.AllowNonVerifiedGuests,
		IsOpen:                 o.IsOpen,
		OpeningHours:           make([]hoursShape, 0, len(o.Hours)),
	}
	for _, hrs := range o.Hours {
		s.OpeningHours = append(s.OpeningHours, hoursShape{
			Day:   hrs.Day.String(),
			Open:  concierge.FormatClock(hrs.Open),
			Close: concierge.FormatClock(hrs.Close),
		})
	}
	return s
}
