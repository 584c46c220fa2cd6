package concierge

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"concierge/internal/password"
)

// The admin API (SPEC §5 "admin"): properties, service centers, outlets, staff users and
// interface tokens. Who may do what:
//
//   - an admin (staff user or API key) everything;
//   - a manager (staff user or API key) reads their own properties, and lists, creates and
//     updates the service centers and outlets of their properties and the agents who work
//     only there (whose every service center and property is one of the manager's);
//   - an agent nothing: every admin call answers Forbidden.
//
// Only admins create and update properties, manage managers and admins, and manage interface
// tokens (an integrator's token may span properties). Objects the caller may not see answer
// the same NotFound code as objects that do not exist.

// InterfaceTokenPrefix starts every interface token secret the admin API issues ("concierge
// interface token").
const InterfaceTokenPrefix = "cit_"

const (
	// maxCodeLength bounds property, service center and outlet codes.
	maxCodeLength = 50
	// maxUsernameLength bounds staff usernames.
	maxUsernameLength = 64
	// maxDescriptionLength bounds an outlet's description (characters).
	maxDescriptionLength = 1000
	// MinPasswordLength is the shortest staff password the admin API accepts (characters).
	MinPasswordLength = 10
	// maxOpeningHours bounds the intervals of one outlet.
	maxOpeningHours = 100
	// maxSortOrder bounds an outlet's sort order either way.
	maxSortOrder = 1_000_000
	// maxGrants bounds the properties or service centers listed in one request.
	maxGrants = 200
)

// requireManager answers Forbidden unless p is a manager or an admin.
func requireManager(p *Principal, what string) error {
	if p == nil || (p.Role != RoleManager && p.Role != RoleAdmin) {
		return Errorf(CodeForbidden, "Only managers and administrators may %s.", what)
	}
	return nil
}

// checkLimit answers ValidationFailed (field limit) unless 1 ≤ limit ≤ MaxPageLength.
func checkLimit(limit int) error {
	if limit < 1 || limit > MaxPageLength {
		var v Validation
		v.Add("limit", fmt.Sprintf("must be between 1 and %d", MaxPageLength))
		return v.Err()
	}
	return nil
}

// isCodeRune reports whether r may appear in a code: ASCII letters, digits, '-' and '_'.
func isCodeRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_'
}

// checkCode records a broken rule of a code: required, at most maxCodeLength characters of
// letters, digits, '-' and '_' (codes go into URLs).
func checkCode(v *Validation, field, value string) {
	switch {
	case value == "":
		v.Add(field, "is required")
	case len(value) > maxCodeLength:
		v.Add(field, fmt.Sprintf("must be at most %d characters", maxCodeLength))
	case strings.IndexFunc(value, func(r rune) bool { return !isCodeRune(r) }) >= 0:
		v.Add(field, "may hold only letters, digits, '-' and '_'")
	}
}

// checkTimeZone records a broken rule of an IANA time zone name.
func checkTimeZone(v *Validation, field, value string) {
	if value == "" {
		v.Add(field, "is required")
		return
	}
	if len(value) > 100 || value == "Local" || strings.ContainsRune(value, 0) {
		v.Add(field, "must be an IANA time zone name such as Europe/Madrid")
		return
	}
	if _, err := time.LoadLocation(value); err != nil {
		v.Add(field, "must be an IANA time zone name such as Europe/Madrid")
	}
}

// checkLanguage records a broken rule of a BCP 47 tag and returns the base language it is
// served as ("" when broken).
func checkLanguage(v *Validation, field, value string) string {
	if strings.TrimSpace(value) == "" {
		v.Add(field, "is required")
		return ""
	}
	lang, ok := NormalizeLanguage(value)
	if !ok {
		v.Add(field, "must be a BCP 47 language tag such as en or es-MX")
		return ""
	}
	return lang
}

// conflictOr maps a store's ErrConflict to AlreadyExists (with message), and anything else
// through internal.
func (s *Service) conflictOr(ctx context.Context, op string, err error, message string) error {
	if errors.Is(err, ErrConflict) {
		return Errorf(CodeAlreadyExists, "%s", message)
	}
	return s.internal(ctx, op, err)
}

