package staffapi

import (
	"encoding/json"

	"concierge/internal/concierge"
)

// webhookBodyJSON is the body of a webhook delivery: the delivery id, the event (kind, seq,
// time, property, conversation) and the changed object in the staff shapes of the
// conversation routes, as in a staff event stream.
type webhookBodyJSON struct {
	DeliveryID       string            `json:"deliveryId"`
	Kind             string            `json:"kind"`
	Seq              int64             `json:"seq"`
	CreatedAt        string            `json:"createdAt"`
	Property         string            `json:"property"`
	ConversationCode string            `json:"conversationCode"`
	Message          *messageJSON      `json:"message,omitempty"`
	Conversation     *conversationJSON `json:"conversation,omitempty"`
	Order            *orderJSON        `json:"order,omitempty"`
}

// WebhookBody renders the JSON body of a webhook delivery of e (internal/webhook sends it).
// It errors only when encoding fails, which cannot happen for these shapes.
func WebhookBody(deliveryID string, e concierge.WebhookEvent) ([]byte, error) {
	ev := eventOf(e.StaffEvent)
	return json.Marshal(webhookBodyJSON{DeliveryID: deliveryID, Kind: ev.Kind, Seq: e.Seq,
		CreatedAt: formatTime(e.CreatedAt), Property: e.PropertyCode, ConversationCode: ev.ConversationCode,
		Message: ev.Message, Conversation: ev.Conversation, Order: ev.Order})
}
