package api

// Property is a hotel (admin API).
type Property struct {
	Code            string `json:"code"`
	Name            string `json:"name"`
	BrandCode       string `json:"brandCode"`
	GroupCode       string `json:"groupCode"`
	TimeZone        string `json:"timeZone"`
	DefaultLanguage string `json:"defaultLanguage"`
	HideStaffNames  bool   `json:"hideStaffNames"`
	CreatedAt       string `json:"createdAt"`
}

// PropertyList is a page of properties.
type PropertyList struct {
	Properties []Property `json:"properties"`
	NextCursor string     `json:"nextCursor"`
}

// PropertyRequest creates a property (Code, Name and TimeZone required) or changes the fields
// it sets.
type PropertyRequest struct {
	Code            *string `json:"code,omitempty"`
	Name            *string `json:"name,omitempty"`
	BrandCode       *string `json:"brandCode,omitempty"`
	GroupCode       *string `json:"groupCode,omitempty"`
	TimeZone        *string `json:"timeZone,omitempty"`
	DefaultLanguage *string `json:"defaultLanguage,omitempty"`
	HideStaffNames  *bool   `json:"hideStaffNames,omitempty"`
}

// ServiceCenter is a team that answers some outlets of a property, in its staff language.
type ServiceCenter struct {
	Code          string `json:"code"`
	Name          string `json:"name"`
	StaffLanguage string `json:"staffLanguage"`
}

// ServiceCenterList is a page of a property's service centers.
type ServiceCenterList struct {
	ServiceCenters []ServiceCenter `json:"serviceCenters"`
	NextCursor     string          `json:"nextCursor"`
}

// ServiceCenterRequest creates a service center or changes the fields it sets.
type ServiceCenterRequest struct {
	Code          *string `json:"code,omitempty"`
	Name          *string `json:"name,omitempty"`
	StaffLanguage *string `json:"staffLanguage,omitempty"`
}

// Outlet is a property's outlet as admins see it.
type Outlet struct {
	Code                   string         `json:"code"`
	Name                   string         `json:"name"`
	Description            string         `json:"description"`
	ServiceCenter          string         `json:"serviceCenter"`
	AllowGuestMessages     bool           `json:"allowGuestMessages"`
	AllowNonVerifiedGuests bool           `json:"allowNonVerifiedGuests"`
	SortOrder              int            `json:"sortOrder"`
	OpeningHours           []OpeningHours `json:"openingHours"`
}

// OutletList is a page of a property's outlets.
type OutletList struct {
	Outlets    []Outlet `json:"outlets"`
	NextCursor string   `json:"nextCursor"`
}

// OutletRequest creates an outlet or changes the fields it sets (OpeningHours replaces them
// all; an empty list means always open).
type OutletRequest struct {
	Code                   *string         `json:"code,omitempty"`
	Name                   *string         `json:"name,omitempty"`
	Description            *string         `json:"description,omitempty"`
	ServiceCenter          *string         `json:"serviceCenter,omitempty"`
	AllowGuestMessages     *bool           `json:"allowGuestMessages,omitempty"`
	AllowNonVerifiedGuests *bool           `json:"allowNonVerifiedGuests,omitempty"`
	SortOrder              *int            `json:"sortOrder,omitempty"`
	OpeningHours           *[]OpeningHours `json:"openingHours,omitempty"`
}

// CenterRef names a service center of a property.
type CenterRef struct {
	Property string `json:"property"`
	Code     string `json:"code"`
}

// StaffUser is a staff account as admins see it.
type StaffUser struct {
	ID             int64       `json:"id"`
	Username       string      `json:"username"`
	DisplayName    string      `json:"displayName"`
	Role           string      `json:"role"`
	Properties     []string    `json:"properties"`
	ServiceCenters []CenterRef `json:"serviceCenters"`
	Disabled       bool        `json:"disabled"`
	CreatedAt      string      `json:"createdAt"`
	DisabledAt     *string     `json:"disabledAt"`
}

// StaffUserList is a page of staff users.
type StaffUserList struct {
	StaffUsers []StaffUser `json:"staffUsers"`
	NextCursor string      `json:"nextCursor"`
}

// StaffUserRequest creates a staff user or changes the fields it sets.
type StaffUserRequest struct {
	Username       *string      `json:"username,omitempty"`
	DisplayName    *string      `json:"displayName,omitempty"`
	Password       *string      `json:"password,omitempty"`
	Role           *string      `json:"role,omitempty"`
	Properties     *[]string    `json:"properties,omitempty"`
	ServiceCenters *[]CenterRef `json:"serviceCenters,omitempty"`
}

// PasswordRequest sets a staff user's password.
type PasswordRequest struct {
	Password string `json:"password"`
}

// InterfaceToken is an integrator's credential for opening guest sessions at some properties.
type InterfaceToken struct {
	ID         int64    `json:"id"`
	Name       string   `json:"name"`
	Properties []string `json:"properties"`
	CreatedAt  string   `json:"createdAt"`
	RevokedAt  *string  `json:"revokedAt"`
}

// CreatedInterfaceToken is a new interface token with its secret, shown this once.
type CreatedInterfaceToken struct {
	InterfaceToken
	Secret string `json:"secret"`
}

// InterfaceTokenList is a page of interface tokens.
type InterfaceTokenList struct {
	InterfaceTokens []InterfaceToken `json:"interfaceTokens"`
	NextCursor      string           `json:"nextCursor"`
}

// InterfaceTokenRequest creates an interface token for some properties.
type InterfaceTokenRequest struct {
	Name       string   `json:"name"`
	Properties []string `json:"properties"`
}

// APIKey is a hotel system's credential for the staff API.
type APIKey struct {
	ID         int64    `json:"id"`
	Name       string   `json:"name"`
	Role       string   `json:"role"`
	Properties []string `json:"properties"`
	CreatedAt  string   `json:"createdAt"`
	RevokedAt  *string  `json:"revokedAt"`
}

// CreatedAPIKey is a new API key with its secret, shown this once.
type CreatedAPIKey struct {
	APIKey
	Secret string `json:"secret"`
}

// APIKeyList is a page of API keys.
type APIKeyList struct {
	APIKeys    []APIKey `json:"apiKeys"`
	NextCursor string   `json:"nextCursor"`
}

// APIKeyRequest creates an API key with a role for some properties (none for an admin key).
type APIKeyRequest struct {
	Name       string   `json:"name"`
	Role       string   `json:"role"`
	Properties []string `json:"properties"`
}

// GlossaryTerm is a word the translator leaves as it is.
type GlossaryTerm struct {
	Term      string `json:"term"`
	CreatedAt string `json:"createdAt"`
}

// Glossary is a property's glossary.
type Glossary struct {
	Terms []GlossaryTerm `json:"terms"`
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID         int64   `json:"id"`
	At         string  `json:"at"`
	ActorKind  string  `json:"actorKind"`
	ActorID    *int64  `json:"actorId"`
	ActorName  string  `json:"actorName"`
	Action     string  `json:"action"`
	ObjectKind string  `json:"objectKind"`
	ObjectRef  string  `json:"objectRef"`
	Property   *string `json:"property"`
	Client     string  `json:"client"`
	Detail     string  `json:"detail"`
}

// AuditList is a page of the audit log, newest first.
type AuditList struct {
	Entries    []AuditEntry `json:"entries"`
	NextCursor string       `json:"nextCursor"`
}
