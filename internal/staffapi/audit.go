package staffapi

import (
	"net/http"
	"strconv"

	"concierge/api"
	"concierge/internal/concierge"
)

// cursorAudit is the kind prefix of audit log cursors.
const cursorAudit = "au:"

// queryLimit reads the limit query parameter (default defaultLimit); a value that is not a
// number is -1, which the service answers with ValidationFailed (limit).
func queryLimit(r *http.Request) int {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return defaultLimit
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

// listAudit answers a page of the audit log, newest first (admins: every entry; managers:
// their properties'): query cursor and limit.
func (h *Handler) listAudit(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	before, err := decodeCursor(cursorAudit, r.URL.Query().Get("cursor"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	entries, more, err := h.svc.ListAudit(r.Context(), p, before, queryLimit(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var ids []int64
	for _, e := range entries {
		if e.PropertyID != nil {
			ids = append(ids, *e.PropertyID)
		}
	}
	props, err := h.svc.PropertiesByIDs(r.Context(), ids)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := api.AuditList{Entries: make([]api.AuditEntry, len(entries))}
	for i, e := range entries {
		out.Entries[i] = api.AuditEntry{ID: e.ID, At: formatTime(e.At), ActorKind: e.ActorKind, ActorID: e.ActorID,
			ActorName: e.ActorName, Action: string(e.Action), ObjectKind: e.ObjectKind, ObjectRef: e.ObjectRef,
			Client: e.Client, Detail: e.Detail}
		if e.PropertyID != nil {
			if prop, ok := props[*e.PropertyID]; ok {
				out.Entries[i].Property = &prop.Code
			}
		}
	}
	if more {
		out.NextCursor = encodeCursor(cursorAudit, entries[len(entries)-1].ID)
	}
	h.writeJSON(w, r, http.StatusOK, out)
}
