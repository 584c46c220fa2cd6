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

// Staff is a client of the staff and admin API for one login or API key. It is safe for
// concurrent use.
type Staff struct {
	t *transport

	mu    sync.Mutex
	token string
}

// NewStaff returns a staff client of the server at baseURL (scheme://host[:port]).
func NewStaff(baseURL string, opts ...Option) *Staff {
	return &Staff{t: newTransport(baseURL, opts)}
}

// Token returns the bearer token the client sends.
func (s *Staff) Token() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token
}

// SetToken makes the client send tok: a login's token or an API key's secret.
func (s *Staff) SetToken(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = tok
}

// call sends a staff-API call and decodes its JSON answer into dst (nil: none). An answer of
// 300 or more is an *Error.
func (s *Staff) call(ctx context.Context, method, path string, query url.Values, body any, key string, dst any) error {
	req := request{method: method, path: path, query: query, body: body, idempotencyKey: key}
	if tok := s.Token(); tok != "" {
		req.header = http.Header{"Authorization": {"Bearer " + tok}}
	}
	return s.send(ctx, req, dst)
}

func (s *Staff) send(ctx context.Context, req request, dst any) error {
	resp, err := s.t.do(ctx, req)
	if err != nil {
		return err
	}
	if resp.status >= 300 {
		var eb api.ErrorBody
		if json.Unmarshal(resp.body, &eb) != nil || eb.Error.Code == "" {
			return &Error{StatusCode: resp.status, Message: snippet(resp.body), RetryAfter: retryAfter(resp.header)}
		}
		return &Error{StatusCode: resp.status, Code: eb.Error.Code, Message: eb.Error.Message,
			Fields: eb.Error.Fields, RetryAfter: retryAfter(resp.header)}
	}
	if dst == nil || len(resp.body) == 0 {
		return nil
	}
	return s.t.decode(resp.body, dst)
}

// get, post, put, patch and del are call for one method, with a new idempotency key for writes.
func (s *Staff) get(ctx context.Context, path string, q url.Values, dst any) error {
	return s.call(ctx, http.MethodGet, path, q, nil, "", dst)
}

func (s *Staff) post(ctx context.Context, path string, body, dst any) error {
	return s.call(ctx, http.MethodPost, path, nil, body, "", dst)
}

func (s *Staff) put(ctx context.Context, path string, body, dst any) error {
	return s.call(ctx, http.MethodPut, path, nil, body, "", dst)
}

func (s *Staff) patch(ctx context.Context, path string, body, dst any) error {
	return s.call(ctx, http.MethodPatch, path, nil, body, "", dst)
}

func (s *Staff) del(ctx context.Context, path string, dst any) error {
	return s.call(ctx, http.MethodDelete, path, nil, nil, "", dst)
}

// Login logs a staff user in and keeps the token for the calls that follow. A retried login
// (after a lost answer) is a new login: no Idempotency-Key is sent, since the server never
// keeps a token to give again.
// Errors: AuthenticationFailed (401), RateLimited (429).
func (s *Staff) Login(ctx context.Context, username, password string) (*api.Login, error) {
	var out api.Login
	req := request{method: http.MethodPost, path: "/api/v1/auth/login", noKey: true,
		body: api.LoginRequest{Username: username, Password: password}}
	if err := s.send(ctx, req, &out); err != nil {
		return nil, err
	}
	s.SetToken(out.Token)
	return &out, nil
}

// Logout ends the login: its token stops working.
func (s *Staff) Logout(ctx context.Context) error {
	return s.post(ctx, "/api/v1/auth/logout", nil, nil)
}

// Me describes the caller.
func (s *Staff) Me(ctx context.Context) (*api.Me, error) {
	var out api.Me
	return &out, s.get(ctx, "/api/v1/me", nil, &out)
}

// InboxQuery filters and pages the inbox (GET /api/v1/conversations); empty fields are left out.
type InboxQuery struct {
	Property      string
	ServiceCenter string
	Outlet        string
	Status        string // Open or Closed
	Assignee      string // me, nobody, anyone or a username
	Unread        bool
	Q             string // full-text search, accents and case ignored
	Cursor        string
	Limit         int
}

