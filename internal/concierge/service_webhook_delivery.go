package concierge

import (
	"context"
	"errors"
	"slices"
	"time"
)

// The dispatcher's side of webhooks (internal/webhook): it reads the event log after each
// webhook's cursor, takes the events the webhook subscribed to as deliveries, and records the
// outcome of each attempt. None of these calls check a principal: the dispatcher is the
// server itself.

// WebhookEvent is an event as a webhook delivers it: the staff shape of what changed, and the
// code of its property.
type WebhookEvent struct {
	StaffEvent
	PropertyCode string
}

// ActiveWebhooks lists the enabled webhooks of every property. Errors: InternalError.
func (s *Service) ActiveWebhooks(ctx context.Context) ([]Webhook, error) {
	ws, err := s.store.ListWebhooks(ctx, 0)
	if err != nil {
		return nil, s.internal(ctx, "list webhooks", err)
	}
	return slices.DeleteFunc(ws, func(w Webhook) bool { return !w.Enabled }), nil
}

// WebhookByID returns a webhook as it is now. Errors: WebhookNotFound; InternalError.
func (s *Service) WebhookByID(ctx context.Context, id int64) (Webhook, error) {
	w, err := s.store.WebhookByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Webhook{}, Errorf(CodeWebhookNotFound, "There is no webhook %d.", id)
	}
	return w, s.internal(ctx, "webhook by id", err)
}

// WebhookEvents reads up to limit log entries after w's cursor and returns those w delivers
// (its property's, of its kinds, whose conversation still exists; the state of what changed
// as staff see it now) and the seq of the last entry read (w.Cursor when none).
// Errors: InternalError.
func (s *Service) WebhookEvents(ctx context.Context, w Webhook, limit int) ([]WebhookEvent, int64, error) {
	events, err := s.eventsAfter(ctx, w.Cursor, limit)
	if err != nil {
		return nil, w.Cursor, s.internal(ctx, "events after", err)
	}
	next := w.Cursor
	var out []WebhookEvent
	var prop *Property
	states := map[int64]*StaffConversation{}
	for _, ev := range events {
		next = ev.Seq
		if ev.PropertyID != w.PropertyID || !slices.Contains(w.Kinds, ev.Kind) {
			continue
		}
		if prop == nil {
			p, err := s.store.PropertyByID(ctx, w.PropertyID)
			if err != nil {
				return nil, w.Cursor, s.internal(ctx, "property by id", err)
			}
			prop = &p
		}
		sc, seen := states[ev.ConversationID]
		if !seen {
			if sc, err = s.loadStaffEventState(ctx, ev.ConversationID); err != nil {
				return nil, w.Cursor, err
			}
			states[ev.ConversationID] = sc
		}
		if sc == nil || sc.PropertyID != w.PropertyID {
			continue // erased, or moved to another property
		}
		se := StaffEvent{Event: ev, ConversationCode: sc.Code}
		switch ev.Kind {
		case EventMessageCreated, EventMessageTranslated:
			if ev.MessageID == nil {
				continue
			}
			for i := range sc.Messages {
				if sc.Messages[i].ID == *ev.MessageID {
					m := sc.Messages[i]
					se.Message = &m
				}
			}
			if se.Message == nil {
				continue
			}
		case EventOrderUpdated:
			if sc.Order == nil {
				continue
			}
			se.Order = sc.Order
			se.Conversation = withoutMessages(sc)
		default:
			se.Conversation = withoutMessages(sc)
		}
		out = append(out, WebhookEvent{StaffEvent: se, PropertyCode: prop.Code})
	}
	return out, next, nil
}

// TakeWebhookDeliveries moves w's cursor from w.Cursor to next and stores ds, at once, and
// reports whether it did (false: another process took these events first).
// Errors: InternalError.
func (s *Service) TakeWebhookDeliveries(ctx context.Context, w Webhook, next int64, ds []WebhookDelivery) (bool, error) {
	ok, err := s.store.AdvanceWebhook(ctx, w.ID, w.Cursor, next, ds)
	return ok, s.internal(ctx, "advance webhook", err)
}

// NextWebhookDelivery returns the pending delivery of the webhook with the lowest event seq,
// and false when none is pending. Errors: InternalError.
func (s *Service) NextWebhookDelivery(ctx context.Context, webhookID int64) (WebhookDelivery, bool, error) {
	d, err := s.store.NextWebhookDelivery(ctx, webhookID)
	if errors.Is(err, ErrNotFound) {
		return WebhookDelivery{}, false, nil
	}
	return d, err == nil, s.internal(ctx, "next webhook delivery", err)
}

// ClaimWebhookDelivery leases a pending delivery until until (see
// WebhookStore.ClaimWebhookDelivery). Errors: InternalError.
func (s *Service) ClaimWebhookDelivery(ctx context.Context, d WebhookDelivery, until time.Time) (bool, error) {
	ok, err := s.store.ClaimWebhookDelivery(ctx, d.ID, d.NextAttemptAt, until)
	return ok, s.internal(ctx, "claim webhook delivery", err)
}

// RecordWebhookAttempt stores the outcome of an attempt that claimed d until lease, and
// reports whether it did: false when the attempt no longer holds its lease (a manager
// redelivered d, or another dispatcher claimed it after the lease ended), whose outcome must
// not overwrite the newer state, and when d is gone meanwhile (erased, its webhook deleted),
// which is not an error. Errors: InternalError.
func (s *Service) RecordWebhookAttempt(ctx context.Context, d WebhookDelivery, lease time.Time) (bool, error) {
	ok, err := s.store.RecordWebhookAttempt(ctx, d, lease)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return ok, s.internal(ctx, "record webhook attempt", err)
}
