package staffapi

import (
	"net/http"
	"strconv"
	"strings"

	"concierge/api"
	"concierge/internal/concierge"
)

// The admin API's configuration routes (SPEC §5 "admin"): properties, service centers,
// outlets, staff users and interface tokens. Who may call what is the service's to decide
// (concierge.Service, service_admin.go); these handlers only translate.

// Cursor kinds of the admin lists.
const (
	cursorProperties      = "pr:"
	cursorServiceCenters  = "sc:"
	cursorOutlets         = "ou:"
	cursorStaffUsers      = "su:"
	cursorInterfaceTokens = "it:"
)

// pageQuery reads the cursor (of the kind) and limit (default defaultLimit) of a list request.
// A limit that is not a number is passed on as -1, which the service answers with
// ValidationFailed (limit). Errors: ValidationFailed (field cursor).
func pageQuery(r *http.Request, kind string) (int64, int, error) {
	q := r.URL.Query()
	after, err := decodeCursor(kind, q.Get("cursor"))
	if err != nil {
		return 0, 0, err
	}
	limit := defaultLimit
	if s := q.Get("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil {
			limit = -1
		}
	}
	return after, limit, nil
}

// nextCursor is the cursor after lastID when more items follow, "" otherwise.
func nextCursor(kind string, more bool, lastID int64) string {
	if !more {
		return ""
	}
	return encodeCursor(kind, lastID)
}

// adminPropertyOf renders a property as the admin API shows it.
func adminPropertyOf(p concierge.Property) api.Property {
	return api.Property{Code: p.Code, Name: p.Name, BrandCode: p.BrandCode, GroupCode: p.GroupCode,
		TimeZone: p.TimeZone, DefaultLanguage: p.DefaultLanguage, HideStaffNames: p.HideStaffNames,
		CreatedAt: formatTime(p.CreatedAt)}
}

// listProperties answers a page of the properties the caller may see (manager, admin).
func (h *Handler) listProperties(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	after, limit, err := pageQuery(r, cursorProperties)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	props, more, err := h.svc.ListProperties(r.Context(), p, after, limit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := api.PropertyList{Properties: make([]api.Property, 0, len(props))}
	for _, prop := range props {
		out.Properties = append(out.Properties, adminPropertyOf(prop))
	}
	if len(props) > 0 {
		out.NextCursor = nextCursor(cursorProperties, more, props[len(props)-1].ID)
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// getProperty answers one property (manager of it, admin).
func (h *Handler) getProperty(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	prop, err := h.svc.AdminProperty(r.Context(), p, r.PathValue("code"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeObject(w, r, http.StatusOK, adminPropertyOf(prop), adminPropertyOf(prop), "")
}

// deref returns *p, or the zero value for nil.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// createProperty creates a property (admin) and answers it (201).
func (h *Handler) createProperty(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req api.PropertyRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	prop, err := h.svc.CreateProperty(r.Context(), p, concierge.PropertyInput{
		Code: deref(req.Code), Name: deref(req.Name), BrandCode: deref(req.BrandCode), GroupCode: deref(req.GroupCode),
		TimeZone: deref(req.TimeZone), DefaultLanguage: deref(req.DefaultLanguage), HideStaffNames: deref(req.HideStaffNames),
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeObject(w, r, http.StatusCreated, adminPropertyOf(prop), adminPropertyOf(prop), pathOf("properties", prop.Code))
}

// updateProperty changes a property (admin) and answers it: absent fields stay as they are,
// and code is ignored.
func (h *Handler) updateProperty(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req api.PropertyRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := ifMatch(r, func() (any, error) {
		cur, err := h.svc.AdminProperty(r.Context(), p, r.PathValue("code"))
		return adminPropertyOf(cur), err
	}); err != nil {
		h.fail(w, r, err)
		return
	}
	prop, err := h.svc.UpdateProperty(r.Context(), p, r.PathValue("code"), concierge.PropertyPatch{
		Name: req.Name, BrandCode: req.BrandCode, GroupCode: req.GroupCode, TimeZone: req.TimeZone,
		DefaultLanguage: req.DefaultLanguage, HideStaffNames: req.HideStaffNames,
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeObject(w, r, http.StatusOK, adminPropertyOf(prop), adminPropertyOf(prop), "")
}

// adminServiceCenterOf renders a service center as the admin API shows it.
func adminServiceCenterOf(sc concierge.ServiceCenter) api.ServiceCenter {
	return api.ServiceCenter{Code: sc.Code, Name: sc.Name, StaffLanguage: sc.StaffLanguage}
}

// listServiceCenters answers a page of a property's service centers (manager of it, admin).
func (h *Handler) listServiceCenters(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	after, limit, err := pageQuery(r, cursorServiceCenters)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	list, more, err := h.svc.ListServiceCenters(r.Context(), p, r.PathValue("code"), after, limit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := api.ServiceCenterList{ServiceCenters: make([]api.ServiceCenter, 0, len(list))}
	for _, sc := range list {
		out.ServiceCenters = append(out.ServiceCenters, adminServiceCenterOf(sc))
	}
	if len(list) > 0 {
		out.NextCursor = nextCursor(cursorServiceCenters, more, list[len(list)-1].ID)
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// getServiceCenter answers one service center (manager of its property, admin).
func (h *Handler) getServiceCenter(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	sc, err := h.svc.AdminServiceCenter(r.Context(), p, r.PathValue("code"), r.PathValue("serviceCenter"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeObject(w, r, http.StatusOK, adminServiceCenterOf(sc), adminServiceCenterOf(sc), "")
}

// createServiceCenter creates a service center (manager of the property, admin); 201.
func (h *Handler) createServiceCenter(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req api.ServiceCenterRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	sc, err := h.svc.CreateServiceCenter(r.Context(), p, r.PathValue("code"), concierge.ServiceCenterInput{
		Code: deref(req.Code), Name: deref(req.Name), StaffLanguage: deref(req.StaffLanguage)})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeObject(w, r, http.StatusCreated, adminServiceCenterOf(sc), adminServiceCenterOf(sc),
		pathOf("properties", r.PathValue("code"), "service-centers", sc.Code))
}

// updateServiceCenter changes a service center (manager of the property, admin): absent
// fields stay as they are, and code is ignored.
func (h *Handler) updateServiceCenter(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req api.ServiceCenterRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := ifMatch(r, func() (any, error) {
		cur, err := h.svc.AdminServiceCenter(r.Context(), p, r.PathValue("code"), r.PathValue("serviceCenter"))
		return adminServiceCenterOf(cur), err
	}); err != nil {
		h.fail(w, r, err)
		return
	}
	sc, err := h.svc.UpdateServiceCenter(r.Context(), p, r.PathValue("code"), r.PathValue("serviceCenter"),
		concierge.ServiceCenterPatch{Name: req.Name, StaffLanguage: req.StaffLanguage})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeObject(w, r, http.StatusOK, adminServiceCenterOf(sc), adminServiceCenterOf(sc), "")
}

// lowerRole reads a role as clients write it, in any letter case.
func lowerRole(s string) concierge.Role {
	return concierge.Role(strings.ToLower(strings.TrimSpace(s)))
}
