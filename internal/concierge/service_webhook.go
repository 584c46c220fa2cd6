package concierge

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// WebhookTargets checks that a URL may be a webhook's target (not the server's own network:
// SSRF). internal/webhook.Policy implements it.
type WebhookTargets interface {
	// CheckURL returns nil when rawURL may be a webhook's URL, otherwise an error whose text
	// says why, for the caller.
	CheckURL(ctx context.Context, rawURL string) error
}

// Webhook limits.
const (
	// WebhookSecretPrefix starts generated webhook secrets.
	WebhookSecretPrefix = "whsec_"
	minWebhookSecret    = 16
	maxWebhookSecret    = 200
	// maxWebhooksPerProperty bounds a property's webhooks.
	maxWebhooksPerProperty = 50
	// maxRedeliveryRange bounds the time range of one redelivery request.
	maxRedeliveryRange = 7 * 24 * time.Hour
)

// webhookKinds are the event kinds a webhook may subscribe to.
var webhookKinds = []EventKind{EventConversationUpdated, EventMessageCreated, EventMessageRead,
	EventMessageTranslated, EventOrderUpdated}

// WebhookInput describes a webhook to create. Secret nil: one is generated; Enabled nil: true.
type WebhookInput struct {
	URL     string
	Kinds   []string
	Secret  *string
	Enabled *bool
}

// WebhookPatch lists the fields of a webhook to change; nil fields stay as they are.
type WebhookPatch struct {
	URL     *string
	Kinds   *[]string
	Secret  *string
	Enabled *bool
}

// checkKinds validates event kind names and returns them ascending without duplicates.
func checkKinds(v *Validation, kinds []string) []EventKind {
	if len(kinds) == 0 {
		v.Add("kinds", "must list at least one event kind")
		return nil
	}
	var out []EventKind
	for _, k := range kinds {
		kind := EventKind(strings.TrimSpace(k))
		if !slices.Contains(webhookKinds, kind) {
			v.Add("kinds", fmt.Sprintf("must hold event kinds among %v", webhookKinds))
			return nil
		}
		if !slices.Contains(out, kind) {
			out = append(out, kind)
		}
	}
	slices.Sort(out)
	return out
}

// checkWebhookSecret validates a caller-chosen secret.
func checkWebhookSecret(v *Validation, secret string) {
	switch {
	case len(secret) < minWebhookSecret:
		v.Add("secret", fmt.Sprintf("must be at least %d characters", minWebhookSecret))
	case len(secret) > maxWebhookSecret:
		v.Add("secret", fmt.Sprintf("must be at most %d characters", maxWebhookSecret))
	case strings.ContainsFunc(secret, func(r rune) bool { return r < 0x21 || r == 0x7f }):
		v.Add("secret", "must be printable without spaces")
	}
}

// checkWebhookURL validates a URL: shape always, and the target policy when one is set.
func (s *Service) checkWebhookURL(ctx context.Context, v *Validation, raw string) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		v.Add("url", "is required")
		return
	}
	if !strings.HasPrefix(raw, "http://") && !strings.HasPrefix(raw, "https://") {
		v.Add("url", "must be an absolute http or https URL")
		return
	}
	if s.webhookTargets != nil {
		if err := s.webhookTargets.CheckURL(ctx, raw); err != nil {
			v.Add("url", err.Error())
		}
	}
}

// webhookAt finds webhook id of prop. Errors: WebhookNotFound (also for another property's).
func (s *Service) webhookAt(ctx context.Context, prop Property, id int64) (Webhook, error) {
	w, err := s.store.WebhookByID(ctx, id)
	if errors.Is(err, ErrNotFound) || (err == nil && w.PropertyID != prop.ID) {
		return Webhook{}, Errorf(CodeWebhookNotFound, "There is no webhook %d at this property.", id)
	}
	return w, s.internal(ctx, "webhook by id", err)
}

