package concierge

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// ServiceCenterRef names a service center by its property's code and its own.
type ServiceCenterRef struct {
	Property string
	Code     string
}

// StaffUserInput describes a staff user to create.
type StaffUserInput struct {
	Username       string
	DisplayName    string
	Password       string // at least MinPasswordLength characters; stored as an argon2id hash
	Role           Role
	Properties     []string           // property codes: a manager's properties (at least one)
	ServiceCenters []ServiceCenterRef // an agent's service centers (at least one)
}

// StaffUserPatch changes some fields of a staff user: nil fields stay as they are; lists,
// when set, replace the grants as a whole. The username cannot change.
type StaffUserPatch struct {
	DisplayName    *string
	Role           *Role
	Properties     *[]string
	ServiceCenters *[]ServiceCenterRef
}

// StaffUserInfo is a staff user with their grants resolved to codes (never their password
// hash's content, which the APIs must not show).
type StaffUserInfo struct {
	User           StaffUser
	Properties     []Property         // ascending by id
	ServiceCenters []ServiceCenterRef // ascending by service center id
}

// checkUsername records a broken rule of a username: 1 to 64 letters, digits, '.', '_', '-'
// or '@'.
func checkUsername(v *Validation, value string) {
	switch {
	case value == "":
		v.Add("username", "is required")
	case len(value) > maxUsernameLength:
		v.Add("username", fmt.Sprintf("must be at most %d characters", maxUsernameLength))
	case strings.IndexFunc(value, func(r rune) bool { return !isCodeRune(r) && r != '.' && r != '@' }) >= 0:
		v.Add("username", "may hold only letters, digits, '.', '_', '-' and '@'")
	}
}

// checkPassword records a broken rule of a new password (field password).
func checkPassword(v *Validation, pw string) {
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordLength:
		v.Add("password", fmt.Sprintf("must be at least %d characters", MinPasswordLength))
	case len(pw) > maxPasswordLength:
		v.Add("password", "is too long")
	case strings.ContainsRune(pw, 0):
		v.Add("password", "must not contain NUL characters")
	}
}

// checkGrants records broken rules of a role and its grant lists (fields role, properties,
// serviceCenters).
func checkGrants(v *Validation, role Role, props []string, centers []ServiceCenterRef) {
	if !role.Valid() {
		v.Add("role", "must be agent, manager or admin")
	}
	if len(props) > maxGrants {
		v.Add("properties", fmt.Sprintf("must list at most %d properties", maxGrants))
	} else if slices.ContainsFunc(props, func(c string) bool { return strings.TrimSpace(c) == "" || len(c) > maxIdentifierLength }) {
		v.Add("properties", "must hold property codes")
	}
	if len(centers) > maxGrants {
		v.Add("serviceCenters", fmt.Sprintf("must list at most %d service centers", maxGrants))
	} else if slices.ContainsFunc(centers, func(r ServiceCenterRef) bool {
		return strings.TrimSpace(r.Property) == "" || strings.TrimSpace(r.Code) == "" ||
			len(r.Property) > maxIdentifierLength || len(r.Code) > maxIdentifierLength
	}) {
		v.Add("serviceCenters", "must hold {property, code} pairs")
	}
	switch role {
	case RoleManager:
		if len(props) == 0 {
			v.Add("properties", "must list at least one property for a manager")
		}
	case RoleAgent:
		if len(centers) == 0 {
			v.Add("serviceCenters", "must list at least one service center for an agent")
		}
	}
}

// resolveGrants turns property codes and service center references into ids, each visible to
// p. Errors: PropertyNotFound; ServiceCenterNotFound.
func (s *Service) resolveGrants(ctx context.Context, p *Principal, props []string, centers []ServiceCenterRef) ([]int64, []int64, error) {
	var propIDs, centerIDs []int64
	for _, code := range props {
		prop, err := s.visibleProperty(ctx, p, code)
		if err != nil {
			return nil, nil, err
		}
		propIDs = append(propIDs, prop.ID)
	}
	for _, ref := range centers {
		prop, err := s.visibleProperty(ctx, p, ref.Property)
		if err != nil {
			return nil, nil, err
		}
		sc, err := s.serviceCenterAt(ctx, prop, ref.Code)
		if err != nil {
			return nil, nil, err
		}
		centerIDs = append(centerIDs, sc.ID)
	}
	return sortedIDs(propIDs), sortedIDs(centerIDs), nil
}

