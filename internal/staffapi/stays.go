package staffapi

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"unicode/utf8"

	"concierge/api"
	"concierge/internal/concierge"
	"concierge/internal/importer"
)

// Cursor kind prefixes of the stay and order lists.
const (
	cursorStays  = "st:"
	cursorOrders = "or:"
)

// MaxImportBytes is the largest body a bulk import accepts: far above the 64 KiB of other
// requests, since a file holds thousands of rows.
const MaxImportBytes = 8 << 20

// stayRecordOut renders a stay as the admin API shows it.
func stayRecordOut(s concierge.Stay) api.Stay {
	return api.Stay{BookingReference: s.BookingReference, RoomNumber: s.RoomNumber, FirstName: s.FirstName,
		LastName: s.LastName, LanguageCode: s.Language, Arrival: string(s.Arrival), Departure: string(s.Departure)}
}

// summaryOut renders what a bulk import did, with the rows it skipped.
func summaryOut(s concierge.ImportSummary) api.ImportSummary {
	out := api.ImportSummary{Created: s.Created, Updated: s.Updated, Unchanged: s.Unchanged, Rejected: []api.Rejection{}}
	for _, r := range s.Rejected {
		out.Rejected = append(out.Rejected, api.Rejection{Line: r.Line, Reason: r.Reason})
	}
	return out
}

// upsertHTTPStatus is 201 for a created object, 200 otherwise.
func upsertHTTPStatus(r concierge.UpsertResult) int {
	if r == concierge.UpsertCreated {
		return http.StatusCreated
	}
	return http.StatusOK
}

// stayOrderLimit reads the limit query parameter: default defaultLimit, -1 when not a number (the
// service then answers ValidationFailed, field limit).
func stayOrderLimit(r *http.Request) int {
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

// putStay creates or updates a stay (manager, admin): 201 when created, 200 otherwise.
func (h *Handler) putStay(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	if err := h.svc.CheckStayOrderAccess(r.Context(), p, r.PathValue("code")); err != nil {
		h.fail(w, r, err)
		return
	}
	var req api.StayRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	st, res, err := h.svc.UpsertStay(r.Context(), p, r.PathValue("code"), r.PathValue("bookingReference"), concierge.StayInput{
		RoomNumber: req.RoomNumber, FirstName: req.FirstName, LastName: req.LastName,
		Language: req.LanguageCode, Arrival: req.Arrival, Departure: req.Departure,
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, upsertHTTPStatus(res), api.StayPut{Result: string(res), Stay: stayRecordOut(st)})
}

// getStay answers one stay (manager, admin).
func (h *Handler) getStay(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	st, err := h.svc.Stay(r.Context(), p, r.PathValue("code"), r.PathValue("bookingReference"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, stayRecordOut(st))
}

// listStays answers a page of a property's stays (manager, admin): query currentOn
// (YYYY-MM-DD), room, cursor, limit (1–200, default 50).
func (h *Handler) listStays(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	if err := h.svc.CheckStayOrderAccess(r.Context(), p, r.PathValue("code")); err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	after, err := decodeCursor(cursorStays, q.Get("cursor"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	stays, more, err := h.svc.ListStays(r.Context(), p, r.PathValue("code"),
		concierge.StayListFilter{CurrentOn: q.Get("currentOn"), Room: q.Get("room")}, after, stayOrderLimit(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	list := api.StayList{Stays: make([]api.Stay, len(stays))}
	for i, s := range stays {
		list.Stays[i] = stayRecordOut(s)
	}
	if more {
		list.NextCursor = encodeCursor(cursorStays, stays[len(stays)-1].ID)
	}
	h.writeJSON(w, r, http.StatusOK, list)
}

// importStays upserts a stay file (manager, admin) and answers the summary.
func (h *Handler) importStays(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	h.bulkImport(w, r, p, importer.Stays)
}

// bulkImport checks access, reads the body (JSON array or CSV, up to MaxImportBytes) and imports
// it. Errors: those of the access check first, then UnsupportedMediaType, PayloadTooLarge,
// ValidationFailed (field body: not UTF-8; field file: a file that cannot be read).
func (h *Handler) bulkImport(w http.ResponseWriter, r *http.Request, p *concierge.Principal, kind importer.Kind) {
	property := r.PathValue("code")
	if err := h.svc.CheckStayOrderAccess(r.Context(), p, property); err != nil {
		h.fail(w, r, err)
		return
	}
	data, format, err := readImportBody(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	sum, err := importer.Import(r.Context(), h.svc, p, property, kind, data, format, nil)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, summaryOut(sum))
}

// readImportBody reads a bulk import body: JSON (application/json, text/json) or CSV
// (text/csv); without a Content-Type, the format is told by the content. Errors:
// UnsupportedMediaType for another type; PayloadTooLarge over MaxImportBytes; ValidationFailed
// (field body) when it is not UTF-8; MalformedRequest when it cannot be read.
func readImportBody(w http.ResponseWriter, r *http.Request) ([]byte, importer.Format, error) {
	format := importer.Format(0)
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		switch {
		case err != nil:
		case mt == "application/json" || mt == "text/json":
			format = importer.JSON
		case mt == "text/csv":
			format = importer.CSV
		}
		if format == 0 {
			return nil, 0, concierge.Errorf(concierge.CodeUnsupportedMediaType,
				"An import body must be JSON (application/json) or CSV (text/csv).")
		}
	}
	tooLarge := concierge.Errorf(concierge.CodePayloadTooLarge, "An import body must not be larger than %d MiB.", MaxImportBytes>>20)
	if r.ContentLength > MaxImportBytes {
		return nil, 0, tooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxImportBytes))
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return nil, 0, tooLarge
	}
	if err != nil {
		return nil, 0, concierge.Errorf(concierge.CodeMalformedRequest, "The request body could not be read.")
	}
	if !utf8.Valid(body) {
		return nil, 0, &concierge.Error{Code: concierge.CodeValidationFailed, Message: "The request body must be valid UTF-8.",
			Fields: []concierge.FieldError{{Field: "body", Message: "must be valid UTF-8"}}}
	}
	if format == 0 {
		format = importer.Detect("", body)
	}
	return body, format, nil
}
