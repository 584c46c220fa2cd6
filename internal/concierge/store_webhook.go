package concierge

import (
	"context"
	"time"
)

// Webhook is a property's subscription to events (SPEC §8): every event of one of Kinds about
// a conversation of the property is POSTed to URL, signed with Secret. The event log is the
// outbox: Cursor is the seq of the last event the webhook has taken deliveries from, so a
// webhook needs no write in the event's transaction and delivers in seq order.
type Webhook struct {
	ID         int64
	PropertyID int64
	URL        string
	Kinds      []EventKind // ascending, without duplicates
	Secret     string
	Enabled    bool
	Cursor     int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// DeliveryStatus is where a webhook delivery stands.
type DeliveryStatus string

// The delivery statuses: pending (waiting for its first or next attempt), delivered (the
// receiver answered 2xx), dead (no success within the retry window).
const (
	DeliveryPending   DeliveryStatus = "pending"
	DeliveryDelivered DeliveryStatus = "delivered"
	DeliveryDead      DeliveryStatus = "dead"
)

// WebhookDelivery is one event to POST to one webhook, with its attempts so far. ID is the
// unique delivery id receivers de-duplicate by; every attempt and redelivery of the delivery
// sends the same ID and Body.
type WebhookDelivery struct {
	ID             string
	WebhookID      int64
	EventSeq       int64
	Kind           EventKind
	ConversationID int64
	Body           []byte // the JSON body, fixed when the delivery was made
	Status         DeliveryStatus
	Attempts       int
	NextAttemptAt  time.Time // when pending: not before this
	WindowStart    time.Time // retries stop (dead) a retry window after this
	LastError      string    // "" when none
	LastStatus     int       // the HTTP status of the last attempt; 0 when none answered
	CreatedAt      time.Time
	DeliveredAt    *time.Time
}

// DeliveryFilter selects deliveries of a webhook: newest event first, with EventSeq below
// BeforeSeq (0: from the newest), only Status when not "", at most Limit (≤ 0: all).
type DeliveryFilter struct {
	BeforeSeq int64
	Status    DeliveryStatus
	Limit     int
}

// Redelivery selects the deliveries of a webhook to send again: the one with ID when it is
// not "", otherwise those made in [From, To).
type Redelivery struct {
	ID       string
	From, To time.Time
}

// WebhookStore persists webhooks and their deliveries. It is part of Store. Writes that an
// admin makes take an audit entry and append it in their transaction.
type WebhookStore interface {
	// WebhookByID finds a webhook; ErrNotFound when none.
	WebhookByID(ctx context.Context, id int64) (Webhook, error)
	// ListWebhooks lists the webhooks of a property (0: of every property), ascending by id.
	ListWebhooks(ctx context.Context, propertyID int64) ([]Webhook, error)

	// AdvanceWebhook moves webhook id's cursor from from to to and stores ds (whose event
	// seqs are in (from, to]), in one transaction, and reports whether it did: false, storing
	// nothing, when the cursor is no longer at from (another process advanced it) or the
	// webhook is gone. A delivery of a seq already stored is skipped.
	AdvanceWebhook(ctx context.Context, id, from, to int64, ds []WebhookDelivery) (bool, error)
	// NextWebhookDelivery returns the pending delivery of the webhook with the lowest event
	// seq; ErrNotFound when none is pending.
	NextWebhookDelivery(ctx context.Context, webhookID int64) (WebhookDelivery, error)
	// ClaimWebhookDelivery moves a pending delivery's NextAttemptAt from expect to until (a
	// lease: nobody else attempts it before then) and reports whether it did: false when the
	// delivery is no longer pending at expect.
	ClaimWebhookDelivery(ctx context.Context, id string, expect, until time.Time) (bool, error)
	// RecordWebhookAttempt stores the outcome of an attempt — d's Status, Attempts,
	// NextAttemptAt, LastError, LastStatus and DeliveredAt — only while the attempt still holds
	// its lease (the delivery is pending with NextAttemptAt at lease, the until of its claim,
	// compared at the stored precision), and reports whether it did: false, storing nothing,
	// when the lease is gone (the delivery was redelivered or claimed again meanwhile).
	// ErrNotFound when d is gone.
	RecordWebhookAttempt(ctx context.Context, d WebhookDelivery, lease time.Time) (bool, error)
	// WebhookDeliveryByID finds a delivery of the webhook; ErrNotFound when none.
	WebhookDeliveryByID(ctx context.Context, webhookID int64, id string) (WebhookDelivery, error)
	// ListWebhookDeliveries lists a webhook's deliveries as f selects them.
	ListWebhookDeliveries(ctx context.Context, webhookID int64, f DeliveryFilter) ([]WebhookDelivery, error)
	// RedeliverWebhook makes the deliveries r selects pending again (attempts back to 0, next
	// attempt and retry window starting at at) and returns how many; ErrNotFound when r names
	// one delivery that the webhook does not have.
	RedeliverWebhook(ctx context.Context, webhookID int64, r Redelivery, at time.Time, audit *AuditEntry) (int, error)
}