// CreateWebhook subscribes a URL to a property's events and returns the webhook with its
// secret: the caller's, or a generated one (shown this once). Errors, in this order: Forbidden
// unless p is a manager or an admin; PropertyNotFound; ValidationFailed (fields url: not an
// http(s) URL, or one that points to a non-public address; kinds; secret; or too many
// webhooks at the property).
func (s *Service) CreateWebhook(ctx context.Context, p *Principal, propertyCode string, in WebhookInput) (Webhook, error) {
	prop, err := s.managedProperty(ctx, p, propertyCode, "manage webhooks")
	if err != nil {
		return Webhook{}, err
	}
	var v Validation
	now := s.now()
	w := Webhook{PropertyID: prop.ID, URL: strings.TrimSpace(in.URL), Enabled: true, CreatedAt: now, UpdatedAt: now}
	s.checkWebhookURL(ctx, &v, in.URL)
	w.Kinds = checkKinds(&v, in.Kinds)
	if in.Secret != nil {
		checkWebhookSecret(&v, *in.Secret)
		w.Secret = *in.Secret
	} else {
		w.Secret = newSecret(WebhookSecretPrefix)
	}
	if in.Enabled != nil {
		w.Enabled = *in.Enabled
	}
	if err := v.Err(); err != nil {
		return Webhook{}, err
	}
	existing, err := s.store.ListWebhooks(ctx, prop.ID)
	if err != nil {
		return Webhook{}, s.internal(ctx, "list webhooks", err)
	}
	if len(existing) >= maxWebhooksPerProperty {
		v.Add("url", fmt.Sprintf("a property has at most %d webhooks", maxWebhooksPerProperty))
		return Webhook{}, v.Err()
	}
	audit := s.auditEntry(ctx, p, AuditWebhookCreated, "webhook", "", prop.ID, "url="+w.URL)
	if err := s.configuration.CreateWebhook(ctx, &w, audit); err != nil {
		return Webhook{}, s.internal(ctx, "create webhook", err)
	}
	s.logger.InfoContext(ctx, "webhook created", "webhook_id", w.ID, "property_id", prop.ID, "by", p.String())
	return w, nil
}

// ListWebhooks lists a property's webhooks, ascending by id. Errors: Forbidden unless p is a
// manager or an admin; PropertyNotFound.
func (s *Service) ListWebhooks(ctx context.Context, p *Principal, propertyCode string) ([]Webhook, error) {
	prop, err := s.managedProperty(ctx, p, propertyCode, "manage webhooks")
	if err != nil {
		return nil, err
	}
	ws, err := s.store.ListWebhooks(ctx, prop.ID)
	return ws, s.internal(ctx, "list webhooks", err)
}

// Webhook returns a property's webhook. Errors: Forbidden unless p is a manager or an admin;
// PropertyNotFound; WebhookNotFound.
func (s *Service) Webhook(ctx context.Context, p *Principal, propertyCode string, id int64) (Webhook, error) {
	prop, err := s.managedProperty(ctx, p, propertyCode, "manage webhooks")
	if err != nil {
		return Webhook{}, err
	}
	return s.webhookAt(ctx, prop, id)
}

// UpdateWebhook changes a webhook's URL, kinds, secret or enabled flag and returns it. A
// disabled webhook delivers nothing until enabled again; it then delivers what happened
// meanwhile (while the event log keeps it). Errors: Forbidden; PropertyNotFound;
// WebhookNotFound; ValidationFailed (fields url, kinds, secret).
func (s *Service) UpdateWebhook(ctx context.Context, p *Principal, propertyCode string, id int64, patch WebhookPatch) (Webhook, error) {
	prop, err := s.managedProperty(ctx, p, propertyCode, "manage webhooks")
	if err != nil {
		return Webhook{}, err
	}
	w, err := s.webhookAt(ctx, prop, id)
	if err != nil {
		return Webhook{}, err
	}
	var v Validation
	var changed []string
	if patch.URL != nil {
		s.checkWebhookURL(ctx, &v, *patch.URL)
		w.URL = strings.TrimSpace(*patch.URL)
		changed = append(changed, "url="+w.URL)
	}
	if patch.Kinds != nil {
		w.Kinds = checkKinds(&v, *patch.Kinds)
		changed = append(changed, "kinds")
	}
	if patch.Secret != nil {
		checkWebhookSecret(&v, *patch.Secret)
		w.Secret = *patch.Secret
		changed = append(changed, "secret")
	}
	if patch.Enabled != nil {
		w.Enabled = *patch.Enabled
		changed = append(changed, fmt.Sprintf("enabled=%t", w.Enabled))
	}
	if err := v.Err(); err != nil {
		return Webhook{}, err
	}
	w.UpdatedAt = s.now()
	audit := s.auditEntry(ctx, p, AuditWebhookUpdated, "webhook", idRef(w.ID), prop.ID, strings.Join(changed, " "))
	if err := s.configuration.UpdateWebhook(ctx, w, audit); err != nil {
		if errors.Is(err, ErrNotFound) {
			return Webhook{}, Errorf(CodeWebhookNotFound, "There is no webhook %d at this property.", id)
		}
		return Webhook{}, s.internal(ctx, "update webhook", err)
	}
	return w, nil
}

// DeleteWebhook deletes a webhook and its deliveries. Errors: Forbidden; PropertyNotFound;
// WebhookNotFound.
func (s *Service) DeleteWebhook(ctx context.Context, p *Principal, propertyCode string, id int64) error {
	prop, err := s.managedProperty(ctx, p, propertyCode, "manage webhooks")
	if err != nil {
		return err
	}
	w, err := s.webhookAt(ctx, prop, id)
	if err != nil {
		return err
	}
	audit := s.auditEntry(ctx, p, AuditWebhookDeleted, "webhook", idRef(w.ID), prop.ID, "url="+w.URL)
	if err := s.configuration.DeleteWebhook(ctx, w.ID, audit); err != nil {
		if errors.Is(err, ErrNotFound) {
			return Errorf(CodeWebhookNotFound, "There is no webhook %d at this property.", id)
		}
		return s.internal(ctx, "delete webhook", err)
	}
	return nil
}

