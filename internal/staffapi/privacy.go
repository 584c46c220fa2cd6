package staffapi

import (
	"encoding/json"
	"net/http"

	"concierge/internal/concierge"
)

// guestRefRequest is the body of the guest-data routes: one of the two.
type guestRefRequest struct {
	BookingReference string
	GuestIdentifier  string
}

// exportJSON is the one-file export of a stay's or a non-verified guest's data.
type exportJSON struct {
	ExportedAt    string               `json:"exportedAt"`
	Property      string               `json:"property"`
	Stay          *exportStayJSON      `json:"stay"`
	Guest         *exportGuestJSON     `json:"guest"`
	Sessions      []exportSessionJSON  `json:"sessions"`
	Conversations []exportConvJSON     `json:"conversations"`
	Orders        []exportOrderJSON    `json:"orders"`
	LegalHolds    []exportLegalHoldRef `json:"legalHolds"`
}

type exportStayJSON struct {
	BookingReference string `json:"bookingReference"`
	RoomNumber       string `json:"roomNumber"`
	FirstName        string `json:"firstName"`
	LastName         string `json:"lastName"`
	LanguageCode     string `json:"languageCode"`
	Arrival          string `json:"arrival"`
	Departure        string `json:"departure"`
}

type exportGuestJSON struct {
	Identifier string `json:"identifier"`
	CreatedAt  string `json:"createdAt"`
}

type exportSessionJSON struct {
	LanguageCode string  `json:"languageCode"`
	Version      string  `json:"version"`
	IssuedAt     string  `json:"issuedAt"`
	LastSeenAt   string  `json:"lastSeenAt"`
	RevokedAt    *string `json:"revokedAt"`
}

type exportConvJSON struct {
	Code           string              `json:"code"`
	ID             int64               `json:"id"`
	Outlet         string              `json:"outletCode"`
	Subject        string              `json:"subject"`
	Status         string              `json:"status"`
	Type           string              `json:"type"`
	GuestFirstName string              `json:"guestFirstName"`
	GuestLastName  string              `json:"guestLastName"`
	GuestLanguage  string              `json:"guestLanguageCode"`
	OrderForm      json.RawMessage     `json:"orderForm"`
	CreatedAt      string              `json:"createdAt"`
	UpdatedAt      string              `json:"updatedAt"`
	Messages       []exportMessageJSON `json:"messages"`
}

type exportMessageJSON struct {
	Code         string            `json:"code"`
	Seq          int64             `json:"seq"`
	Type         string            `json:"type"`
	Author       authorJSON        `json:"author"`
	Content      string            `json:"content"`
	LanguageCode string            `json:"languageCode"`
	Translations map[string]string `json:"translations"`
	CreatedAt    string            `json:"createdAt"`
	ReadAt       *string           `json:"readAt"`
}

type exportOrderJSON struct {
	Code      string `json:"code"`
	Status    string `json:"status"`
	Outlet    string `json:"outletCode"`
	UpdatedAt string `json:"updatedAt"`
}

type exportLegalHoldRef struct {
	ConversationCode string `json:"conversationCode"`
	Reason           string `json:"reason"`
	SetBy            string `json:"setBy"`
	SetAt            string `json:"setAt"`
}

// GuestExportBody renders an export as its one JSON file (the API's answer and the CLI's
// output). It errors only when encoding fails, which cannot happen for these shapes.
func GuestExportBody(e concierge.GuestExport) ([]byte, error) {
	out := exportJSON{ExportedAt: formatTime(e.ExportedAt), Property: e.Property.Code, Sessions: []exportSessionJSON{},
		Conversations: []exportConvJSON{}, Orders: []exportOrderJSON{}, LegalHolds: []exportLegalHoldRef{}}
	if st := e.Stay; st != nil {
		out.Stay = &exportStayJSON{BookingReference: st.BookingReference, RoomNumber: st.RoomNumber, FirstName: st.FirstName,
			LastName: st.LastName, LanguageCode: st.Language, Arrival: string(st.Arrival), Departure: string(st.Departure)}
	}
	if g := e.Guest; g != nil {
		out.Guest = &exportGuestJSON{Identifier: g.Identifier, CreatedAt: formatTime(g.CreatedAt)}
	}
	for _, s := range e.Sessions {
		out.Sessions = append(out.Sessions, exportSessionJSON{LanguageCode: s.Language, Version: s.Version,
			IssuedAt: formatTime(s.IssuedAt), LastSeenAt: formatTime(s.LastSeenAt), RevokedAt: formatOptionalTime(s.RevokedAt)})
	}
	translations := map[int64]map[string]string{}
	for _, t := range e.Translations {
		if translations[t.MessageID] == nil {
			translations[t.MessageID] = map[string]string{}
		}
		translations[t.MessageID][t.Language] = t.Content
	}
	index := map[int64]int{}
	codes := map[int64]string{}
	for _, c := range e.Conversations {
		index[c.ID] = len(out.Conversations)
		codes[c.ID] = c.Code
		out.Conversations = append(out.Conversations, exportConvJSON{Code: c.Code, ID: c.ID, Outlet: e.Outlets[c.OutletID].Code,
			Subject: c.Subject, Status: string(c.Status), Type: c.Type, GuestFirstName: c.GuestFirstName,
			GuestLastName: c.GuestLastName, GuestLanguage: c.GuestLanguage, OrderForm: c.OrderForm,
			CreatedAt: formatTime(c.CreatedAt), UpdatedAt: formatTime(c.UpdatedAt), Messages: []exportMessageJSON{}})
	}
	for _, m := range e.Messages {
		i, ok := index[m.ConversationID]
		if !ok {
			continue
		}
		tr := translations[m.ID]
		if tr == nil {
			tr = map[string]string{}
		}
		out.Conversations[i].Messages = append(out.Conversations[i].Messages, exportMessageJSON{Code: m.Code, Seq: m.Seq,
			Type: string(m.Type), Author: authorJSON{FirstName: m.AuthorFirstName, LastName: m.AuthorLastName},
			Content: m.Content, LanguageCode: m.Language, Translations: tr, CreatedAt: formatTime(m.CreatedAt),
			ReadAt: formatOptionalTime(m.ReadAt)})
	}
	for _, o := range e.Orders {
		oj := exportOrderJSON{Code: o.Code, Status: string(o.Status), UpdatedAt: formatTime(o.UpdatedAt)}
		if o.OutletID != nil {
			oj.Outlet = e.Outlets[*o.OutletID].Code
		}
		out.Orders = append(out.Orders, oj)
	}
	for _, h := range e.LegalHolds {
		out.LegalHolds = append(out.LegalHolds, exportLegalHoldRef{ConversationCode: codes[h.ConversationID],
			Reason: h.Reason, SetBy: h.SetBy, SetAt: formatTime(h.SetAt)})
	}
	return json.Marshal(out)
}

