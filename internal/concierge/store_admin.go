package concierge

import (
	"context"
)

// AdminStore persists what the admin API lists and changes: properties, service centers,
// outlets, staff users and interface tokens. It is part of Store.
//
// Lists are ascending by id, start after afterID and hold at most limit items (limit ≤ 0: all).
type AdminStore interface {
	// ListProperties lists properties whose id is greater than afterID.
	ListProperties(ctx context.Context, afterID int64, limit int) ([]Property, error)
	// UpdateProperty stores every field of p but its ID, Code and CreatedAt; ErrNotFound when
	// no property has p.ID.
	UpdateProperty(ctx context.Context, p Property) error

	// ServiceCenterByCode finds a service center of the property by code, case-insensitively;
	// ErrNotFound when none.
	ServiceCenterByCode(ctx context.Context, propertyID int64, code string) (ServiceCenter, error)
	// ListServiceCenters lists the property's service centers whose id is greater than afterID.
	ListServiceCenters(ctx context.Context, propertyID, afterID int64, limit int) ([]ServiceCenter, error)
	// UpdateServiceCenter stores the name and staff language of sc; ErrNotFound when no
	// service center has sc.ID.
	UpdateServiceCenter(ctx context.Context, sc ServiceCenter) error

	// OutletByCode finds an outlet of the property by code, case-insensitively, with its hours;
	// ErrNotFound when none.
	OutletByCode(ctx context.Context, propertyID int64, code string) (Outlet, error)
	// ListOutlets lists the property's outlets whose id is greater than afterID, with their
	// hours.
	ListOutlets(ctx context.Context, propertyID, afterID int64, limit int) ([]Outlet, error)
	// UpdateOutlet stores every field of o but its ID, PropertyID and Code, replacing its
	// opening hours as a whole (kept in the order given); ErrNotFound when no outlet has o.ID.
	UpdateOutlet(ctx context.Context, o Outlet) error

	// ListStaffUsers lists staff users whose id is greater than afterID, each with their
	// service center and property ids ascending.
	ListStaffUsers(ctx context.Context, afterID int64, limit int) ([]StaffUser, error)

	// InterfaceTokenByID finds an interface token, revoked or not, with its property ids
	// ascending; ErrNotFound when none.
	InterfaceTokenByID(ctx context.Context, id int64) (InterfaceToken, error)
	// ListInterfaceTokens lists interface tokens, revoked or not, whose id is greater than
	// afterID, each with its property ids ascending.
	ListInterfaceTokens(ctx context.Context, afterID int64, limit int) ([]InterfaceToken, error)
}
