package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"concierge/api"
)

// List pages a staff-API list: Cursor from the previous page's NextCursor, Limit 0 for the
// server's default (50; at most 200).
type List struct {
	Cursor string
	Limit  int
}

func (l List) values() url.Values {
	v := url.Values{}
	if l.Cursor != "" {
		v.Set("cursor", l.Cursor)
	}
	if l.Limit > 0 {
		v.Set("limit", strconv.Itoa(l.Limit))
	}
	return v
}

func propertyPath(code string) string { return "/api/v1/properties/" + url.PathEscape(code) }

// Properties returns a page of the properties the caller may see.
func (s *Staff) Properties(ctx context.Context, l List) (*api.PropertyList, error) {
	var out api.PropertyList
	return &out, s.get(ctx, "/api/v1/properties", l.values(), &out)
}

// Property returns one property (PropertyNotFound).
func (s *Staff) Property(ctx context.Context, code string) (*api.Property, error) {
	var out api.Property
	return &out, s.get(ctx, propertyPath(code), nil, &out)
}

// CreateProperty creates a property (admins; AlreadyExists, ValidationFailed).
func (s *Staff) CreateProperty(ctx context.Context, req api.PropertyRequest) (*api.Property, error) {
	var out api.Property
	return &out, s.post(ctx, "/api/v1/properties", req, &out)
}

// UpdateProperty changes the fields req sets.
func (s *Staff) UpdateProperty(ctx context.Context, code string, req api.PropertyRequest) (*api.Property, error) {
	var out api.Property
	return &out, s.patch(ctx, propertyPath(code), req, &out)
}

// ServiceCenters returns a page of a property's service centers.
func (s *Staff) ServiceCenters(ctx context.Context, property string, l List) (*api.ServiceCenterList, error) {
	var out api.ServiceCenterList
	return &out, s.get(ctx, propertyPath(property)+"/service-centers", l.values(), &out)
}

// ServiceCenter returns one service center (ServiceCenterNotFound).
func (s *Staff) ServiceCenter(ctx context.Context, property, code string) (*api.ServiceCenter, error) {
	var out api.ServiceCenter
	return &out, s.get(ctx, propertyPath(property)+"/service-centers/"+url.PathEscape(code), nil, &out)
}

// CreateServiceCenter creates a service center at a property.
func (s *Staff) CreateServiceCenter(ctx context.Context, property string, req api.ServiceCenterRequest) (*api.ServiceCenter, error) {
	var out api.ServiceCenter
	return &out, s.post(ctx, propertyPath(property)+"/service-centers", req, &out)
}

// UpdateServiceCenter changes the fields req sets.
func (s *Staff) UpdateServiceCenter(ctx context.Context, property, code string, req api.ServiceCenterRequest) (*api.ServiceCenter, error) {
	var out api.ServiceCenter
	return &out, s.patch(ctx, propertyPath(property)+"/service-centers/"+url.PathEscape(code), req, &out)
}

// Outlets returns a page of a property's outlets.
func (s *Staff) Outlets(ctx context.Context, property string, l List) (*api.OutletList, error) {
	var out api.OutletList
	return &out, s.get(ctx, propertyPath(property)+"/outlets", l.values(), &out)
}

// Outlet returns one outlet (OutletNotFound).
func (s *Staff) Outlet(ctx context.Context, property, code string) (*api.Outlet, error) {
	var out api.Outlet
	return &out, s.get(ctx, propertyPath(property)+"/outlets/"+url.PathEscape(code), nil, &out)
}

// CreateOutlet creates an outlet at a property.
func (s *Staff) CreateOutlet(ctx context.Context, property string, req api.OutletRequest) (*api.Outlet, error) {
	var out api.Outlet
	return &out, s.post(ctx, propertyPath(property)+"/outlets", req, &out)
}

// UpdateOutlet changes the fields req sets.
func (s *Staff) UpdateOutlet(ctx context.Context, property, code string, req api.OutletRequest) (*api.Outlet, error) {
	var out api.Outlet
	return &out, s.patch(ctx, propertyPath(property)+"/outlets/"+url.PathEscape(code), req, &out)
}

func staffUserPath(username string) string { return "/api/v1/staff-users/" + url.PathEscape(username) }

// StaffUsers returns a page of the staff users the caller may see.
func (s *Staff) StaffUsers(ctx context.Context, l List) (*api.StaffUserList, error) {
	var out api.StaffUserList
	return &out, s.get(ctx, "/api/v1/staff-users", l.values(), &out)
}