// exportGuestData answers everything held about a stay or a non-verified guest, as one JSON
// file (Content-Disposition: attachment).
func (h *Handler) exportGuestData(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req guestRefRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	e, err := h.svc.ExportGuestData(r.Context(), p, r.PathValue("code"),
		concierge.GuestRef{BookingReference: req.BookingReference, GuestIdentifier: req.GuestIdentifier})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	body, err := GuestExportBody(e)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", `attachment; filename="guest-data.json"`)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(append(body, '\n'))
}

// erasureJSON is the answer of an erasure.
type erasureJSON struct {
	Conversations int  `json:"conversationsErased"`
	Messages      int  `json:"messagesErased"`
	Held          int  `json:"conversationsHeld"`
	OwnerErased   bool `json:"guestErased"`
}

// eraseGuestData erases a stay's or a non-verified guest's data and answers what went.
func (h *Handler) eraseGuestData(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req guestRefRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	e, err := h.svc.EraseGuestData(r.Context(), p, r.PathValue("code"),
		concierge.GuestRef{BookingReference: req.BookingReference, GuestIdentifier: req.GuestIdentifier})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, erasureJSON{Conversations: e.Conversations, Messages: e.Messages, Held: e.Held, OwnerErased: e.OwnerErased})
}

// retentionJSON is a property's retention settings.
type retentionJSON struct {
	StayDays  int `json:"stayDays"`
	GuestDays int `json:"guestDays"`
}

// retentionRequest is the body of PUT …/retention.
type retentionRequest struct {
	StayDays  *int
	GuestDays *int
}

// getRetention answers a property's retention settings.
func (h *Handler) getRetention(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	rs, err := h.svc.RetentionSettings(r.Context(), p, r.PathValue("code"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, retentionJSON{StayDays: rs.StayDays, GuestDays: rs.GuestDays})
}

// putRetention changes a property's retention settings and answers them.
func (h *Handler) putRetention(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req retentionRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	rs, err := h.svc.SetRetentionSettings(r.Context(), p, r.PathValue("code"), req.StayDays, req.GuestDays)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, retentionJSON{StayDays: rs.StayDays, GuestDays: rs.GuestDays})
}

// legalHoldJSON is a conversation's legal hold state.
type legalHoldJSON struct {
	ConversationCode string  `json:"conversationCode"`
	Held             bool    `json:"held"`
	Reason           string  `json:"reason"`
	SetBy            string  `json:"setBy"`
	SetAt            *string `json:"setAt"`
}

func legalHoldOf(code string, hold *concierge.LegalHold) legalHoldJSON {
	out := legalHoldJSON{ConversationCode: code}
	if hold != nil {
		out.Held, out.Reason, out.SetBy, out.SetAt = true, hold.Reason, hold.SetBy, formatOptionalTime(&hold.SetAt)
	}
	return out
}

// getLegalHold answers a conversation's legal hold state.
func (h *Handler) getLegalHold(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	hold, err := h.svc.LegalHoldOf(r.Context(), p, r.PathValue("code"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, legalHoldOf(r.PathValue("code"), hold))
}

// legalHoldRequest is the body of PUT …/legal-hold.
type legalHoldRequest struct {
	Reason string
}

// putLegalHold puts a conversation under a legal hold and answers it.
func (h *Handler) putLegalHold(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req legalHoldRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	hold, err := h.svc.SetLegalHold(r.Context(), p, r.PathValue("code"), req.Reason)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, legalHoldOf(r.PathValue("code"), &hold))
}

// deleteLegalHold lifts a conversation's legal hold and answers its state.
func (h *Handler) deleteLegalHold(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	if err := h.svc.ClearLegalHold(r.Context(), p, r.PathValue("code")); err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, legalHoldOf(r.PathValue("code"), nil))
}