// managesUser reports whether p may see and manage staff user u, whose service centers are
// centers: an admin anyone; a manager an agent whose every service center and property is at
// one of the manager's properties (and who has at least one of them).
func managesUser(p *Principal, u StaffUser, centers []ServiceCenter) bool {
	switch {
	case p.IsAdmin():
		return true
	case p == nil || p.Role != RoleManager || u.Role != RoleAgent:
		return false
	case len(u.ServiceCenterIDs) == 0 && len(u.PropertyIDs) == 0:
		return false
	}
	for _, id := range u.PropertyIDs {
		if !p.CanSeeProperty(id) {
			return false
		}
	}
	for _, id := range u.ServiceCenterIDs {
		i := slices.IndexFunc(centers, func(sc ServiceCenter) bool { return sc.ID == id })
		if i < 0 || !p.CanSeeProperty(centers[i].PropertyID) {
			return false
		}
	}
	return true
}

// staffUserInfos resolves the grants of users to codes.
func (s *Service) staffUserInfos(ctx context.Context, users []StaffUser) ([]StaffUserInfo, error) {
	var centerIDs, propIDs []int64
	for _, u := range users {
		centerIDs = append(centerIDs, u.ServiceCenterIDs...)
		propIDs = append(propIDs, u.PropertyIDs...)
	}
	centers, err := s.store.ServiceCentersByIDs(ctx, sortedIDs(centerIDs))
	if err != nil {
		return nil, s.internal(ctx, "service centers by ids", err)
	}
	for _, sc := range centers {
		propIDs = append(propIDs, sc.PropertyID)
	}
	props, err := s.PropertiesByIDs(ctx, sortedIDs(propIDs))
	if err != nil {
		return nil, err
	}
	out := make([]StaffUserInfo, len(users))
	for i, u := range users {
		info := StaffUserInfo{User: u}
		for _, id := range u.PropertyIDs {
			if prop, ok := props[id]; ok {
				info.Properties = append(info.Properties, prop)
			}
		}
		for _, sc := range centers {
			if slices.Contains(u.ServiceCenterIDs, sc.ID) {
				info.ServiceCenters = append(info.ServiceCenters, ServiceCenterRef{Property: props[sc.PropertyID].Code, Code: sc.Code})
			}
		}
		out[i] = info
	}
	return out, nil
}

// managedUser finds the staff user with this username that p manages. Errors: Forbidden
// unless p is a manager or an admin; StaffUserNotFound when there is none or p does not
// manage them.
func (s *Service) managedUser(ctx context.Context, p *Principal, username string) (StaffUser, error) {
	if err := requireManager(p, "manage staff users"); err != nil {
		return StaffUser{}, err
	}
	username = strings.TrimSpace(username)
	notFound := Errorf(CodeStaffUserNotFound, "There is no staff user '%s'.", username)
	if username == "" || len(username) > maxUsernameLength {
		return StaffUser{}, notFound
	}
	u, err := s.store.StaffUserByUsername(ctx, username)
	if errors.Is(err, ErrNotFound) {
		return StaffUser{}, notFound
	}
	if err != nil {
		return StaffUser{}, s.internal(ctx, "staff user by username", err)
	}
	centers, err := s.store.ServiceCentersByIDs(ctx, u.ServiceCenterIDs)
	if err != nil {
		return StaffUser{}, s.internal(ctx, "service centers by ids", err)
	}
	if !managesUser(p, u, centers) {
		return StaffUser{}, notFound
	}
	return u, nil
}

// oneUserInfo resolves the grants of u.
func (s *Service) oneUserInfo(ctx context.Context, u StaffUser) (StaffUserInfo, error) {
	out, err := s.staffUserInfos(ctx, []StaffUser{u})
	if err != nil {
		return StaffUserInfo{}, err
	}
	return out[0], nil
}

// ListStaffUsers lists the staff users p manages (an admin all, a manager the agents of their
// properties) whose id is greater than afterID, ascending by id, at most limit (1 to
// MaxPageLength), and reports whether more follow. Errors: Forbidden unless p is a manager or
// an admin; ValidationFailed (field limit).
func (s *Service) ListStaffUsers(ctx context.Context, p *Principal, afterID int64, limit int) ([]StaffUserInfo, bool, error) {
	if err := requireManager(p, "manage staff users"); err != nil {
		return nil, false, err
	}
	if err := checkLimit(limit); err != nil {
		return nil, false, err
	}
	var users []StaffUser
	for len(users) <= limit {
		batch, err := s.store.ListStaffUsers(ctx, afterID, MaxPageLength)
		if err != nil {
			return nil, false, s.internal(ctx, "list staff users", err)
		}
		if len(batch) == 0 {
			break
		}
		var ids []int64
		for _, u := range batch {
			ids = append(ids, u.ServiceCenterIDs...)
		}
		centers, err := s.store.ServiceCentersByIDs(ctx, sortedIDs(ids))
		if err != nil {
			return nil, false, s.internal(ctx, "service centers by ids", err)
		}
		for _, u := range batch {
			if managesUser(p, u, centers) {
				users = append(users, u)
				if len(users) > limit {
					break
				}
			}
		}
		afterID = batch[len(batch)-1].ID
	}
	users, more := page(users, limit)
	out, err := s.staffUserInfos(ctx, users)
	return out, more, err
}