// StaffUser returns one staff user (StaffUserNotFound).
func (s *Staff) StaffUser(ctx context.Context, username string) (*api.StaffUser, error) {
	var out api.StaffUser
	return &out, s.get(ctx, staffUserPath(username), nil, &out)
}

// CreateStaffUser creates a staff user.
func (s *Staff) CreateStaffUser(ctx context.Context, req api.StaffUserRequest) (*api.StaffUser, error) {
	var out api.StaffUser
	return &out, s.post(ctx, "/api/v1/staff-users", req, &out)
}

// UpdateStaffUser changes the fields req sets.
func (s *Staff) UpdateStaffUser(ctx context.Context, username string, req api.StaffUserRequest) (*api.StaffUser, error) {
	var out api.StaffUser
	return &out, s.patch(ctx, staffUserPath(username), req, &out)
}

// SetPassword sets a staff user's password; their logins end.
func (s *Staff) SetPassword(ctx context.Context, username, password string) (*api.StaffUser, error) {
	var out api.StaffUser
	return &out, s.put(ctx, staffUserPath(username)+"/password", api.PasswordRequest{Password: password}, &out)
}

// DisableStaffUser disables a staff user; their logins end.
func (s *Staff) DisableStaffUser(ctx context.Context, username string) (*api.StaffUser, error) {
	var out api.StaffUser
	return &out, s.post(ctx, staffUserPath(username)+"/disable", nil, &out)
}

// EnableStaffUser enables a disabled staff user.
func (s *Staff) EnableStaffUser(ctx context.Context, username string) (*api.StaffUser, error) {
	var out api.StaffUser
	return &out, s.post(ctx, staffUserPath(username)+"/enable", nil, &out)
}

// InterfaceTokens returns a page of the interface tokens.
func (s *Staff) InterfaceTokens(ctx context.Context, l List) (*api.InterfaceTokenList, error) {
	var out api.InterfaceTokenList
	return &out, s.get(ctx, "/api/v1/interface-tokens", l.values(), &out)
}

// CreateInterfaceToken creates an interface token; its secret is in the answer only. Nil
// Properties are sent as an empty list (the field is required).
func (s *Staff) CreateInterfaceToken(ctx context.Context, req api.InterfaceTokenRequest) (*api.CreatedInterfaceToken, error) {
	if req.Properties == nil {
		req.Properties = []string{}
	}
	var out api.CreatedInterfaceToken
	return &out, s.post(ctx, "/api/v1/interface-tokens", req, &out)
}

// RevokeInterfaceToken revokes an interface token (InterfaceTokenNotFound).
func (s *Staff) RevokeInterfaceToken(ctx context.Context, id int64) (*api.InterfaceToken, error) {
	var out api.InterfaceToken
	return &out, s.post(ctx, "/api/v1/interface-tokens/"+strconv.FormatInt(id, 10)+"/revoke", nil, &out)
}

// APIKeys returns a page of the API keys.
func (s *Staff) APIKeys(ctx context.Context, l List) (*api.APIKeyList, error) {
	var out api.APIKeyList
	return &out, s.get(ctx, "/api/v1/api-keys", l.values(), &out)
}

// CreateAPIKey creates an API key; its secret is in the answer only. Nil Properties are sent
// as an empty list, not null.
func (s *Staff) CreateAPIKey(ctx context.Context, req api.APIKeyRequest) (*api.CreatedAPIKey, error) {
	if req.Properties == nil {
		req.Properties = []string{}
	}
	var out api.CreatedAPIKey
	return &out, s.post(ctx, "/api/v1/api-keys", req, &out)
}

// RevokeAPIKey revokes an API key (APIKeyNotFound).
func (s *Staff) RevokeAPIKey(ctx context.Context, id int64) (*api.APIKey, error) {
	var out api.APIKey
	return &out, s.post(ctx, "/api/v1/api-keys/"+strconv.FormatInt(id, 10)+"/revoke", nil, &out)
}

// StayFilter narrows a stays list: stays current on a day (YYYY-MM-DD) or in a room.
type StayFilter struct {
	CurrentOn string
	Room      string
}

// Stays returns a page of a property's stays.
func (s *Staff) Stays(ctx context.Context, property string, f StayFilter, l List) (*api.StayList, error) {
	q := l.values()
	if f.CurrentOn != "" {
		q.Set("currentOn", f.CurrentOn)
	}
	if f.Room != "" {
		q.Set("room", f.Room)
	}
	var out api.StayList
	return &out, s.get(ctx, propertyPath(property)+"/stays", q, &out)
}

