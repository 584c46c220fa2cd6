package concierge

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

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
	err = s.store.CreateOutlet(ctx, &o)
	if err != nil {
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
	err = s.store.UpdateOutlet(ctx, o)
	if err != nil {
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