// AdminStaffUser returns the staff user with this username (case-insensitive) that p manages.
// Errors: Forbidden unless p is a manager or an admin; StaffUserNotFound.
func (s *Service) AdminStaffUser(ctx context.Context, p *Principal, username string) (StaffUserInfo, error) {
	u, err := s.managedUser(ctx, p, username)
	if err != nil {
		return StaffUserInfo{}, err
	}
	return s.oneUserInfo(ctx, u)
}

// CreateStaffUser creates a staff user with a password (hashed with argon2id). A manager may
// create only agents of their properties. Errors, in this order: Forbidden unless p is a
// manager or an admin, or when a manager asks for another role than agent; ValidationFailed
// (fields username, displayName, password, role, properties, serviceCenters);
// PropertyNotFound, ServiceCenterNotFound for a grant that names nothing p may see;
// AlreadyExists when the username is taken (case-insensitively).
func (s *Service) CreateStaffUser(ctx context.Context, p *Principal, in StaffUserInput) (StaffUserInfo, error) {
	if err := requireManager(p, "manage staff users"); err != nil {
		return StaffUserInfo{}, err
	}
	if !p.IsAdmin() && in.Role != RoleAgent && in.Role.Valid() {
		return StaffUserInfo{}, Errorf(CodeForbidden, "Managers may only create agents.")
	}
	var v Validation
	u := StaffUser{Username: strings.TrimSpace(in.Username), DisplayName: strings.TrimSpace(in.DisplayName),
		Role: in.Role, CreatedAt: s.now()}
	checkUsername(&v, u.Username)
	checkShortText(&v, "displayName", u.DisplayName, true)
	checkPassword(&v, in.Password)
	checkGrants(&v, in.Role, in.Properties, in.ServiceCenters)
	if err := v.Err(); err != nil {
		return StaffUserInfo{}, err
	}
	var err error
	if u.PropertyIDs, u.ServiceCenterIDs, err = s.resolveGrants(ctx, p, in.Properties, in.ServiceCenters); err != nil {
		return StaffUserInfo{}, err
	}
	if u.PasswordHash, err = s.hashPassword(ctx, in.Password); err != nil {
		return StaffUserInfo{}, err
	}
	audit := s.auditStaffUser(ctx, p, AuditStaffUserCreated, u)
	if err := s.credentials.CreateStaffUser(ctx, &u, audit); err != nil {
		return StaffUserInfo{}, s.conflictOr(ctx, "create staff user", err,
			fmt.Sprintf("A staff user named '%s' already exists.", u.Username))
	}
	s.logger.InfoContext(ctx, "staff user created", "user_id", u.ID, "role", string(u.Role), "by", p.String())
	return s.oneUserInfo(ctx, u)
}

// UpdateStaffUser changes the display name, role or grants of a staff user and returns them.
// Errors, in this order: Forbidden unless p is a manager or an admin; StaffUserNotFound;
// Forbidden when a manager asks for another role than agent, or when p changes their own role
// (no admin demotes the last admin by mistake); ValidationFailed (fields
// displayName, role, properties, serviceCenters); PropertyNotFound, ServiceCenterNotFound.
func (s *Service) UpdateStaffUser(ctx context.Context, p *Principal, username string, patch StaffUserPatch) (StaffUserInfo, error) {
	defer s.credentialsChanged() // live streams re-check their credential (service_events.go)
	u, err := s.managedUser(ctx, p, username)
	if err != nil {
		return StaffUserInfo{}, err
	}
	if patch.Role != nil && !p.IsAdmin() && *patch.Role != RoleAgent && patch.Role.Valid() {
		return StaffUserInfo{}, Errorf(CodeForbidden, "Managers may only manage agents.")
	}
	if patch.Role != nil && *patch.Role != u.Role && p.User != nil && p.User.ID == u.ID {
		return StaffUserInfo{}, Errorf(CodeForbidden, "You cannot change your own role.")
	}
	info, err := s.oneUserInfo(ctx, u)
	if err != nil {
		return StaffUserInfo{}, err
	}
	props := make([]string, 0, len(info.Properties))
	for _, prop := range info.Properties {
		props = append(props, prop.Code)
	}
	centers := info.ServiceCenters
	setIf(&u.Role, patch.Role)
	setIf(&props, patch.Properties)
	setIf(&centers, patch.ServiceCenters)
	var v Validation
	if patch.DisplayName != nil {
		u.DisplayName = strings.TrimSpace(*patch.DisplayName)
		checkShortText(&v, "displayName", u.DisplayName, true)
	}
	checkGrants(&v, u.Role, props, centers)
	if err := v.Err(); err != nil {
		return StaffUserInfo{}, err
	}
	if u.PropertyIDs, u.ServiceCenterIDs, err = s.resolveGrants(ctx, p, props, centers); err != nil {
		return StaffUserInfo{}, err
	}
	audit := s.auditStaffUser(ctx, p, AuditStaffUserUpdated, u)
	if _, err := s.credentials.UpdateStaffUser(ctx, u, time.Time{}, audit); err != nil {
		return StaffUserInfo{}, s.staffUserWriteErr(ctx, u, err)
	}
	s.logger.InfoContext(ctx, "staff user updated", "user_id", u.ID, "role", string(u.Role), "by", p.String())
	return s.oneUserInfo(ctx, u)
}