func (q InboxQuery) values() url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("property", q.Property)
	set("serviceCenter", q.ServiceCenter)
	set("outlet", q.Outlet)
	set("status", q.Status)
	set("assignee", q.Assignee)
	set("q", q.Q)
	set("cursor", q.Cursor)
	if q.Unread {
		v.Set("unread", "true")
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return v
}

// Conversations returns a page of the inbox.
func (s *Staff) Conversations(ctx context.Context, q InboxQuery) (*api.ConversationList, error) {
	var out api.ConversationList
	return &out, s.get(ctx, "/api/v1/conversations", q.values(), &out)
}

// InboxCounts returns the unread and open counts of the caller's service centers.
func (s *Staff) InboxCounts(ctx context.Context) (*api.InboxCounts, error) {
	var out api.InboxCounts
	return &out, s.get(ctx, "/api/v1/inbox/counts", nil, &out)
}

func conversationPath(code string) string { return "/api/v1/conversations/" + url.PathEscape(code) }

// Conversation returns a conversation with all its messages (ConversationNotFound when the
// caller may not see it).
func (s *Staff) Conversation(ctx context.Context, code string) (*api.ConversationDetail, error) {
	var out api.ConversationDetail
	return &out, s.get(ctx, conversationPath(code), nil, &out)
}

// AddMessage sends a reply (Type "Staff", translated for the guest) or an internal note
// (Type "Note"). key is the write's Idempotency-Key ("": a new one).
func (s *Staff) AddMessage(ctx context.Context, code string, req api.AddMessageRequest, key string) (*api.Message, error) {
	var out api.Message
	return &out, s.call(ctx, http.MethodPost, conversationPath(code)+"/messages", nil, req, key, &out)
}

// act posts to one of a conversation's act routes and returns the conversation.
func (s *Staff) act(ctx context.Context, code, act string, body any) (*api.Conversation, error) {
	var out api.Conversation
	return &out, s.post(ctx, conversationPath(code)+"/"+act, body, &out)
}

// Close closes a conversation.
func (s *Staff) Close(ctx context.Context, code string) (*api.Conversation, error) {
	return s.act(ctx, code, "close", nil)
}

// Reopen reopens a closed conversation.
func (s *Staff) Reopen(ctx context.Context, code string) (*api.Conversation, error) {
	return s.act(ctx, code, "reopen", nil)
}

// MarkRead marks the conversation's guest messages read, up to upTo when it is not empty.
func (s *Staff) MarkRead(ctx context.Context, code, upTo string) (*api.Conversation, error) {
	return s.act(ctx, code, "read", api.ReadRequest{UpToMessageCode: upTo})
}

// Assign assigns the conversation to username, a staff user who serves its service center
// ("" unassigns it).
func (s *Staff) Assign(ctx context.Context, code, username string) (*api.Conversation, error) {
	return s.act(ctx, code, "assign", api.AssignRequest{Username: &username})
}

// Unassign clears the conversation's assignee.
func (s *Staff) Unassign(ctx context.Context, code string) (*api.Conversation, error) {
	return s.act(ctx, code, "unassign", nil)
}

// Move moves the conversation to another outlet of its property.
func (s *Staff) Move(ctx context.Context, code, outletCode string) (*api.Conversation, error) {
	return s.act(ctx, code, "move", api.MoveRequest{OutletCode: outletCode})
}

// Events opens the caller's live event stream (SSE), resuming after lastID when not empty.
func (s *Staff) Events(ctx context.Context, lastID string) (*EventStream, error) {
	h := http.Header{"Authorization": {"Bearer " + s.Token()}}
	return s.t.openStream(ctx, "/api/v1/events", nil, h, lastID, func(r *response) error {
		var eb api.ErrorBody
		if json.Unmarshal(r.body, &eb) != nil {
			return &Error{StatusCode: r.status, Message: snippet(r.body)}
		}
		return &Error{StatusCode: r.status, Code: eb.Error.Code, Message: eb.Error.Message, RetryAfter: retryAfter(r.header)}
	})
}
