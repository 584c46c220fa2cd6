package staffapi

import (
	"encoding/json"
	"net/http"

	"concierge/api"
	"concierge/internal/concierge"
)

// GuestExportBody renders an export as its one JSON file (the API's answer and the CLI's
// output). It errors only when encoding fails, which cannot happen for these shapes.
func GuestExportBody(e concierge.GuestExport) ([]byte, error) {
	out := api.Export{ExportedAt: formatTime(e.ExportedAt), Property: e.Property.Code, Sessions: []api.ExportSession{},
		Conversations: []api.ExportConv{}, Orders: []api.ExportOrder{}, LegalHolds: []api.ExportLegalHold{}}
	if e.Stay != nil {
		st := stayRecordOut(*e.Stay)
		out.Stay = &st
	}
	if g := e.Guest; g != nil {
		out.Guest = &api.ExportGuest{Identifier: g.Identifier, CreatedAt: formatTime(g.CreatedAt)}
	}
	for _, s := range e.Sessions {
		out.Sessions = append(out.Sessions, api.ExportSession{LanguageCode: s.Language, Version: s.Version,
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
		out.Conversations = append(out.Conversations, api.ExportConv{Code: c.Code, ID: c.ID, Outlet: e.Outlets[c.OutletID].Code,
			Subject: c.Subject, Status: string(c.Status), Type: c.Type, GuestFirstName: c.GuestFirstName,
			GuestLastName: c.GuestLastName, GuestLanguage: c.GuestLanguage, OrderForm: c.OrderForm,
			CreatedAt: formatTime(c.CreatedAt), UpdatedAt: formatTime(c.UpdatedAt), Messages: []api.ExportMessage{}})
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
		out.Conversations[i].Messages = append(out.Conversations[i].Messages, api.ExportMessage{Code: m.Code, Seq: m.Seq,
			Type: string(m.Type), Author: api.Author{FirstName: m.AuthorFirstName, LastName: m.AuthorLastName},
			Content: m.Content, LanguageCode: m.Language, Translations: tr, CreatedAt: formatTime(m.CreatedAt),
			ReadAt: formatOptionalTime(m.ReadAt)})
	}
	for _, o := range e.Orders {
		oj := api.ExportOrder{Code: o.Code, Status: string(o.Status), UpdatedAt: formatTime(o.UpdatedAt)}
		if o.OutletID != nil {
			oj.Outlet = e.Outlets[*o.OutletID].Code
		}
		out.Orders = append(out.Orders, oj)
	}
	for _, h := range e.LegalHolds {
		out.LegalHolds = append(out.LegalHolds, api.ExportLegalHold{ConversationCode: codes[h.ConversationID],
			Reason: h.Reason, SetBy: h.SetBy, SetAt: formatTime(h.SetAt)})
	}
	return json.Marshal(out)
}

// exportGuestData answers everything held about a stay or a non-verified guest, as one JSON
// file (Content-Disposition: attachment).
func (h *Handler) exportGuestData(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req api.GuestRef
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

// eraseGuestData erases a stay's or a non-verified guest's data and answers what went.
func (h *Handler) eraseGuestData(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req api.GuestRef
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
	h.writeJSON(w, r, http.StatusOK, api.Erasure{Conversations: e.Conversations, Messages: e.Messages, Held: e.Held, OwnerErased: e.OwnerErased})
}

// getRetention answers a property's retention settings.
func (h *Handler) getRetention(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	rs, err := h.svc.RetentionSettings(r.Context(), p, r.PathValue("code"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, api.Retention{StayDays: rs.StayDays, GuestDays: rs.GuestDays})
}

// putRetention changes a property's retention settings and answers them.
func (h *Handler) putRetention(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req api.RetentionRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	rs, err := h.svc.SetRetentionSettings(r.Context(), p, r.PathValue("code"), req.StayDays, req.GuestDays)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, api.Retention{StayDays: rs.StayDays, GuestDays: rs.GuestDays})
}

// legalHoldOf renders a conversation's legal hold state (hold nil: not held).
func legalHoldOf(code string, hold *concierge.LegalHold) api.LegalHold {
	out := api.LegalHold{ConversationCode: code}
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

// putLegalHold puts a conversation under a legal hold and answers it.
func (h *Handler) putLegalHold(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req api.LegalHoldRequest
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
