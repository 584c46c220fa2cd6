package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"concierge/api"
)

// superagentClient behaves as a small public JavaScript client of the V40 API written with
// superagent (node) does: lower-case paths, camelCase keys, the session token only in the query
// string (`.query({sessionToken})`) on every method, a JSON body on every call even GET
// (`.send({...})`), superagent's own headers, and it keeps the sessionToken of every answer,
// failures included. Its expired-session detection is the app's: HTTP 401 whose first item's
// areaError is IdentityTokenExpired.
type superagentClient struct {
	t       testing.TB
	base    string
	token   string
	expired bool // the app's detection fired: it would start a new session
}

// saAnswer is what the client saw: HTTP status, the raw answer and the envelope.
type saAnswer struct {
	status int
	raw    []byte
	env    api.Envelope
}

// call sends one request the way superagent does and returns the answer. body is sent as JSON
// on every method; header adds request headers (e.g. Idempotency-Key).
func (c *superagentClient) call(method, path string, body any, header map[string]string) saAnswer {
	c.t.Helper()
	u := c.base + path
	if c.token != "" {
		u += "?" + url.Values{"sessionToken": {c.token}}.Encode()
	}
	if body == nil {
		body = map[string]any{}
	}
	b, err := json.Marshal(body)
	if err != nil {
		c.t.Fatal(err)
	}
	req, err := http.NewRequest(method, u, bytes.NewReader(b))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "gzip, deflate")
	req.Header.Set("User-Agent", "node-superagent/8.1.2")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Connection", "close")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var rd io.Reader = resp.Body
	if resp.Header.Get("Content-Encoding") == "gzip" {
		if rd, err = gzip.NewReader(resp.Body); err != nil {
			c.t.Fatal(err)
		}
	}
	raw, err := io.ReadAll(rd)
	if err != nil {
		c.t.Fatal(err)
	}
	a := saAnswer{status: resp.StatusCode, raw: raw}
	a.env = strictDecode[api.Envelope](c.t, string(raw))
	c.token = a.env.SessionToken // the app keeps the returned token, whatever the outcome
	if a.status == http.StatusUnauthorized && a.areaError() == "IdentityTokenExpired" {
		c.expired = true
	}
	return a
}

// first returns the name and the item of the answer's first item.
func (a saAnswer) first() (string, api.Item) {
	if len(a.env.Responses) == 0 {
		return "", api.Item{}
	}
	for k, v := range a.env.Responses[0] {
		return k, v
	}
	return "", api.Item{}
}

func (a saAnswer) areaError() string {
	_, it := a.first()
	return it.AreaError
}

// saOK checks a success answering item and decodes its content strictly into a T.
func saOK[T any](t testing.TB, a saAnswer, item string) T {
	t.Helper()
	name, it := a.first()
	if a.status != http.StatusOK || a.env.Status != "Success" || name != item || !it.Succeeded {
		t.Fatalf("want %s to succeed, got HTTP %d: %s", item, a.status, a.raw)
	}
	if len(it.Content) == 0 {
		var zero T
		return zero
	}
	return strictDecode[T](t, string(it.Content))
}

// failed checks a failure: HTTP status, item name and areaError.
func (a saAnswer) failed(t testing.TB, status int, item, areaError string) {
	t.Helper()
	name, it := a.first()
	if a.status != status || a.env.Status != "Failure" || name != item || a.env.ResponsesIncluded != item ||
		it.Succeeded || it.AreaError != areaError {
		t.Fatalf("want HTTP %d %s %s, got HTTP %d: %s", status, item, areaError, a.status, a.raw)
	}
}

