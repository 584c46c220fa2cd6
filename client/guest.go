package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"concierge/api"
)

// TokenPlace is where a Guest client sends its session token (SPEC §3.4).
type TokenPlace int

// The places a V40 client may send its session token.
const (
	// TokenInHeader sends `Authorization: Session <token>` on every call (the default).
	TokenInHeader TokenPlace = iota
	// TokenInBody sends it as SessionToken in POST bodies and in the query string of GETs, as
	// the vendor's documentation shows.
	TokenInBody
	// TokenInQuery sends it as SessionToken in the query string of every call.
	TokenInQuery
)

// Guest is a client of the guest API for one guest: it keeps the session token of the last
// answer. It is safe for concurrent use.
type Guest struct {
	t     *transport
	place TokenPlace

	mu    sync.Mutex
	token string
}

// NewGuest returns a guest client of the server at baseURL (scheme://host[:port]).
func NewGuest(baseURL string, opts ...Option) *Guest {
	return &Guest{t: newTransport(baseURL, opts)}
}

// SendTokenIn chooses where the token travels from now on.
func (g *Guest) SendTokenIn(p TokenPlace) { g.place = p }

// Token returns the session token of the last answer.
func (g *Guest) Token() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.token
}

// SetToken makes the client use tok, e.g. a token an app kept across restarts.
func (g *Guest) SetToken(tok string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.token = tok
}

// call sends a guest-API call whose answer holds the item name, keeps the envelope's session
// token, and decodes the item's content into dst (nil: no content). A failed item is an *Error.
func (g *Guest) call(ctx context.Context, method, path string, query url.Values, body map[string]any, name, key string, dst any) error {
	req := request{method: method, path: path, query: query, idempotencyKey: key}
	if tok := g.Token(); tok != "" {
		switch {
		case g.place == TokenInQuery || (g.place == TokenInBody && method == http.MethodGet):
			if req.query == nil {
				req.query = url.Values{}
			}
			req.query.Set("SessionToken", tok)
		case g.place == TokenInBody:
			if body == nil {
				body = map[string]any{}
			}
			body["SessionToken"] = tok
		default:
			req.header = http.Header{"Authorization": {"Session " + tok}}
		}
	}
	if method != http.MethodGet {
		if body == nil {
			body = map[string]any{}
		}
		req.body = body
	}
	resp, err := g.t.do(ctx, req)
	if err != nil {
		return err
	}
	var env api.Envelope
	if err := json.Unmarshal(resp.body, &env); err != nil || len(env.Responses) == 0 {
		return &Error{StatusCode: resp.status, Message: snippet(resp.body), RetryAfter: retryAfter(resp.header)}
	}
	if env.SessionToken != "" {
		g.SetToken(env.SessionToken)
	}
	it, ok := env.Find(name)
	if !ok { // a routing failure answers responseStatus: take the first item
		for _, v := range env.Responses[0] {
			it = v
		}
	}
	if !it.Succeeded || resp.status >= 300 {
		return &Error{StatusCode: resp.status, Code: it.AreaError, Message: it.Message, Fields: it.Errors,
			RetryAfter: retryAfter(resp.header)}
	}
	if !ok {
		return &Error{StatusCode: resp.status, Message: "the answer has no " + name}
	}
	if dst == nil || len(it.Content) == 0 {
		return nil
	}
	return g.t.decode(it.Content, dst)
}