// page cuts a list fetched with limit+1 items to limit and reports whether more follow.
func page[T any](items []T, limit int) ([]T, bool) {
	if len(items) > limit {
		return items[:limit], true
	}
	return items, false
}

// ---------------------------------------------------------------------------------------------
// Properties

// PropertyInput describes a property to create.
type PropertyInput struct {
	Code            string
	Name            string
	BrandCode       string
	GroupCode       string
	TimeZone        string // IANA name
	DefaultLanguage string // BCP 47; stored as its base language
	HideStaffNames  bool
}

// PropertyPatch changes some fields of a property: nil fields stay as they are. The code
// cannot change.
type PropertyPatch struct {
	Name            *string
	BrandCode       *string
	GroupCode       *string
	TimeZone        *string
	DefaultLanguage *string
	HideStaffNames  *bool
}

// validateProperty checks (and normalises) every field of prop but its code.
func validateProperty(v *Validation, prop *Property) {
	prop.Name = strings.TrimSpace(prop.Name)
	prop.BrandCode = strings.TrimSpace(prop.BrandCode)
	prop.GroupCode = strings.TrimSpace(prop.GroupCode)
	prop.TimeZone = strings.TrimSpace(prop.TimeZone)
	checkShortText(v, "name", prop.Name, true)
	checkShortText(v, "brandCode", prop.BrandCode, false)
	checkShortText(v, "groupCode", prop.GroupCode, false)
	checkTimeZone(v, "timeZone", prop.TimeZone)
	prop.DefaultLanguage = checkLanguage(v, "defaultLanguage", prop.DefaultLanguage)
}

// visibleProperty finds the property with this code (case-insensitively) that p may see.
// Errors: PropertyNotFound when there is none or p may not see it.
func (s *Service) visibleProperty(ctx context.Context, p *Principal, code string) (Property, error) {
	code = strings.TrimSpace(code)
	notFound := Errorf(CodePropertyNotFound, "There is no property '%s'.", code)
	if code == "" || len(code) > maxIdentifierLength {
		return Property{}, notFound
	}
	prop, err := s.store.PropertyByCode(ctx, code)
	if errors.Is(err, ErrNotFound) {
		return Property{}, notFound
	}
	if err != nil {
		return Property{}, s.internal(ctx, "property by code", err)
	}
	if !p.CanSeeProperty(prop.ID) {
		return Property{}, notFound
	}
	return prop, nil
}

// ListProperties lists the properties p may see (an admin all, a manager their own) whose id
// is greater than afterID, ascending by id, at most limit (1 to MaxPageLength), and reports
// whether more follow. Errors: Forbidden unless p is a manager or an admin; ValidationFailed
// (field limit).
func (s *Service) ListProperties(ctx context.Context, p *Principal, afterID int64, limit int) ([]Property, bool, error) {
	if err := requireManager(p, "read properties"); err != nil {
		return nil, false, err
	}
	if err := checkLimit(limit); err != nil {
		return nil, false, err
	}
	if p.IsAdmin() {
		props, err := s.store.ListProperties(ctx, afterID, limit+1)
		if err != nil {
			return nil, false, s.internal(ctx, "list properties", err)
		}
		out, more := page(props, limit)
		return out, more, nil
	}
	var props []Property
	for _, id := range p.PropertyIDs {
		if id <= afterID {
			continue
		}
		prop, err := s.store.PropertyByID(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, false, s.internal(ctx, "property by id", err)
		}
		props = append(props, prop)
		if len(props) > limit {
			break
		}
	}
	out, more := page(props, limit)
	return out, more, nil
}

// AdminProperty returns the property with this code that p may see. Errors: Forbidden unless p is
// a manager or an admin; PropertyNotFound when there is none or p may not see it.
func (s *Service) AdminProperty(ctx context.Context, p *Principal, code string) (Property, error) {
	if err := requireManager(p, "read properties"); err != nil {
		return Property{}, err
	}
	return s.visibleProperty(ctx, p, code)
}

