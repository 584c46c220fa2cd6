package staffapi

import (
	"encoding/json"

	"concierge/api"
	"concierge/internal/concierge"
)

// WebhookBody renders the JSON body of a webhook delivery of e (internal/webhook sends it): the
// delivery id, the event (kind, seq, time, property, conversation) and the changed object in
// the staff shapes of the conversation routes, as in a staff event stream.
// It errors only when encoding fails, which cannot happen for these shapes.
func WebhookBody(deliveryID string, e concierge.WebhookEvent) ([]byte, error) {
	ev := eventOf(e.StaffEvent)
	return json.Marshal(api.WebhookBody{DeliveryID: deliveryID, Kind: ev.Kind, Seq: e.Seq,
		CreatedAt: formatTime(e.CreatedAt), Property: e.PropertyCode, ConversationCode: ev.ConversationCode,
		Message: ev.Message, Conversation: ev.Conversation, Order: ev.Order})
}