// Stay returns one stay (StayNotFound).
func (s *Staff) Stay(ctx context.Context, property, bookingReference string) (*api.Stay, error) {
	var out api.Stay
	return &out, s.get(ctx, propertyPath(property)+"/stays/"+url.PathEscape(bookingReference), nil, &out)
}

// PutStay creates or replaces a stay.
func (s *Staff) PutStay(ctx context.Context, property, bookingReference string, req api.StayRequest) (*api.StayPut, error) {
	var out api.StayPut
	return &out, s.put(ctx, propertyPath(property)+"/stays/"+url.PathEscape(bookingReference), req, &out)
}

// ImportStays imports a CSV (contentType text/csv) or JSON (application/json) file of stays.
func (s *Staff) ImportStays(ctx context.Context, property, contentType string, file []byte) (*api.ImportSummary, error) {
	return s.importFile(ctx, propertyPath(property)+"/stays/import", contentType, file)
}

// Orders returns a page of a property's orders, only those of status when it is not empty.
func (s *Staff) Orders(ctx context.Context, property, status string, l List) (*api.OrderList, error) {
	q := l.values()
	if status != "" {
		q.Set("status", status)
	}
	var out api.OrderList
	return &out, s.get(ctx, propertyPath(property)+"/orders", q, &out)
}

// Order returns one order (OrderNotFound).
func (s *Staff) Order(ctx context.Context, property, code string) (*api.Order, error) {
	var out api.Order
	return &out, s.get(ctx, propertyPath(property)+"/orders/"+url.PathEscape(code), nil, &out)
}

// PutOrder creates or changes an order; a status change posts a System message to the
// conversations about it.
func (s *Staff) PutOrder(ctx context.Context, property, code string, req api.OrderRequest) (*api.OrderPut, error) {
	var out api.OrderPut
	return &out, s.put(ctx, propertyPath(property)+"/orders/"+url.PathEscape(code), req, &out)
}

// ImportOrders imports a CSV or JSON file of orders.
func (s *Staff) ImportOrders(ctx context.Context, property, contentType string, file []byte) (*api.ImportSummary, error) {
	return s.importFile(ctx, propertyPath(property)+"/orders/import", contentType, file)
}

func (s *Staff) importFile(ctx context.Context, path, contentType string, file []byte) (*api.ImportSummary, error) {
	req := request{method: http.MethodPost, path: path, raw: file, contentType: contentType}
	if tok := s.Token(); tok != "" {
		req.header = http.Header{"Authorization": {"Bearer " + tok}}
	}
	var out api.ImportSummary
	return &out, s.send(ctx, req, &out)
}

// Glossary returns a property's glossary.
func (s *Staff) Glossary(ctx context.Context, property string) (*api.Glossary, error) {
	var out api.Glossary
	return &out, s.get(ctx, propertyPath(property)+"/glossary", nil, &out)
}

// PutGlossaryTerm adds a term the translator leaves as it is.
func (s *Staff) PutGlossaryTerm(ctx context.Context, property, term string) (*api.GlossaryTerm, error) {
	var out api.GlossaryTerm
	return &out, s.put(ctx, propertyPath(property)+"/glossary/"+url.PathEscape(term), nil, &out)
}

// DeleteGlossaryTerm removes a term (GlossaryTermNotFound).
func (s *Staff) DeleteGlossaryTerm(ctx context.Context, property, term string) error {
	return s.del(ctx, propertyPath(property)+"/glossary/"+url.PathEscape(term), nil)
}

// Audit returns a page of the audit log, newest first.
func (s *Staff) Audit(ctx context.Context, l List) (*api.AuditList, error) {
	var out api.AuditList
	return &out, s.get(ctx, "/api/v1/audit", l.values(), &out)
}

func webhookPath(property string, id int64) string {
	return propertyPath(property) + "/webhooks/" + strconv.FormatInt(id, 10)
}

// Webhooks returns a property's webhooks.
func (s *Staff) Webhooks(ctx context.Context, property string) (*api.WebhookList, error) {
	var out api.WebhookList
	return &out, s.get(ctx, propertyPath(property)+"/webhooks", nil, &out)
}

// Webhook returns one webhook (WebhookNotFound).
func (s *Staff) Webhook(ctx context.Context, property string, id int64) (*api.Webhook, error) {
	var out api.Webhook
	return &out, s.get(ctx, webhookPath(property, id), nil, &out)
}