// ListWebhookDeliveries lists a webhook's deliveries, newest event first: those with an event
// seq below beforeSeq (0: from the newest), of the status when not "", at most limit, and
// whether more follow. Errors: Forbidden; PropertyNotFound; WebhookNotFound; ValidationFailed
// (fields status, limit).
func (s *Service) ListWebhookDeliveries(ctx context.Context, p *Principal, propertyCode string, id int64, status string, beforeSeq int64, limit int) ([]WebhookDelivery, bool, error) {
	prop, err := s.managedProperty(ctx, p, propertyCode, "manage webhooks")
	if err != nil {
		return nil, false, err
	}
	st := DeliveryStatus(status)
	if st != "" && st != DeliveryPending && st != DeliveryDelivered && st != DeliveryDead {
		var v Validation
		v.Add("status", "must be pending, delivered or dead")
		return nil, false, v.Err()
	}
	if err := checkLimit(limit); err != nil {
		return nil, false, err
	}
	w, err := s.webhookAt(ctx, prop, id)
	if err != nil {
		return nil, false, err
	}
	ds, err := s.store.ListWebhookDeliveries(ctx, w.ID, DeliveryFilter{BeforeSeq: beforeSeq, Status: st, Limit: limit + 1})
	if err != nil {
		return nil, false, s.internal(ctx, "list webhook deliveries", err)
	}
	out, more := page(ds, limit)
	return out, more, nil
}

// WebhookDelivery returns one delivery of a webhook. Errors: Forbidden; PropertyNotFound;
// WebhookNotFound; DeliveryNotFound.
func (s *Service) WebhookDelivery(ctx context.Context, p *Principal, propertyCode string, id int64, deliveryID string) (WebhookDelivery, error) {
	prop, err := s.managedProperty(ctx, p, propertyCode, "manage webhooks")
	if err != nil {
		return WebhookDelivery{}, err
	}
	w, err := s.webhookAt(ctx, prop, id)
	if err != nil {
		return WebhookDelivery{}, err
	}
	d, err := s.store.WebhookDeliveryByID(ctx, w.ID, deliveryID)
	if errors.Is(err, ErrNotFound) {
		return WebhookDelivery{}, Errorf(CodeDeliveryNotFound, "Webhook %d has no delivery '%s'.", id, deliveryID)
	}
	return d, s.internal(ctx, "webhook delivery by id", err)
}

// Redeliver sends deliveries of a webhook again — the one r.ID names, or those made in
// [r.From, r.To) — with the same delivery id and body, a new retry window and attempts from 0,
// and returns how many. Errors: Forbidden; PropertyNotFound; WebhookNotFound;
// DeliveryNotFound; ValidationFailed (fields from, to: missing, reversed or more than 7 days
// apart).
func (s *Service) Redeliver(ctx context.Context, p *Principal, propertyCode string, id int64, r Redelivery) (int, error) {
	prop, err := s.managedProperty(ctx, p, propertyCode, "manage webhooks")
	if err != nil {
		return 0, err
	}
	if r.ID == "" {
		var v Validation
		switch {
		case r.From.IsZero() || r.To.IsZero():
			v.Add("from", "from and to are required without a delivery id")
		case !r.From.Before(r.To):
			v.Add("to", "must be after from")
		case r.To.Sub(r.From) > maxRedeliveryRange:
			v.Add("to", "must be at most 7 days after from")
		}
		if err := v.Err(); err != nil {
			return 0, err
		}
	}
	w, err := s.webhookAt(ctx, prop, id)
	if err != nil {
		return 0, err
	}
	detail := "delivery=" + r.ID
	if r.ID == "" {
		detail = "from=" + r.From.UTC().Format(time.RFC3339Nano) + " to=" + r.To.UTC().Format(time.RFC3339Nano)
	}
	audit := s.auditEntry(ctx, p, AuditWebhookRedelivered, "webhook", idRef(w.ID), prop.ID, detail)
	// Deliveries are scheduled in real time by the dispatcher, not on the service's clock.
	n, err := s.store.RedeliverWebhook(ctx, w.ID, r, time.Now(), audit)
	if errors.Is(err, ErrNotFound) {
		return 0, Errorf(CodeDeliveryNotFound, "Webhook %d has no delivery '%s'.", id, r.ID)
	}
	return n, s.internal(ctx, "redeliver webhook", err)
}