// staffUserWriteErr maps the store's error on writing u.
func (s *Service) staffUserWriteErr(ctx context.Context, u StaffUser, err error) error {
	if errors.Is(err, ErrNotFound) {
		return Errorf(CodeStaffUserNotFound, "There is no staff user '%s'.", u.Username)
	}
	return s.internal(ctx, "update staff user", err)
}

// SetStaffPassword replaces a staff user's password and ends every session of theirs (their
// tokens stop working; they log in again with the new password). Errors, in this order:
// Forbidden unless p is a manager or an admin; StaffUserNotFound; ValidationFailed (field
// password: at least MinPasswordLength characters).
func (s *Service) SetStaffPassword(ctx context.Context, p *Principal, username, pw string) (StaffUserInfo, error) {
	defer s.credentialsChanged() // live streams re-check their credential (service_events.go)
	u, err := s.managedUser(ctx, p, username)
	if err != nil {
		return StaffUserInfo{}, err
	}
	var v Validation
	checkPassword(&v, pw)
	if err := v.Err(); err != nil {
		return StaffUserInfo{}, err
	}
	if u.PasswordHash, err = s.hashPassword(ctx, pw); err != nil {
		return StaffUserInfo{}, err
	}
	// The new password and the end of the old sessions are one write: no old session outlives
	// the password it was opened with.
	audit := s.auditStaffUser(ctx, p, AuditStaffPasswordSet, u)
	n, err := s.credentials.UpdateStaffUser(ctx, u, s.now(), audit)
	if err != nil {
		return StaffUserInfo{}, s.staffUserWriteErr(ctx, u, err)
	}
	s.logger.InfoContext(ctx, "staff password set", "user_id", u.ID, "sessions_ended", n, "by", p.String())
	return s.oneUserInfo(ctx, u)
}

// SetStaffUserDisabled disables (disabled true) or enables a staff user and returns them. A
// disabled user cannot log in, and every session of theirs ends at once. Disabling a disabled
// user, or enabling an enabled one, changes nothing. Errors, in this order: Forbidden unless p
// is a manager or an admin; StaffUserNotFound; Forbidden when p disables themselves.
func (s *Service) SetStaffUserDisabled(ctx context.Context, p *Principal, username string, disabled bool) (StaffUserInfo, error) {
	defer s.credentialsChanged() // live streams re-check their credential (service_events.go)
	u, err := s.managedUser(ctx, p, username)
	if err != nil {
		return StaffUserInfo{}, err
	}
	if disabled && p.User != nil && p.User.ID == u.ID {
		return StaffUserInfo{}, Errorf(CodeForbidden, "You cannot disable your own account.")
	}
	if (u.DisabledAt != nil) != disabled {
		// Disabling and ending the user's sessions are one write: a disabled user keeps no
		// working session.
		var endSessionsAt time.Time
		action := AuditStaffUserEnabled
		if disabled {
			now := s.now()
			u.DisabledAt, endSessionsAt, action = &now, now, AuditStaffUserDisabled
		} else {
			u.DisabledAt = nil
		}
		n, err := s.credentials.UpdateStaffUser(ctx, u, endSessionsAt, s.auditStaffUser(ctx, p, action, u))
		if err != nil {
			return StaffUserInfo{}, s.staffUserWriteErr(ctx, u, err)
		}
		s.logger.InfoContext(ctx, "staff user disabled changed", "user_id", u.ID, "disabled", disabled,
			"sessions_ended", n, "by", p.String())
	}
	return s.oneUserInfo(ctx, u)
}
