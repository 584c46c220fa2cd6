package v40

import (
	"net/http"

	"concierge/internal/concierge"
)

const (
	itemGetConversations = "getConversationsResponse"
	itemGetConversation  = "getConversationResponse"
	itemAddMessage       = "addMessageResponse"
)

type getConversationsContent struct {
	Conversations []conversationListShape `json:"conversations"`
	TotalCount    int                     `json:"totalCount"`
}

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
	content := getConversationsContent{Conversations: make([]conversationListShape, 0, len(list)), TotalCount: total}
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
		item: item{Content: conversationContent{Conversation: conversationShapeOf(conv)}}})
}

// addMessageRequest is the body of the add-message call. ConversationType is a pointer so that
// an absent field (the conversation's own type applies) differs from "".
type addMessageRequest struct {
	SessionToken     string
	Message          string
	ConversationType *string
}

type addMessageContent struct {
	Message messageShape `json:"message"`
}

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
	writeSuccess(w, r, gs.Token, namedItem{name: itemAddMessage, item: item{Content: addMessageContent{Message: messageShapeOf(*msg)}}})
}

type markReadRequest struct {
	SessionToken    string
	UpToMessageCode string
}

func (h *Handler) markRead(w http.ResponseWriter, r *http.Request) {
	var req markReadRequest
	if err := decodeBody(w, r, &req); err != nil {
		h.failEarly(w, r, itemStatus, sentToken(r), err)
		return
	}
	h.command(w, r, req.SessionToken, func(gs *concierge.GuestSession) error {
		return h.svc.MarkGuestRead(r.Context(), gs, r.PathValue("code"), req.UpToMessageCode)
	})
}

func (h *Handler) closeConversation(w http.ResponseWriter, r *http.Request) {
	var req tokenRequest
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
