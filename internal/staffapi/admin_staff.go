package staffapi

import (
	"net/http"

	"concierge/api"
	"concierge/internal/concierge"
)

// adminStaffUserOf renders a staff user as the admin API shows it: never with a password or
// its hash; disabledAt null while the user is enabled.
func adminStaffUserOf(info concierge.StaffUserInfo) api.StaffUser {
	u := info.User
	out := api.StaffUser{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: string(u.Role),
		Properties: make([]string, 0, len(info.Properties)), ServiceCenters: make([]api.CenterRef, 0, len(info.ServiceCenters)),
		Disabled: u.DisabledAt != nil, CreatedAt: formatTime(u.CreatedAt), DisabledAt: formatOptionalTime(u.DisabledAt)}
	for _, p := range info.Properties {
		out.Properties = append(out.Properties, p.Code)
	}
	for _, sc := range info.ServiceCenters {
		out.ServiceCenters = append(out.ServiceCenters, api.CenterRef{Property: sc.Property, Code: sc.Code})
	}
	return out
}

// listStaffUsers answers a page of the staff users the caller manages (manager, admin).
func (h *Handler) listStaffUsers(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	after, limit, err := pageQuery(r, cursorStaffUsers)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	list, more, err := h.svc.ListStaffUsers(r.Context(), p, after, limit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := api.StaffUserList{StaffUsers: make([]api.StaffUser, 0, len(list))}
	for _, info := range list {
		out.StaffUsers = append(out.StaffUsers, adminStaffUserOf(info))
	}
	if len(list) > 0 {
		out.NextCursor = nextCursor(cursorStaffUsers, more, list[len(list)-1].User.ID)
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// getStaffUser answers one staff user (manager of them, admin).
func (h *Handler) getStaffUser(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	info, err := h.svc.AdminStaffUser(r.Context(), p, r.PathValue("username"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeObject(w, r, http.StatusOK, adminStaffUserOf(info), adminStaffUserOf(info), "")
}

// centerRefs converts the request's service centers (nil when absent).
func centerRefs(req api.StaffUserRequest) *[]concierge.ServiceCenterRef {
	if req.ServiceCenters == nil {
		return nil
	}
	out := make([]concierge.ServiceCenterRef, len(*req.ServiceCenters))
	for i, c := range *req.ServiceCenters {
		out[i] = concierge.ServiceCenterRef{Property: c.Property, Code: c.Code}
	}
	return &out
}

// createStaffUser creates a staff user (admin; a manager only agents of their properties); 201.
func (h *Handler) createStaffUser(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req api.StaffUserRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	info, err := h.svc.CreateStaffUser(r.Context(), p, concierge.StaffUserInput{
		Username: deref(req.Username), DisplayName: deref(req.DisplayName), Password: deref(req.Password),
		Role: lowerRole(deref(req.Role)), Properties: deref(req.Properties), ServiceCenters: deref(centerRefs(req)),
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeObject(w, r, http.StatusCreated, adminStaffUserOf(info), adminStaffUserOf(info), pathOf("staff-users", info.User.Username))
}

// updateStaffUser changes a staff user's display name, role or grants: absent fields stay as
// they are, lists replace the grants as a whole, and username and password are ignored.
func (h *Handler) updateStaffUser(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req api.StaffUserRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	patch := concierge.StaffUserPatch{DisplayName: req.DisplayName, Properties: req.Properties, ServiceCenters: centerRefs(req)}
	if req.Role != nil {
		role := lowerRole(*req.Role)
		patch.Role = &role
	}
	if err := ifMatch(r, h.currentStaffUser(r, p)); err != nil {
		h.fail(w, r, err)
		return
	}
	info, err := h.svc.UpdateStaffUser(r.Context(), p, r.PathValue("username"), patch)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeObject(w, r, http.StatusOK, adminStaffUserOf(info), adminStaffUserOf(info), "")
}

// setStaffPassword replaces a staff user's password (their sessions end) and answers the user.
func (h *Handler) setStaffPassword(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	var req api.PasswordRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	info, err := h.svc.SetStaffPassword(r.Context(), p, r.PathValue("username"), req.Password)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeObject(w, r, http.StatusOK, adminStaffUserOf(info), adminStaffUserOf(info), "")
}

// disableStaffUser disables a staff user (they cannot log in; their sessions end).
func (h *Handler) disableStaffUser(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	h.setDisabled(w, r, p, true)
}

// enableStaffUser enables a disabled staff user again.
func (h *Handler) enableStaffUser(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	h.setDisabled(w, r, p, false)
}

func (h *Handler) setDisabled(w http.ResponseWriter, r *http.Request, p *concierge.Principal, disabled bool) {
	if err := ifMatch(r, h.currentStaffUser(r, p)); err != nil {
		h.fail(w, r, err)
		return
	}
	info, err := h.svc.SetStaffUserDisabled(r.Context(), p, r.PathValue("username"), disabled)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeObject(w, r, http.StatusOK, adminStaffUserOf(info), adminStaffUserOf(info), "")
}

// currentStaffUser reads the staff user of the path as GET shows it, for If-Match.
func (h *Handler) currentStaffUser(r *http.Request, p *concierge.Principal) func() (any, error) {
	return func() (any, error) {
		cur, err := h.svc.AdminStaffUser(r.Context(), p, r.PathValue("username"))
		return adminStaffUserOf(cur), err
	}
}