// CreateProperty creates a property. Errors, in this order: Forbidden unless p is an admin;
// ValidationFailed (fields code, name, brandCode, groupCode, timeZone — an IANA name —,
// defaultLanguage — BCP 47); AlreadyExists when the code is taken (case-insensitively).
func (s *Service) CreateProperty(ctx context.Context, p *Principal, in PropertyInput) (Property, error) {
	if err := requireAdmin(p, "create properties"); err != nil {
		return Property{}, err
	}
	var v Validation
	prop := Property{Code: strings.TrimSpace(in.Code), Name: in.Name, BrandCode: in.BrandCode,
		GroupCode: in.GroupCode, TimeZone: in.TimeZone, DefaultLanguage: in.DefaultLanguage,
		HideStaffNames: in.HideStaffNames, CreatedAt: s.now()}
	checkCode(&v, "code", prop.Code)
	validateProperty(&v, &prop)
	if err := v.Err(); err != nil {
		return Property{}, err
	}
	if err := s.store.CreateProperty(ctx, &prop); err != nil {
		return Property{}, s.conflictOr(ctx, "create property", err,
			fmt.Sprintf("A property with the code '%s' already exists.", prop.Code))
	}
	s.logger.InfoContext(ctx, "property created", "property_id", prop.ID, "code", prop.Code, "by", p.String())
	return prop, nil
}

// UpdateProperty changes the fields of property code that patch sets and returns the
// property. Errors, in this order: Forbidden unless p is an admin; PropertyNotFound;
// ValidationFailed (as CreateProperty).
func (s *Service) UpdateProperty(ctx context.Context, p *Principal, code string, patch PropertyPatch) (Property, error) {
	if err := requireAdmin(p, "change properties"); err != nil {
		return Property{}, err
	}
	prop, err := s.visibleProperty(ctx, p, code)
	if err != nil {
		return Property{}, err
	}
	setIf(&prop.Name, patch.Name)
	setIf(&prop.BrandCode, patch.BrandCode)
	setIf(&prop.GroupCode, patch.GroupCode)
	setIf(&prop.TimeZone, patch.TimeZone)
	setIf(&prop.DefaultLanguage, patch.DefaultLanguage)
	setIf(&prop.HideStaffNames, patch.HideStaffNames)
	var v Validation
	validateProperty(&v, &prop)
	if err := v.Err(); err != nil {
		return Property{}, err
	}
	if err := s.store.UpdateProperty(ctx, prop); err != nil {
		if errors.Is(err, ErrNotFound) {
			return Property{}, Errorf(CodePropertyNotFound, "There is no property '%s'.", prop.Code)
		}
		return Property{}, s.internal(ctx, "update property", err)
	}
	s.logger.InfoContext(ctx, "property updated", "property_id", prop.ID, "by", p.String())
	return prop, nil
}