// CreateWebhook subscribes an endpoint; the signing secret is in the answer only.
func (s *Staff) CreateWebhook(ctx context.Context, property string, req api.WebhookRequest) (*api.CreatedWebhook, error) {
	var out api.CreatedWebhook
	return &out, s.post(ctx, propertyPath(property)+"/webhooks", req, &out)
}

// UpdateWebhook changes the fields req sets.
func (s *Staff) UpdateWebhook(ctx context.Context, property string, id int64, req api.WebhookRequest) (*api.Webhook, error) {
	var out api.Webhook
	return &out, s.patch(ctx, webhookPath(property, id), req, &out)
}

// DeleteWebhook removes a webhook and its deliveries.
func (s *Staff) DeleteWebhook(ctx context.Context, property string, id int64) error {
	return s.del(ctx, webhookPath(property, id), nil)
}

// Deliveries returns a page of a webhook's deliveries, newest first, only those of status
// when it is not empty.
func (s *Staff) Deliveries(ctx context.Context, property string, id int64, status string, l List) (*api.DeliveryList, error) {
	q := l.values()
	if status != "" {
		q.Set("status", status)
	}
	var out api.DeliveryList
	return &out, s.get(ctx, webhookPath(property, id)+"/deliveries", q, &out)
}

// Delivery returns one delivery (DeliveryNotFound).
func (s *Staff) Delivery(ctx context.Context, property string, id int64, delivery string) (*api.Delivery, error) {
	var out api.Delivery
	return &out, s.get(ctx, webhookPath(property, id)+"/deliveries/"+url.PathEscape(delivery), nil, &out)
}

// Redeliver sends one delivery again.
func (s *Staff) Redeliver(ctx context.Context, property string, id int64, delivery string) (*api.Delivery, error) {
	var out api.Delivery
	return &out, s.post(ctx, webhookPath(property, id)+"/deliveries/"+url.PathEscape(delivery)+"/redeliver", nil, &out)
}

// RedeliverRange sends again every delivery created in the range and returns how many.
func (s *Staff) RedeliverRange(ctx context.Context, property string, id int64, req api.RedeliverRequest) (int, error) {
	var out api.Redelivered
	err := s.post(ctx, webhookPath(property, id)+"/redeliver", req, &out)
	return out.Redelivered, err
}

// ExportGuestData returns everything kept about a guest (StayNotFound, GuestNotFound).
func (s *Staff) ExportGuestData(ctx context.Context, property string, ref api.GuestRef) (*api.Export, error) {
	var out api.Export
	return &out, s.post(ctx, propertyPath(property)+"/guest-data/export", ref, &out)
}

// EraseGuestData erases a guest's data except what a legal hold keeps.
func (s *Staff) EraseGuestData(ctx context.Context, property string, ref api.GuestRef) (*api.Erasure, error) {
	var out api.Erasure
	return &out, s.post(ctx, propertyPath(property)+"/guest-data/erase", ref, &out)
}

// Retention returns a property's retention periods.
func (s *Staff) Retention(ctx context.Context, property string) (*api.Retention, error) {
	var out api.Retention
	return &out, s.get(ctx, propertyPath(property)+"/retention", nil, &out)
}

// SetRetention changes the retention fields req sets.
func (s *Staff) SetRetention(ctx context.Context, property string, req api.RetentionRequest) (*api.Retention, error) {
	var out api.Retention
	return &out, s.put(ctx, propertyPath(property)+"/retention", req, &out)
}

// LegalHold returns a conversation's legal hold.
func (s *Staff) LegalHold(ctx context.Context, code string) (*api.LegalHold, error) {
	var out api.LegalHold
	return &out, s.get(ctx, conversationPath(code)+"/legal-hold", nil, &out)
}

// SetLegalHold puts a conversation under a legal hold.
func (s *Staff) SetLegalHold(ctx context.Context, code, reason string) (*api.LegalHold, error) {
	var out api.LegalHold
	return &out, s.put(ctx, conversationPath(code)+"/legal-hold", api.LegalHoldRequest{Reason: reason}, &out)
}

// ReleaseLegalHold lifts a conversation's legal hold.
func (s *Staff) ReleaseLegalHold(ctx context.Context, code string) (*api.LegalHold, error) {
	var out api.LegalHold
	return &out, s.del(ctx, conversationPath(code)+"/legal-hold", &out)
}