// TestSuperagentQueryTokenClient runs the whole guest flow with a client that sends its token
// only in the query string, a JSON body on GET, lower-case paths and camelCase keys: it can do
// everything a body-token client can; failures on the way keep its session; after logout every
// method answers 401 IdentityTokenExpired, which the app detects on GET and POST alike.
func TestSuperagentQueryTokenClient(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	c := &superagentClient{t: t, base: s.URL}

	// Session start: no token yet, the fields in the body.
	a := c.call(http.MethodPost, "/api/v40/system/session/initialisebyroom", map[string]any{
		"propertyCode": "DEMO", "interfaceToken": demoToken, "roomNumber": "102", "lastName": "smith"}, nil)
	saOK[api.GuestSession](t, a, api.ItemInitialiseSession)
	session := c.token
	if session == "" {
		t.Fatalf("no token: %s", a.raw)
	}

	a = c.call(http.MethodGet, "/api/v40/system/settings/outlet", map[string]any{"code": "FRONTDESK"}, nil)
	outlets := saOK[api.GuestOutletList](t, a, api.ItemOutletSettings).Outlets
	if len(outlets) != 1 || outlets[0].Code != "FRONTDESK" {
		t.Fatalf("outlet code from the GET body: %s", a.raw)
	}

	a = c.call(http.MethodPost, "/api/v40/interactive/messages/conversations", map[string]any{
		"message": "Could I have two more towels?", "outletCode": "FRONTDESK"}, nil)
	code := saOK[api.GuestConversationContent](t, a, api.ItemCreateConversation).Conversation.Code
	if code == "" || c.token != session {
		t.Fatalf("create: token kept %v: %s", c.token == session, a.raw)
	}
	convPath := "/api/v40/interactive/messages/conversations/" + code

	key := map[string]string{"Idempotency-Key": "towels-2"}
	a = c.call(http.MethodPost, convPath+"/messages", map[string]any{"message": "And a pillow, please."}, key)
	saOK[api.GuestMessageContent](t, a, api.ItemAddMessage)
	// The same key with another message is refused; the answer keeps the session and names
	// the call's own item.
	a = c.call(http.MethodPost, convPath+"/messages", map[string]any{"message": "Something else."}, key)
	a.failed(t, http.StatusConflict, "addMessageResponse", "IdempotencyKeyReused")
	if c.token != session {
		t.Fatalf("IdempotencyKeyReused lost the session token: %s", a.raw)
	}
	a = c.call(http.MethodPost, convPath+"/messages", map[string]any{"message": "   "}, nil)
	a.failed(t, http.StatusBadRequest, "addMessageResponse", "ValidationFailed")
	if c.token != session {
		t.Fatalf("ValidationFailed lost the session token: %s", a.raw)
	}
	a = c.call(http.MethodPost, convPath+"/messages", []any{"not", "an", "object"}, nil)
	a.failed(t, http.StatusBadRequest, "addMessageResponse", "MalformedRequest")
	if c.token != session {
		t.Fatalf("MalformedRequest lost the session token: %s", a.raw)
	}

	s.loggedIn(t, "frontdesk").reply(t, code, "Staff", "On their way.")

	// Paging in the GET's body: the second of three messages, oldest first.
	a = c.call(http.MethodGet, "/api/v40/interactive/messages", map[string]any{"pageNumber": 2, "pageLength": 1}, nil)
	page := saOK[api.GuestMessagePage](t, a, api.ItemGetMessages)
	if page.PageNumber != 2 || page.PageLength != 1 || page.TotalCount != 3 || len(page.Messages) != 1 ||
		page.Messages[0].Content != "And a pillow, please." {
		t.Fatalf("body paging not honoured: %s", a.raw)
	}
	a = c.call(http.MethodGet, "/api/v40/interactive/messages", map[string]any{"pageLength": 1, "descendingOrder": true}, nil)
	msgs := saOK[api.GuestMessagePage](t, a, api.ItemGetMessages).Messages
	if len(msgs) != 1 || msgs[0].Content != "On their way." {
		t.Fatalf("descendingOrder in the body: %s", a.raw)
	}
	a = c.call(http.MethodGet, "/api/v40/interactive/messages/conversations", map[string]any{"pageNumber": 1, "pageLength": 1}, nil)
	convs := saOK[api.GuestConversationPage](t, a, api.ItemGetConversations).Conversations
	if len(convs) != 1 || convs[0].UnreadCount != 1 {
		t.Fatalf("conversations: %s", a.raw)
	}

	saOK[struct{}](t, c.call(http.MethodPost, convPath+"/read", nil, nil), api.ItemResponseStatus)
	a = c.call(http.MethodGet, convPath, nil, nil)
	all := saOK[api.GuestConversationContent](t, a, api.ItemGetConversation).Conversation.Messages
	if len(all) != 3 || !all[2].IsRead {
		t.Fatalf("mark read by query token did not mark the staff reply read: %s", a.raw)
	}
	saOK[struct{}](t, c.call(http.MethodPost, convPath+"/close", nil, nil), api.ItemResponseStatus)
	a = c.call(http.MethodGet, convPath, nil, nil)
	if got := saOK[api.GuestConversationContent](t, a, api.ItemGetConversation).Conversation; got.ConversationStatus != "Closed" {
		t.Fatalf("close by query token: %s", a.raw)
	}
	if c.token != session || c.expired {
		t.Fatalf("session lost on the way (expired %v)", c.expired)
	}

	saOK[struct{}](t, c.call(http.MethodPost, "/api/v40/system/session/logout", nil, nil), api.ItemResponseStatus)

	// The logged-out token is IdentityTokenExpired on every method, and the app notices.
	for _, call := range []struct{ method, path, item string }{
		{http.MethodGet, "/api/v40/system/settings/outlet", "getOutletSettingsResponse"},
		{http.MethodGet, "/api/v40/interactive/messages", "getMessagesResponse"},
		{http.MethodGet, "/api/v40/interactive/messages/conversations", "getConversationsResponse"},
		{http.MethodGet, convPath, "getConversationResponse"},
		{http.MethodGet, "/api/v40/interactive/messages/events", "getEventsResponse"},
		{http.MethodPost, "/api/v40/interactive/messages/conversations", "createConversationResponse"},
		{http.MethodPost, "/api/v40/interactive/messages/nonverifiedguestconversations", "createConversationResponse"},
		{http.MethodPost, convPath + "/messages", "addMessageResponse"},
		{http.MethodPost, convPath + "/read", "responseStatus"},
		{http.MethodPost, convPath + "/close", "responseStatus"},
		{http.MethodPost, "/api/v40/system/session/loginbyroom", "responseStatus"},
		{http.MethodPost, "/api/v40/system/session/logout", "responseStatus"},
	} {
		c.token, c.expired = session, false
		a := c.call(call.method, call.path, map[string]any{"message": "Hello?", "outletCode": "FRONTDESK",
			"roomNumber": "102", "lastName": "Smith"}, nil)
		a.failed(t, http.StatusUnauthorized, call.item, "IdentityTokenExpired")
		if !c.expired {
			t.Errorf("%s %s: the app did not detect the expired session", call.method, call.path)
		}
		if c.token != "" {
			t.Errorf("%s %s: an expired session's token was answered back", call.method, call.path)
		}
	}
}

