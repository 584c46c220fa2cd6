package api

import "encoding/json"

// Stay is a booking as the hotel's PMS keeps it current.
type Stay struct {
	BookingReference string `json:"bookingReference"`
	RoomNumber       string `json:"roomNumber"`
	FirstName        string `json:"firstName"`
	LastName         string `json:"lastName"`
	LanguageCode     string `json:"languageCode"`
	Arrival          string `json:"arrival"`
	Departure        string `json:"departure"`
}

// StayRequest creates or replaces a stay (PUT …/stays/{bookingReference}).
type StayRequest struct {
	RoomNumber   string `json:"roomNumber"`
	FirstName    string `json:"firstName"`
	LastName     string `json:"lastName"`
	LanguageCode string `json:"languageCode"`
	Arrival      string `json:"arrival"`
	Departure    string `json:"departure"`
}

// StayPut is the answer of a stay upsert: "created", "updated" or "unchanged".
type StayPut struct {
	Result string `json:"result"`
	Stay   Stay   `json:"stay"`
}

// StayList is a page of a property's stays.
type StayList struct {
	Stays      []Stay `json:"stays"`
	NextCursor string `json:"nextCursor"`
}

// Rejection is a line of an import file that was not taken, and why.
type Rejection struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// ImportSummary counts what a stays or orders import did.
type ImportSummary struct {
	Created   int         `json:"created"`
	Updated   int         `json:"updated"`
	Unchanged int         `json:"unchanged"`
	Rejected  []Rejection `json:"rejected"`
}

// Order is a guest's order at an outlet, with its status.
type Order struct {
	Code             string `json:"code"`
	BookingReference string `json:"bookingReference"`
	OutletCode       string `json:"outletCode"`
	Status           string `json:"status"`
	UpdatedAt        string `json:"updatedAt"`
}

// OrderRequest creates or changes an order (PUT …/orders/{orderCode}).
type OrderRequest struct {
	BookingReference string `json:"bookingReference"`
	OutletCode       string `json:"outletCode"`
	Status           string `json:"status"`
}

// OrderPut is the answer of an order upsert, with the System messages its status change posted.
type OrderPut struct {
	Result         string `json:"result"`
	MessagesPosted int    `json:"messagesPosted"`
	Order          Order  `json:"order"`
}

// OrderList is a page of a property's orders.
type OrderList struct {
	Orders     []Order `json:"orders"`
	NextCursor string  `json:"nextCursor"`
}

// Webhook is a property's subscription of an HTTPS endpoint to event kinds.
type Webhook struct {
	ID        int64    `json:"id"`
	Property  string   `json:"property"`
	URL       string   `json:"url"`
	Kinds     []string `json:"kinds"`
	Enabled   bool     `json:"enabled"`
	CreatedAt string   `json:"createdAt"`
	UpdatedAt string   `json:"updatedAt"`
}

// CreatedWebhook is a new webhook with its signing secret, shown this once.
type CreatedWebhook struct {
	Webhook
	Secret string `json:"secret"`
}

// WebhookList is a property's webhooks.
type WebhookList struct {
	Webhooks []Webhook `json:"webhooks"`
}

// WebhookRequest creates a webhook (URL and Kinds required) or changes the fields it sets.
type WebhookRequest struct {
	URL     *string   `json:"url,omitempty"`
	Kinds   *[]string `json:"kinds,omitempty"`
	Secret  *string   `json:"secret,omitempty"`
	Enabled *bool     `json:"enabled,omitempty"`
}

// Delivery is one event's delivery to a webhook, with its attempts so far.
type Delivery struct {
	ID            string  `json:"id"`
	EventSeq      int64   `json:"eventSeq"`
	Kind          string  `json:"kind"`
	Status        string  `json:"status"`
	Attempts      int     `json:"attempts"`
	NextAttemptAt *string `json:"nextAttemptAt"`
	LastError     string  `json:"lastError"`
	LastStatus    int     `json:"lastStatus"`
	CreatedAt     string  `json:"createdAt"`
	DeliveredAt   *string `json:"deliveredAt"`
}

// DeliveryList is a page of a webhook's deliveries.
type DeliveryList struct {
	Deliveries []Delivery `json:"deliveries"`
	NextCursor string     `json:"nextCursor"`
}