// setIf sets *dst to *src when src is not nil.
func setIf[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// ---------------------------------------------------------------------------------------------
// Service centers

// ServiceCenterInput describes a service center to create.
type ServiceCenterInput struct {
	Code          string
	Name          string
	StaffLanguage string // BCP 47; stored as its base language
}

// ServiceCenterPatch changes some fields of a service center: nil fields stay as they are. The
// code cannot change.
type ServiceCenterPatch struct {
	Name          *string
	StaffLanguage *string
}

// managedProperty finds property code for a caller who manages it: an admin, or a manager of
// it. Errors: Forbidden unless p is a manager or an admin; PropertyNotFound.
func (s *Service) managedProperty(ctx context.Context, p *Principal, code, what string) (Property, error) {
	if err := requireManager(p, what); err != nil {
		return Property{}, err
	}
	return s.visibleProperty(ctx, p, code)
}

// serviceCenterAt finds service center code at prop. Errors: ServiceCenterNotFound.
func (s *Service) serviceCenterAt(ctx context.Context, prop Property, code string) (ServiceCenter, error) {
	code = strings.TrimSpace(code)
	notFound := Errorf(CodeServiceCenterNotFound, "There is no service center '%s' at property '%s'.", code, prop.Code)
	if code == "" || len(code) > maxIdentifierLength {
		return ServiceCenter{}, notFound
	}
	sc, err := s.store.ServiceCenterByCode(ctx, prop.ID, code)
	if errors.Is(err, ErrNotFound) {
		return ServiceCenter{}, notFound
	}
	if err != nil {
		return ServiceCenter{}, s.internal(ctx, "service center by code", err)
	}
	return sc, nil
}

// ListServiceCenters lists the service centers of property propertyCode whose id is greater
// than afterID, ascending by id, at most limit (1 to MaxPageLength), and reports whether more
// follow. Errors: Forbidden unless p is a manager or an admin; PropertyNotFound (also for a
// property the manager does not manage); ValidationFailed (field limit).
func (s *Service) ListServiceCenters(ctx context.Context, p *Principal, propertyCode string, afterID int64, limit int) ([]ServiceCenter, bool, error) {
	prop, err := s.managedProperty(ctx, p, propertyCode, "manage service centers")
	if err != nil {
		return nil, false, err
	}
	if err := checkLimit(limit); err != nil {
		return nil, false, err
	}
	list, err := s.store.ListServiceCenters(ctx, prop.ID, afterID, limit+1)
	if err != nil {
		return nil, false, s.internal(ctx, "list service centers", err)
	}
	out, more := page(list, limit)
	return out, more, nil
}

// AdminServiceCenter returns service center code of property propertyCode. Errors: Forbidden
// unless p is a manager or an admin; PropertyNotFound; ServiceCenterNotFound.
func (s *Service) AdminServiceCenter(ctx context.Context, p *Principal, propertyCode, code string) (ServiceCenter, error) {
	prop, err := s.managedProperty(ctx, p, propertyCode, "manage service centers")
	if err != nil {
		return ServiceCenter{}, err
	}
	return s.serviceCenterAt(ctx, prop, code)
}

// CreateServiceCenter creates a service center at property propertyCode. Errors, in this
// order: Forbidden unless p is a manager or an admin; PropertyNotFound; ValidationFailed
// (fields code, name, staffLanguage); AlreadyExists when the property has a service center
// with this code.
func (s *Service) CreateServiceCenter(ctx context.Context, p *Principal, propertyCode string, in ServiceCenterInput) (ServiceCenter, error) {
	prop, err := s.managedProperty(ctx, p, propertyCode, "manage service centers")
	if err != nil {
		return ServiceCenter{}, err
	}
	var v Validation
	sc := ServiceCenter{PropertyID: prop.ID, Code: strings.TrimSpace(in.Code), Name: strings.TrimSpace(in.Name)}
	checkCode(&v, "code", sc.Code)
	checkShortText(&v, "name", sc.Name, true)
	sc.StaffLanguage = checkLanguage(&v, "staffLanguage", in.StaffLanguage)
	if err := v.Err(); err != nil {
		return ServiceCenter{}, err
	}
	if err := s.store.CreateServiceCenter(ctx, &sc); err != nil {
		return ServiceCenter{}, s.conflictOr(ctx, "create service center", err,
			fmt.Sprintf("Property '%s' already has a service center '%s'.", prop.Code, sc.Code))
	}
	s.logger.InfoContext(ctx, "service center created", "service_center_id", sc.ID, "property_id", prop.ID, "by", p.String())
	return sc, nil
}

// UpdateServiceCenter changes the fields of a service center that patch sets and returns it.
// Errors, in this order: Forbidden unless p is a manager or an admin; PropertyNotFound;
// ServiceCenterNotFound; ValidationFailed (fields name, staffLanguage).
func (s *Service) UpdateServiceCenter(ctx context.Context, p *Principal, propertyCode, code string, patch ServiceCenterPatch) (ServiceCenter, error) {
	prop, err := s.managedProperty(ctx, p, propertyCode, "manage service centers")
	if err != nil {
		return ServiceCenter{}, err
	}
	sc, err := s.serviceCenterAt(ctx, prop, code)
	if err != nil {
		return ServiceCenter{}, err
	}
	var v Validation
	if patch.Name != nil {
		sc.Name = strings.TrimSpace(*patch.Name)
		checkShortText(&v, "name", sc.Name, true)
	}
	if patch.StaffLanguage != nil {
		sc.StaffLanguage = checkLanguage(&v, "staffLanguage", *patch.StaffLanguage)
	}
	if err := v.Err(); err != nil {
		return ServiceCenter{}, err
	}
	if err := s.store.UpdateServiceCenter(ctx, sc); err != nil {
		if errors.Is(err, ErrNotFound) {
			return ServiceCenter{}, Errorf(CodeServiceCenterNotFound, "There is no service center '%s'.", sc.Code)
		}
		return ServiceCenter{}, s.internal(ctx, "update service center", err)
	}
	s.logger.InfoContext(ctx, "service center updated", "service_center_id", sc.ID, "by", p.String())
	return sc, nil
}

// ---------------------------------------------------------------------------------------------
// Outlets

// OpeningHoursInput is one opening interval as clients write it: an English day name
// ("Monday", "mon") and "HH:MM" open and close times in property time.
type OpeningHoursInput struct {
	Day   string
	Open  string
	Close string
}

// OutletInput describes an outlet to create.
type OutletInput struct {
	Code                   string
	Name                   string
	Description            string
	ServiceCenter          string // code of a service center of the same property
	AllowGuestMessages     bool
	AllowNonVerifiedGuests bool
	SortOrder              int
	OpeningHours           []OpeningHoursInput // empty: always open
}

// OutletPatch changes some fields of an outlet: nil fields stay as they are. OpeningHours,
// when set, replaces the hours as a whole (an empty list: always open). The code cannot
// change.
type OutletPatch struct {
	Name                   *string
	Description            *string
	ServiceCenter          *string
	AllowGuestMessages     *bool
	AllowNonVerifiedGuests *bool
	SortOrder              *int
	OpeningHours           *[]OpeningHoursInput
}

// OutletDetail is an outlet (as the admin API shows it) with the code of the service center that answers it.
type OutletDetail struct {
	Outlet            Outlet
	ServiceCenterCode string
}

// parseHours checks opening hours and returns them (field openingHours[i].day, .open,
// .close).
func parseHours(v *Validation, in []OpeningHoursInput) []OpeningHours {
	if len(in) > maxOpeningHours {
		v.Add("openingHours", fmt.Sprintf("must hold at most %d intervals", maxOpeningHours))
		return nil
	}
	out := make([]OpeningHours, 0, len(in))
	for i, h := range in {
		field := fmt.Sprintf("openingHours[%d]", i)
		var oh OpeningHours
		ok := true
		day, err := ParseWeekday(h.Day)
		if err != nil || len(h.Day) > 20 {
			v.Add(field+".day", "must be an English day name such as Monday")
			ok = false
		}
		open, err := ParseClock(h.Open)
		if err != nil || open == 24*60 {
			v.Add(field+".open", "must be a time HH:MM from 00:00 to 23:59")
			ok = false
		}
		closing, err := ParseClock(h.Close)
		if err != nil || closing == 0 && h.Close != "00:00" {
			v.Add(field+".close", "must be a time HH:MM from 00:00 to 24:00")
			ok = false
		}
		if !ok {
			continue
		}
		if closing == 0 {
			closing = 24 * 60 // "00:00" as a close is midnight at the end of the day
		}
		oh = OpeningHours{Day: day, Open: open, Close: closing}
		if err := oh.Validate(); err != nil {
			v.Add(field, "is not a valid interval")
			continue
		}
		out = append(out, oh)
	}
	return out
}

// validateOutlet checks the fields of o but its code and service center.
func validateOutlet(v *Validation, o *Outlet) {
	o.Name = strings.TrimSpace(o.Name)
	o.Description = strings.TrimSpace(o.Description)
	checkShortText(v, "name", o.Name, true)
	switch {
	case utf8.RuneCountInString(o.Description) > maxDescriptionLength:
		v.Add("description", fmt.Sprintf("must be at most %d characters", maxDescriptionLength))
	case strings.ContainsRune(o.Description, 0):
		v.Add("description", "must not contain NUL characters")
	}
	if o.SortOrder < -maxSortOrder || o.SortOrder > maxSortOrder {
		v.Add("sortOrder", fmt.Sprintf("must be between %d and %d", -maxSortOrder, maxSortOrder))
	}
}

// outletAt finds outlet code at prop. Errors: OutletNotFound.
func (s *Service) outletAt(ctx context.Context, prop Property, code string) (Outlet, error) {
	code = strings.TrimSpace(code)
	notFound := Errorf(CodeOutletNotFound, "There is no outlet '%s' at property '%s'.", code, prop.Code)
	if code == "" || len(code) > maxIdentifierLength {
		return Outlet{}, notFound
	}
	o, err := s.store.OutletByCode(ctx, prop.ID, code)
	if errors.Is(err, ErrNotFound) {
		return Outlet{}, notFound
	}
	if err != nil {
		return Outlet{}, s.internal(ctx, "outlet by code", err)
	}
	return o, nil
}

// outletInfos resolves the service center codes of outlets.
func (s *Service) outletInfos(ctx context.Context, outlets []Outlet) ([]OutletDetail, error) {
	ids := make([]int64, 0, len(outlets))
	for _, o := range outlets {
		ids = append(ids, o.ServiceCenterID)
	}
	centers, err := s.store.ServiceCentersByIDs(ctx, sortedIDs(ids))
	if err != nil {
		return nil, s.internal(ctx, "service centers by ids", err)
	}
	codes := make(map[int64]string, len(centers))
	for _, sc := range centers {
		codes[sc.ID] = sc.Code
	}
	out := make([]OutletDetail, len(outlets))
	for i, o := range outlets {
		out[i] = OutletDetail{Outlet: o, ServiceCenterCode: codes[o.ServiceCenterID]}
	}
	return out, nil
}

// AdminListOutlets lists the outlets of property propertyCode whose id is greater than afterID,
// ascending by id, with their hours, at most limit (1 to MaxPageLength), and reports whether
// more follow. Errors: Forbidden unless p is a manager or an admin; PropertyNotFound;
// ValidationFailed (field limit).
func (s *Service) AdminListOutlets(ctx context.Context, p *Principal, propertyCode string, afterID int64, limit int) ([]OutletDetail, bool, error) {
	prop, err := s.managedProperty(ctx, p, propertyCode, "manage outlets")
	if err != nil {
		return nil, false, err
	}
	if err := checkLimit(limit); err != nil {
		return nil, false, err
	}
	list, err := s.store.ListOutlets(ctx, prop.ID, afterID, limit+1)
	if err != nil {
		return nil, false, s.internal(ctx, "list outlets", err)
	}
	list, more := page(list, limit)
	out, err := s.outletInfos(ctx, list)
	return out, more, err
}

// AdminOutlet returns outlet code of property propertyCode. Errors: Forbidden unless p is a
// manager or an admin; PropertyNotFound; OutletNotFound.
func (s *Service) AdminOutlet(ctx context.Context, p *Principal, propertyCode, code string) (OutletDetail, error) {
	prop, err := s.managedProperty(ctx, p, propertyCode, "manage outlets")
	if err != nil {
		return OutletDetail{}, err
	}
	o, err := s.outletAt(ctx, prop, code)
	if err != nil {
		return OutletDetail{}, err
	}
	out, err := s.outletInfos(ctx, []Outlet{o})
	if err != nil {
		return OutletDetail{}, err
	}
	return out[0], nil
}

// CreateOutlet creates an outlet at property propertyCode. Errors, in this order: Forbidden
// unless p is a manager or an admin; PropertyNotFound; ValidationFailed (fields code, name,
// description, serviceCenter, sortOrder, openingHours[i].day/.open/.close);
// ServiceCenterNotFound when the property has no such service center; AlreadyExists when the
// property has an outlet with this code.
func (s *Service) CreateOutlet(ctx context.Context, p *Principal, propertyCode string, in OutletInput) (OutletDetail, error) {
	prop, err := s.managedProperty(ctx, p, propertyCode, "manage outlets")
	if err != nil {
		return OutletDetail{}, err
	}
	var v Validation
	o := Outlet{PropertyID: prop.ID, Code: strings.TrimSpace(in.Code), Name: in.Name, Description: in.Description,
		AllowGuestMessages: in.AllowGuestMessages, AllowNonVerifiedGuests: in.AllowNonVerifiedGuests,
		SortOrder: in.SortOrder}
	checkCode(&v, "code", o.Code)
	validateOutlet(&v, &o)
	checkShortText(&v, "serviceCenter", in.ServiceCenter, true)
	o.Hours = parseHours(&v, in.OpeningHours)
	if err := v.Err(); err != nil {
		return OutletDetail{}, err
	}
	sc, err := s.serviceCenterAt(ctx, prop, in.ServiceCenter)
	if err != nil {
		return OutletDetail{}, err
	}
	o.ServiceCenterID = sc.ID
	if err := s.store.CreateOutlet(ctx, &o); err != nil {
		return OutletDetail{}, s.conflictOr(ctx, "create outlet", err,
			fmt.Sprintf("Property '%s' already has an outlet '%s'.", prop.Code, o.Code))
	}
	s.logger.InfoContext(ctx, "outlet created", "outlet_id", o.ID, "property_id", prop.ID, "by", p.String())
	return OutletDetail{Outlet: o, ServiceCenterCode: sc.Code}, nil
}

// UpdateOutlet changes the fields of an outlet that patch sets (opening hours as a whole) and
// returns it. Errors, in this order: Forbidden unless p is a manager or an admin;
// PropertyNotFound; OutletNotFound; ValidationFailed (as CreateOutlet); ServiceCenterNotFound.
func (s *Service) UpdateOutlet(ctx context.Context, p *Principal, propertyCode, code string, patch OutletPatch) (OutletDetail, error) {
	prop, err := s.managedProperty(ctx, p, propertyCode, "manage outlets")
	if err != nil {
		return OutletDetail{}, err
	}
	o, err := s.outletAt(ctx, prop, code)
	if err != nil {
		return OutletDetail{}, err
	}
	setIf(&o.Name, patch.Name)
	setIf(&o.Description, patch.Description)
	setIf(&o.AllowGuestMessages, patch.AllowGuestMessages)
	setIf(&o.AllowNonVerifiedGuests, patch.AllowNonVerifiedGuests)
	setIf(&o.SortOrder, patch.SortOrder)
	var v Validation
	validateOutlet(&v, &o)
	if patch.ServiceCenter != nil {
		checkShortText(&v, "serviceCenter", *patch.ServiceCenter, true)
	}
	if patch.OpeningHours != nil {
		o.Hours = parseHours(&v, *patch.OpeningHours)
	}
	if err := v.Err(); err != nil {
		return OutletDetail{}, err
	}
	if patch.ServiceCenter != nil {
		sc, err := s.serviceCenterAt(ctx, prop, *patch.ServiceCenter)
		if err != nil {
			return OutletDetail{}, err
		}
		o.ServiceCenterID = sc.ID
	}
	if err := s.store.UpdateOutlet(ctx, o); err != nil {
		if errors.Is(err, ErrNotFound) {
			return OutletDetail{}, Errorf(CodeOutletNotFound, "There is no outlet '%s'.", o.Code)
		}
		return OutletDetail{}, s.internal(ctx, "update outlet", err)
	}
	s.logger.InfoContext(ctx, "outlet updated", "outlet_id", o.ID, "by", p.String())
	out, err := s.outletInfos(ctx, []Outlet{o})
	if err != nil {
		return OutletDetail{}, err
	}
	return out[0], nil
}

// ---------------------------------------------------------------------------------------------
// Staff users

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
	if u.PasswordHash, err = password.Hash(in.Password, password.Default); err != nil {
		return StaffUserInfo{}, s.internal(ctx, "hash password", err)
	}
	if err := s.store.CreateStaffUser(ctx, &u); err != nil {
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
	if err := s.store.UpdateStaffUser(ctx, u); err != nil {
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
	if u.PasswordHash, err = password.Hash(pw, password.Default); err != nil {
		return StaffUserInfo{}, s.internal(ctx, "hash password", err)
	}
	if err := s.store.UpdateStaffUser(ctx, u); err != nil {
		return StaffUserInfo{}, s.staffUserWriteErr(ctx, u, err)
	}
	n, err := s.store.RevokeStaffSessionsOfUser(ctx, u.ID, s.now())
	if err != nil {
		return StaffUserInfo{}, s.internal(ctx, "revoke staff sessions", err)
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
		if disabled {
			now := s.now()
			u.DisabledAt = &now
		} else {
			u.DisabledAt = nil
		}
		if err := s.store.UpdateStaffUser(ctx, u); err != nil {
			return StaffUserInfo{}, s.staffUserWriteErr(ctx, u, err)
		}
		n := 0
		if disabled {
			if n, err = s.store.RevokeStaffSessionsOfUser(ctx, u.ID, s.now()); err != nil {
				return StaffUserInfo{}, s.internal(ctx, "revoke staff sessions", err)
			}
		}
		s.logger.InfoContext(ctx, "staff user disabled changed", "user_id", u.ID, "disabled", disabled,
			"sessions_ended", n, "by", p.String())
	}
	return s.oneUserInfo(ctx, u)
}

// ---------------------------------------------------------------------------------------------
// Interface tokens

// InterfaceTokenInput describes an interface token to create.
type InterfaceTokenInput struct {
	Name          string
	PropertyCodes []string // at least one
}

// CreateInterfaceToken creates an integrator's interface token, granted guest-session
// initialisation at the listed properties, and returns its secret (InterfaceTokenPrefix and
// 32 random bytes in base64url), shown this once: only its SHA-256 is stored. Errors, in this
// order: Forbidden unless p is an admin; ValidationFailed (fields name, properties);
// PropertyNotFound.
func (s *Service) CreateInterfaceToken(ctx context.Context, p *Principal, in InterfaceTokenInput) (string, InterfaceToken, error) {
	if err := requireAdmin(p, "manage interface tokens"); err != nil {
		return "", InterfaceToken{}, err
	}
	var v Validation
	name := strings.TrimSpace(in.Name)
	checkShortText(&v, "name", name, true)
	switch {
	case len(in.PropertyCodes) == 0:
		v.Add("properties", "must list at least one property")
	case len(in.PropertyCodes) > maxGrants:
		v.Add("properties", fmt.Sprintf("must list at most %d properties", maxGrants))
	case slices.ContainsFunc(in.PropertyCodes, func(c string) bool { return strings.TrimSpace(c) == "" || len(c) > maxIdentifierLength }):
		v.Add("properties", "must hold property codes")
	}
	if err := v.Err(); err != nil {
		return "", InterfaceToken{}, err
	}
	ids, _, err := s.resolveGrants(ctx, p, in.PropertyCodes, nil)
	if err != nil {
		return "", InterfaceToken{}, err
	}
	secret := newSecret(InterfaceTokenPrefix)
	t := InterfaceToken{Name: name, Hash: HashSecret(secret), PropertyIDs: ids, CreatedAt: s.now()}
	if err := s.store.CreateInterfaceToken(ctx, &t); err != nil {
		return "", InterfaceToken{}, s.internal(ctx, "create interface token", err)
	}
	s.logger.InfoContext(ctx, "interface token created", "interface_token_id", t.ID, "by", p.String())
	return secret, t, nil
}

// ListInterfaceTokens lists the interface tokens, revoked or not, without their secrets:
// those whose id is greater than afterID, ascending by id, at most limit (1 to MaxPageLength),
// and reports whether more follow. Errors: Forbidden unless p is an admin; ValidationFailed
// (field limit).
func (s *Service) ListInterfaceTokens(ctx context.Context, p *Principal, afterID int64, limit int) ([]InterfaceToken, bool, error) {
	if err := requireAdmin(p, "manage interface tokens"); err != nil {
		return nil, false, err
	}
	if err := checkLimit(limit); err != nil {
		return nil, false, err
	}
	list, err := s.store.ListInterfaceTokens(ctx, afterID, limit+1)
	if err != nil {
		return nil, false, s.internal(ctx, "list interface tokens", err)
	}
	out, more := page(list, limit)
	return out, more, nil
}

// RevokeInterfaceToken revokes interface token id and returns it: guest sessions can no longer
// be initialised with it (InterfaceTokenInvalid); sessions opened with it before go on. Revoking
// a revoked token changes nothing. Errors: Forbidden unless p is an admin;
// InterfaceTokenNotFound when no token has this id.
func (s *Service) RevokeInterfaceToken(ctx context.Context, p *Principal, id int64) (InterfaceToken, error) {
	if err := requireAdmin(p, "manage interface tokens"); err != nil {
		return InterfaceToken{}, err
	}
	err := s.store.RevokeInterfaceToken(ctx, id, s.now())
	if err != nil && !errors.Is(err, ErrNotFound) {
		return InterfaceToken{}, s.internal(ctx, "revoke interface token", err)
	}
	revoked := err == nil
	t, err := s.store.InterfaceTokenByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return InterfaceToken{}, Errorf(CodeInterfaceTokenNotFound, "There is no interface token %d.", id)
	}
	if err != nil {
		return InterfaceToken{}, s.internal(ctx, "interface token by id", err)
	}
	if revoked {
		s.logger.InfoContext(ctx, "interface token revoked", "interface_token_id", id, "by", p.String())
	}
	return t, nil
}
