package v40

import (
	"net/http"

	"concierge/api"
	"concierge/internal/concierge"
)

const (
	itemGetConversations = api.ItemGetConversations
	itemGetConversation  = api.ItemGetConversation
	itemAddMessage       = api.ItemAddMessage
)

func (h *Handler) getConversations(w http.ResponseWriter, r *http.Request) {
	q, err := readParams(w, r)
	if err != nil {
		h.failEarly(w, r, itemGetConversations, sentToken(r), err)
		return
	}
	gs, err := h.authenticate(r, q.token())
	if err != nil {
		writeFailure(w, r, tokenOf(gs), itemGetConversations, err)
		return
	}
	p, err := parsePaging(q)
	if err != nil {
		writeFailure(w, r, gs.Token, itemGetConversations, err)
		return
	}
	status, _ := q.get("Status")
	list, total, err := h.svc.GuestConversations(r.Context(), gs, status, p.page())
	if err != nil {
		writeFailure(w, r, gs.Token, itemGetConversations, err)
		return
	}
	content := api.GuestConversationPage{Conversations: make([]api.GuestConversationSummary, 0, len(list)), TotalCount: total}
	for _, c := range list {
		content.Conversations = append(content.Conversations, conversationListShapeOf(c))
	}
	writeSuccess(w, r, gs.Token, namedItem{name: itemGetConversations, item: item{Content: content}})
}

func (h *Handler) getConversation(w http.ResponseWriter, r *http.Request) {
	q, err := readParams(w, r)
	if err != nil {
		h.failEarly(w, r, itemGetConversation, sentToken(r), err)
		return
	}
	gs, err := h.authenticate(r, q.token())
	if err != nil {
		writeFailure(w, r, tokenOf(gs), itemGetConversation, err)
		return
	}
	conv, err := h.svc.GuestConversation(r.Context(), gs, r.PathValue("code"))
	if err != nil {
		writeFailure(w, r, gs.Token, itemGetConversation, err)
		return
	}
	writeSuccess(w, r, gs.Token, namedItem{name: itemGetConversation,
		item: item{Content: api.GuestConversationContent{Conversation: conversationShapeOf(conv)}}})
}

// addMessageRequest is the body of the add-message call: the api shape itself (an alias, not a
// copy). Its ConversationType is a pointer so that an absent field (the conversation's own type
// applies) differs from "".
type addMessageRequest = api.GuestAddMessageRequest

func (h *Handler) addMessage(w http.ResponseWriter, r *http.Request) {
	var req addMessageRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.failEarly(w, r, itemAddMessage, sentToken(r), err)
		return
	}
	gs, err := h.authenticate(r, sessionToken(r, req.SessionToken))
	if err != nil {
		writeFailure(w, r, tokenOf(gs), itemAddMessage, err)
		return
	}
	msg, err := h.svc.AddGuestMessage(r.Context(), gs, r.PathValue("code"), req.Message, req.ConversationType)
	if err != nil {
		writeFailure(w, r, gs.Token, itemAddMessage, err)
		return
	}
	writeSuccess(w, r, gs.Token, namedItem{name: itemAddMessage, item: item{Content: api.GuestMessageContent{Message: messageShapeOf(*msg)}}})
}

func (h *Handler) markRead(w http.ResponseWriter, r *http.Request) {
	var req api.GuestMarkReadRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.failEarly(w, r, itemStatus, sentToken(r), err)
		return
	}
	h.command(w, r, req.SessionToken, func(gs *concierge.GuestSession) error {
		return h.svc.MarkGuestRead(r.Context(), gs, r.PathValue("code"), req.UpToMessageCode)
	})
}

func (h *Handler) closeConversation(w http.ResponseWriter, r *http.Request) {
	var req api.GuestTokenRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.failEarly(w, r, itemStatus, sentToken(r), err)
		return
	}
	h.command(w, r, req.SessionToken, func(gs *concierge.GuestSession) error {
		return h.svc.CloseGuestConversation(r.Context(), gs, r.PathValue("code"))
	})
}

// command runs an authenticated call without data and answers responseStatus.
func (h *Handler) command(w http.ResponseWriter, r *http.Request, bodyToken string, fn func(*concierge.GuestSession) error) {
	gs, err := h.authenticate(r, sessionToken(r, bodyToken))
	if err != nil {
		writeFailure(w, r, tokenOf(gs), itemStatus, err)
		return
	}
	if err := fn(gs); err != nil {
		writeFailure(w, r, gs.Token, itemStatus, err)
		return
	}
	writeSuccess(w, r, gs.Token, namedItem{name: itemStatus})
}