// RedeliverRequest sends a webhook's deliveries created in [From, To) again (RFC 3339 times).
type RedeliverRequest struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Redelivered is the answer of a range redelivery: how many deliveries were sent again.
type Redelivered struct {
	Redelivered int `json:"redelivered"`
}

// GuestRef names the guest of a privacy request: a stay's booking reference or a
// non-verified guest's identifier.
type GuestRef struct {
	BookingReference string `json:"bookingReference,omitempty"`
	GuestIdentifier  string `json:"guestIdentifier,omitempty"`
}

// Export is everything Concierge keeps about one guest (a data subject access request).
type Export struct {
	ExportedAt    string            `json:"exportedAt"`
	Property      string            `json:"property"`
	Stay          *Stay             `json:"stay"`
	Guest         *ExportGuest      `json:"guest"`
	Sessions      []ExportSession   `json:"sessions"`
	Conversations []ExportConv      `json:"conversations"`
	Orders        []ExportOrder     `json:"orders"`
	LegalHolds    []ExportLegalHold `json:"legalHolds"`
}

// ExportGuest is a non-verified guest in an export.
type ExportGuest struct {
	Identifier string `json:"identifier"`
	CreatedAt  string `json:"createdAt"`
}

// ExportSession is one of the guest's sessions in an export.
type ExportSession struct {
	LanguageCode string  `json:"languageCode"`
	Version      string  `json:"version"`
	IssuedAt     string  `json:"issuedAt"`
	LastSeenAt   string  `json:"lastSeenAt"`
	RevokedAt    *string `json:"revokedAt"`
}

// ExportConv is one of the guest's conversations in an export, notes left out.
type ExportConv struct {
	Code           string          `json:"code"`
	ID             int64           `json:"id"`
	Outlet         string          `json:"outletCode"`
	Subject        string          `json:"subject"`
	Status         string          `json:"status"`
	Type           string          `json:"type"`
	GuestFirstName string          `json:"guestFirstName"`
	GuestLastName  string          `json:"guestLastName"`
	GuestLanguage  string          `json:"guestLanguageCode"`
	OrderForm      json.RawMessage `json:"orderForm"`
	CreatedAt      string          `json:"createdAt"`
	UpdatedAt      string          `json:"updatedAt"`
	Messages       []ExportMessage `json:"messages"`
}

// ExportMessage is a message in an export.
type ExportMessage struct {
	Code         string            `json:"code"`
	Seq          int64             `json:"seq"`
	Type         string            `json:"type"`
	Author       Author            `json:"author"`
	Content      string            `json:"content"`
	LanguageCode string            `json:"languageCode"`
	Translations map[string]string `json:"translations"`
	CreatedAt    string            `json:"createdAt"`
	ReadAt       *string           `json:"readAt"`
}

// ExportOrder is one of the guest's orders in an export.
type ExportOrder struct {
	Code      string `json:"code"`
	Status    string `json:"status"`
	Outlet    string `json:"outletCode"`
	UpdatedAt string `json:"updatedAt"`
}

// ExportLegalHold is a legal hold on one of the guest's conversations.
type ExportLegalHold struct {
	ConversationCode string `json:"conversationCode"`
	Reason           string `json:"reason"`
	SetBy            string `json:"setBy"`
	SetAt            string `json:"setAt"`
}

// Erasure counts what erasing a guest removed and what a legal hold kept.
type Erasure struct {
	Conversations int  `json:"conversationsErased"`
	Messages      int  `json:"messagesErased"`
	Held          int  `json:"conversationsHeld"`
	OwnerErased   bool `json:"guestErased"`
}

// Retention is how long a property keeps guest data after a stay or a non-verified guest's
// last activity.
type Retention struct {
	StayDays  int `json:"stayDays"`
	GuestDays int `json:"guestDays"`
}

// RetentionRequest changes the retention fields it sets.
type RetentionRequest struct {
	StayDays  *int `json:"stayDays,omitempty"`
	GuestDays *int `json:"guestDays,omitempty"`
}

// LegalHold is a conversation's legal hold, which keeps it from erasure.
type LegalHold struct {
	ConversationCode string  `json:"conversationCode"`
	Held             bool    `json:"held"`
	Reason           string  `json:"reason"`
	SetBy            string  `json:"setBy"`
	SetAt            *string `json:"setAt"`
}

// LegalHoldRequest puts a conversation under a legal hold.
type LegalHoldRequest struct {
	Reason string `json:"reason"`
}
