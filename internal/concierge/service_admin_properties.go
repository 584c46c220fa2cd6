package concierge

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

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
	err = s.store.UpdateProperty(ctx, prop)
	if err != nil {
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