// fields turns a request struct into the body map a call sends (so the token can join it).
func fields(v any) map[string]any {
	b, _ := json.Marshal(v) // the api request types always marshal
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

const (
	pathSession       = "/API/V40/System/Session/"
	pathOutlets       = "/API/V40/System/Settings/Outlet"
	pathMessages      = "/API/V40/Interactive/Messages"
	pathConversations = "/API/V40/Interactive/Messages/Conversations"
)

// Initialise opens an anonymous session (PropertyCode and InterfaceToken), or a verified one
// with LastName and RoomNumber, or a non-verified one with GuestUniqueIdentifier, and keeps its
// token. Errors: PropertyNotFound, InterfaceTokenInvalid, GuestVerificationFailed,
// ValidationFailed, RateLimited.
func (g *Guest) Initialise(ctx context.Context, req api.GuestInitialiseRequest) (*api.GuestSession, error) {
	path := pathSession + "Initialise"
	switch {
	case req.RoomNumber != "" || req.LastName != "":
		path += "ByRoom"
	case req.GuestUniqueIdentifier != "":
		path += "ByGuestIdentifier"
	}
	var s api.GuestSession
	if err := g.call(ctx, http.MethodPost, path, nil, fields(req), api.ItemInitialiseSession, "", &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// LoginByRoom verifies the session's guest by room and last name; the session gets a new token,
// which the client keeps. Errors: GuestVerificationFailed, IdentityTokenInvalid/Expired.
func (g *Guest) LoginByRoom(ctx context.Context, roomNumber, lastName string) error {
	body := fields(api.GuestLoginByRoomRequest{RoomNumber: roomNumber, LastName: lastName})
	return g.call(ctx, http.MethodPost, pathSession+"LoginByRoom", nil, body, api.ItemResponseStatus, "", nil)
}

// Logout ends the session: its token stops working.
func (g *Guest) Logout(ctx context.Context) error {
	return g.call(ctx, http.MethodPost, pathSession+"Logout", nil, nil, api.ItemResponseStatus, "", nil)
}

// Outlets lists the property's outlets in sort order, or the one with code when code is not
// empty (OutletNotFound otherwise).
func (g *Guest) Outlets(ctx context.Context, code string) ([]api.GuestOutlet, error) {
	var q url.Values
	if code != "" {
		q = url.Values{"Code": {code}}
	}
	var out api.GuestOutletList
	if err := g.call(ctx, http.MethodGet, pathOutlets, q, nil, api.ItemOutletSettings, "", &out); err != nil {
		return nil, err
	}
	return out.Outlets, nil
}

// CreateConversation opens a conversation for a verified guest (SPEC §4.2). key is the write's
// Idempotency-Key ("": a new one). Errors: GuestNotVerified, OutletNotFound, OutletNotAvailable,
// NoOutletAvailable, OrderNotFound, ValidationFailed.
func (g *Guest) CreateConversation(ctx context.Context, req api.GuestCreateConversationRequest, key string) (*api.GuestConversation, error) {
	return g.create(ctx, pathConversations, req, key)
}

// CreateNonVerifiedConversation opens a conversation for a non-verified guest (SPEC §4.3).
func (g *Guest) CreateNonVerifiedConversation(ctx context.Context, req api.GuestCreateConversationRequest, key string) (*api.GuestConversation, error) {
	return g.create(ctx, pathMessages+"/NonVerifiedGuestConversations", req, key)
}

func (g *Guest) create(ctx context.Context, path string, req api.GuestCreateConversationRequest, key string) (*api.GuestConversation, error) {
	var out api.GuestConversationContent
	if err := g.call(ctx, http.MethodPost, path, nil, fields(req), api.ItemCreateConversation, key, &out); err != nil {
		return nil, err
	}
	return &out.Conversation, nil
}

// Page selects a page of a guest list: Number from 1, Length 0 for the server's default.
type Page struct {
	Number     int
	Length     int
	Descending bool
}

func (p Page) query() url.Values {
	q := url.Values{}
	if p.Number > 0 {
		q.Set("PageNumber", strconv.Itoa(p.Number))
	}
	if p.Length > 0 {
		q.Set("PageLength", strconv.Itoa(p.Length))
	}
	if p.Descending {
		q.Set("DescendingOrder", "true")
	}
	return q
}

// Messages returns a page of every message of the guest's conversations.
func (g *Guest) Messages(ctx context.Context, p Page) (*api.GuestMessagePage, error) {
	var out api.GuestMessagePage
	if err := g.call(ctx, http.MethodGet, pathMessages, p.query(), nil, api.ItemGetMessages, "", &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Conversations returns a page of the guest's conversations, only those of status when it is
// not empty.
func (g *Guest) Conversations(ctx context.Context, status string, p Page) (*api.GuestConversationPage, error) {
	q := p.query()
	if status != "" {
		q.Set("Status", status)
	}
	var out api.GuestConversationPage
	if err := g.call(ctx, http.MethodGet, pathConversations, q, nil, api.ItemGetConversations, "", &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Conversation returns one of the guest's conversations with its messages
// (ConversationNotFound for anyone else's).
func (g *Guest) Conversation(ctx context.Context, code string) (*api.GuestConversation, error) {
	var out api.GuestConversationContent
	if err := g.call(ctx, http.MethodGet, pathConversations+"/"+url.PathEscape(code), nil, nil, api.ItemGetConversation, "", &out); err != nil {
		return nil, err
	}
	return &out.Conversation, nil
}

// AddMessage sends the guest's message to a conversation (reopening it when closed). key is
// the write's Idempotency-Key ("": a new one).
func (g *Guest) AddMessage(ctx context.Context, code, message, key string) (*api.GuestMessage, error) {
	var out api.GuestMessageContent
	body := fields(api.GuestAddMessageRequest{Message: message})
	if err := g.call(ctx, http.MethodPost, pathConversations+"/"+url.PathEscape(code)+"/Messages", nil, body, api.ItemAddMessage, key, &out); err != nil {
		return nil, err
	}
	return &out.Message, nil
}

// MarkRead marks the conversation's staff and system messages read, up to upTo when not empty.
func (g *Guest) MarkRead(ctx context.Context, code, upTo string) error {
	body := fields(api.GuestMarkReadRequest{UpToMessageCode: upTo})
	return g.call(ctx, http.MethodPost, pathConversations+"/"+url.PathEscape(code)+"/Read", nil, body, api.ItemResponseStatus, "", nil)
}

// Close closes one of the guest's conversations.
func (g *Guest) Close(ctx context.Context, code string) error {
	return g.call(ctx, http.MethodPost, pathConversations+"/"+url.PathEscape(code)+"/Close", nil, nil, api.ItemResponseStatus, "", nil)
}
