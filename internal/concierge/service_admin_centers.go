package concierge

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

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
	err = s.store.UpdateServiceCenter(ctx, sc)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return ServiceCenter{}, Errorf(CodeServiceCenterNotFound, "There is no service center '%s'.", sc.Code)
		}
		return ServiceCenter{}, s.internal(ctx, "update service center", err)
	}
	s.logger.InfoContext(ctx, "service center updated", "service_center_id", sc.ID, "by", p.String())
	return sc, nil
}