// TestSessionTokenPrecedenceOverHTTP checks the documented precedence on a real server: the
// `Authorization: Session` header wins over the body, and the body over the query string; a
// GET's body token is read too.
func TestSessionTokenPrecedenceOverHTTP(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	good := s.loginRoom(t, "102", "Smith")
	bad := "AAAAAAAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
	get := func(query string, body []byte, header map[string]string) response {
		return s.do(t, http.MethodGet, pathOutlets+query, body, header)
	}
	get("?SessionToken="+url.QueryEscape(good), nil, nil).content(t, "getOutletSettingsResponse")
	get("", []byte(`{"sessionToken":"`+good+`"}`), nil).content(t, "getOutletSettingsResponse")
	get("?SessionToken="+bad, []byte(`{"sessionToken":"`+good+`"}`), nil).content(t, "getOutletSettingsResponse")
	get("?SessionToken="+url.QueryEscape(good), []byte(`{"sessionToken":"`+bad+`"}`), nil).
		wantFailure(t, http.StatusUnauthorized, "getOutletSettingsResponse", "IdentityTokenInvalid")
	get("?SessionToken="+bad, []byte(`{"sessionToken":"`+bad+`"}`), map[string]string{"Authorization": "Session " + good}).
		content(t, "getOutletSettingsResponse")
	get("?SessionToken="+url.QueryEscape(good), nil, map[string]string{"Authorization": "Session " + bad}).
		wantFailure(t, http.StatusUnauthorized, "getOutletSettingsResponse", "IdentityTokenInvalid")

	post := func(query string, v map[string]any) response {
		b, _ := json.Marshal(v)
		return s.do(t, http.MethodPost, pathCreate+query, b, nil)
	}
	r := post("?sessiontoken="+url.QueryEscape(good), map[string]any{"Message": "Hi", "OutletCode": "FRONTDESK"})
	r.content(t, "createConversationResponse")
	post("?sessiontoken="+url.QueryEscape(good), map[string]any{"SessionToken": bad, "Message": "Hi"}).
		wantFailure(t, http.StatusUnauthorized, "createConversationResponse", "IdentityTokenInvalid")

	// A failure before the session is checked keeps the token the call sent (and names the
	// call's item); a token of no session of this server is not answered back.
	r = s.do(t, http.MethodPost, pathCreate+"?SessionToken="+url.QueryEscape(good), []byte(`{"Message": `), nil)
	r.wantFailure(t, http.StatusBadRequest, "createConversationResponse", "MalformedRequest")
	if r.token() != good {
		t.Fatalf("MalformedRequest dropped the token: %s", r.Raw)
	}
	r = s.do(t, http.MethodGet, pathMessages+"?SessionToken="+url.QueryEscape(good), []byte(`[]`), nil)
	r.wantFailure(t, http.StatusBadRequest, "getMessagesResponse", "MalformedRequest")
	if r.token() != good {
		t.Fatalf("GET with a bad body dropped the token: %s", r.Raw)
	}
	r = s.do(t, http.MethodPost, pathCreate+"?SessionToken="+bad, []byte(`{"Message": `), nil)
	r.wantFailure(t, http.StatusBadRequest, "createConversationResponse", "MalformedRequest")
	if r.token() != "" {
		t.Fatalf("a forged token was answered back: %s", r.Raw)
	}
	if !strings.Contains(string(get("?SessionToken="+url.QueryEscape(good), []byte(`{"pageLength": 1}`), nil).Raw), `"FRONTDESK"`) {
		t.Fatal("outlets with an unrelated body field")
	}
}
