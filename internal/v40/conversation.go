package v40

import (
	"bytes"
	"encoding/json"
	"net/http"

	"concierge/api"
	"concierge/internal/concierge"
)

const (
	itemCreateConversation = api.ItemCreateConversation
	itemGetMessages        = api.ItemGetMessages
)

func (h *Handler) createConversation(w http.ResponseWriter, r *http.Request) {
	h.create(w, r, false)
}

func (h *Handler) createNonVerifiedConversation(w http.ResponseWriter, r *http.Request) {
	h.create(w, r, true)
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request, nonVerified bool) {
	var req api.GuestCreateConversationRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.failEarly(w, r, itemCreateConversation, sentToken(r), err)
		return
	}
	form, err := orderForm(req.OrderFormDetailsDictionary)
	if err != nil {
		h.failEarly(w, r, itemCreateConversation, sessionToken(r, req.SessionToken), err)
		return
	}
	gs, err := h.authenticate(r, sessionToken(r, req.SessionToken))
	if err != nil {
		writeFailure(w, r, tokenOf(gs), itemCreateConversation, err)
		return
	}
	conv, err := h.svc.CreateConversation(r.Context(), gs, concierge.CreateConversationInput{
		Message:          req.Message,
		ConversationType: req.ConversationType,
		OutletCode:       req.OutletCode,
		OrderCode:        req.OrderCode,
		OrderForm:        form,
		NonVerified:      nonVerified,
	})
	if err != nil {
		writeFailure(w, r, gs.Token, itemCreateConversation, err)
		return
	}
	writeSuccess(w, r, gs.Token, namedItem{name: itemCreateConversation,
		item: item{Content: api.GuestConversationContent{Conversation: conversationShapeOf(conv)}}})
}

// orderForm accepts an absent or null dictionary, or a JSON object; anything else is
// MalformedRequest (the field has the wrong JSON type).
func orderForm(raw json.RawMessage) (json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	if raw[0] != '{' {
		return nil, &concierge.Error{Code: concierge.CodeMalformedRequest,
			Message: "The field 'OrderFormDetailsDictionary' has the wrong JSON type (want an object).",
			Fields:  []concierge.FieldError{{Field: "OrderFormDetailsDictionary", Message: "has the wrong JSON type"}}}
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, concierge.Errorf(concierge.CodeMalformedRequest, "The field 'OrderFormDetailsDictionary' is not valid JSON.")
	}
	return buf.Bytes(), nil
}

func (h *Handler) getMessages(w http.ResponseWriter, r *http.Request) {
	q, err := readParams(w, r)
	if err != nil {
		h.failEarly(w, r, itemGetMessages, sentToken(r), err)
		return
	}
	gs, err := h.authenticate(r, q.token())
	if err != nil {
		writeFailure(w, r, tokenOf(gs), itemGetMessages, err)
		return
	}
	p, err := parsePaging(q)
	if err != nil {
		writeFailure(w, r, gs.Token, itemGetMessages, err)
		return
	}
	msgs, total, err := h.svc.GuestMessages(r.Context(), gs, p.page())
	if err != nil {
		writeFailure(w, r, gs.Token, itemGetMessages, err)
		return
	}
	content := api.GuestMessagePage{
		Messages:   make([]api.GuestMessage, 0, len(msgs)),
		PageNumber: p.Number,
		PageLength: p.Length,
		TotalCount: total,
	}
	if p.Length == 0 { // no PageLength: pages of defaultPageLength; a shorter history is one page
		content.PageLength = min(total, defaultPageLength)
	}
	for _, m := range msgs {
		content.Messages = append(content.Messages, messageShapeOf(m))
	}
	writeSuccess(w, r, gs.Token, namedItem{name: itemGetMessages, item: item{Content: content}})
}
