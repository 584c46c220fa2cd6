package client

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"concierge/api"
)

// answer serves one fixed answer and records the requests it got.
type answer struct {
	mu       sync.Mutex
	requests []*http.Request
	bodies   []string
	status   []int // status of each try; the last repeats
	header   http.Header
	body     string
}

func (a *answer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	a.mu.Lock()
	a.requests = append(a.requests, r)
	a.bodies = append(a.bodies, string(b))
	st := a.status[min(len(a.requests), len(a.status))-1]
	a.mu.Unlock()
	for k, vs := range a.header {
		w.Header()[k] = vs
	}
	w.WriteHeader(st)
	_, _ = io.WriteString(w, a.body)
}

func serve(t *testing.T, a *answer) string {
	t.Helper()
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestGuestKeepsTheAnswersToken(t *testing.T) {
	t.Parallel()
	a := &answer{status: []int{200}, body: `{"sessionToken":"new-token","responsesIncluded":"responseStatus","responses":[{"responseStatus":{"succeeded":true}}],"status":"Success"}`}
	g := NewGuest(serve(t, a))
	g.SetToken("old-token")
	if err := g.LoginByRoom(t.Context(), "101", "Garcia"); err != nil {
		t.Fatal(err)
	}
	if g.Token() != "new-token" {
		t.Fatalf("token %q, want the answer's", g.Token())
	}
	if got := a.requests[0].Header.Get("Authorization"); got != "Session old-token" {
		t.Fatalf("Authorization %q", got)
	}
}

func TestGuestTokenPlaces(t *testing.T) {
	t.Parallel()
	body := `{"sessionToken":"tok","responsesIncluded":"responseStatus","responses":[{"responseStatus":{"succeeded":true}}],"status":"Success"}`
	for _, c := range []struct {
		place           TokenPlace
		inBody, inQuery bool
	}{{TokenInHeader, false, false}, {TokenInBody, true, false}, {TokenInQuery, false, true}} {
		a := &answer{status: []int{200}, body: body}
		g := NewGuest(serve(t, a))
		g.SetToken("tok")
		g.SendTokenIn(c.place)
		if err := g.Close(t.Context(), "C1"); err != nil {
			t.Fatal(err)
		}
		r := a.requests[0]
		if got := strings.Contains(a.bodies[0], `"SessionToken":"tok"`); got != c.inBody {
			t.Errorf("place %d: token in body %v (%s)", c.place, got, a.bodies[0])
		}
		if got := r.URL.Query().Get("SessionToken") == "tok"; got != c.inQuery {
			t.Errorf("place %d: token in query %v", c.place, got)
		}
		if got := r.Header.Get("Authorization") != ""; got != (c.place == TokenInHeader) {
			t.Errorf("place %d: header %q", c.place, r.Header.Get("Authorization"))
		}
	}
}

func TestGuestFailureIsTypedAndKeepsToken(t *testing.T) {
	t.Parallel()
	a := &answer{status: []int{404}, body: `{"sessionToken":"still-mine","responsesIncluded":"getConversationResponse","responses":[{"getConversationResponse":{"succeeded":false,"areaError":"ConversationNotFound","message":"no"}}],"status":"Failure"}`}
	g := NewGuest(serve(t, a))
	g.SetToken("still-mine")
	_, err := g.Conversation(t.Context(), "X")
	var e *Error
	if !errors.As(err, &e) || e.Code != "ConversationNotFound" || e.StatusCode != 404 || e.Message != "no" {
		t.Fatalf("err %#v", err)
	}
	if !errors.Is(err, &Error{Code: "ConversationNotFound"}) || errors.Is(err, &Error{Code: "OutletNotFound"}) || CodeOf(err) != "ConversationNotFound" {
		t.Fatal("errors.Is / CodeOf do not follow the code")
	}
	if g.Token() != "still-mine" {
		t.Fatalf("token %q", g.Token())
	}
}

func TestValidationFieldsAndRetryAfter(t *testing.T) {
	t.Parallel()
	a := &answer{status: []int{429}, header: http.Header{"Retry-After": {"7"}},
		body: `{"error":{"code":"RateLimited","message":"later"}}`}
	s := NewStaff(serve(t, a), WithRetries(0))
	_, err := s.Me(t.Context())
	var e *Error
	if !errors.As(err, &e) || e.Code != "RateLimited" || e.RetryAfter != 7*time.Second {
		t.Fatalf("err %#v", err)
	}
	v := &answer{status: []int{400}, body: `{"error":{"code":"ValidationFailed","message":"bad","fields":[{"field":"timeZone","message":"unknown"}]}}`}
	_, err = NewStaff(serve(t, v)).CreateProperty(t.Context(), api.PropertyRequest{})
	if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != "timeZone" {
		t.Fatalf("err %#v", err)
	}
}

func TestRetriesKeepTheKeyAndStop(t *testing.T) {
	t.Parallel()
	a := &answer{status: []int{503, 502, 200}, body: `{"code":"m1","conversationCode":"C","seq":1,"type":"Staff","content":"x","languageCode":"en","translations":{},"createdAt":"","author":{"firstName":"","lastName":"","username":null},"isRead":false,"readAt":null,"translationStates":{}}`}
	s := NewStaff(serve(t, a), WithRetries(2), WithMaxWait(time.Millisecond))
	m, err := s.AddMessage(t.Context(), "C", api.AddMessageRequest{Type: "Staff", Content: "x"}, "")
	if err != nil || m.Code != "m1" {
		t.Fatalf("%+v %v", m, err)
	}
	if len(a.requests) != 3 {
		t.Fatalf("%d tries, want 3", len(a.requests))
	}
	key := a.requests[0].Header.Get("Idempotency-Key")
	for i, r := range a.requests {
		if k := r.Header.Get("Idempotency-Key"); k == "" || k != key {
			t.Fatalf("try %d: key %q, want %q", i, k, key)
		}
	}
	// A 4xx other than 429 is never retried; a 5xx after the last try is returned.
	b := &answer{status: []int{409}, body: `{"error":{"code":"IdempotencyKeyReused","message":"x"}}`}
	s = NewStaff(serve(t, b), WithRetries(3), WithMaxWait(time.Millisecond))
	if _, err := s.Close(t.Context(), "C"); CodeOf(err) != "IdempotencyKeyReused" || len(b.requests) != 1 {
		t.Fatalf("409: %v after %d tries", err, len(b.requests))
	}
	c := &answer{status: []int{503}, body: `down`}
	s = NewStaff(serve(t, c), WithRetries(1), WithMaxWait(time.Millisecond))
	var e *Error
	if _, err := s.Close(t.Context(), "C"); !errors.As(err, &e) || e.StatusCode != 503 || len(c.requests) != 2 {
		t.Fatalf("503: %v after %d tries", err, len(c.requests))
	}
}

func TestRetryWaitEndsWithTheContext(t *testing.T) {
	t.Parallel()
	a := &answer{status: []int{429}, header: http.Header{"Retry-After": {"60"}}, body: `{"error":{"code":"RateLimited","message":"x"}}`}
	s := NewStaff(serve(t, a), WithRetries(5), WithMaxWait(time.Minute))
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		for {
			a.mu.Lock()
			n := len(a.requests)
			a.mu.Unlock()
			if n > 0 {
				cancel()
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	if _, err := s.Me(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want the context's", err)
	}
}

func TestStrictDecodingRefusesUnknownFields(t *testing.T) {
	t.Parallel()
	a := &answer{status: []int{200}, body: `{"kind":"user","surprise":1}`}
	if _, err := NewStaff(serve(t, a)).Me(t.Context()); err != nil {
		t.Fatalf("lenient: %v", err)
	}
	if _, err := NewStaff(serve(t, a), WithStrictDecoding()).Me(t.Context()); err == nil || !strings.Contains(err.Error(), "surprise") {
		t.Fatalf("strict: %v", err)
	}
}

func TestNotTheAPIsShape(t *testing.T) {
	t.Parallel()
	a := &answer{status: []int{502}, body: `<html>Bad Gateway</html>`}
	_, err := NewGuest(serve(t, a), WithRetries(0)).Outlets(t.Context(), "")
	var e *Error
	if !errors.As(err, &e) || e.Code != "" || e.StatusCode != 502 || !strings.Contains(e.Message, "Bad Gateway") {
		t.Fatalf("err %#v", err)
	}
}

func TestEventStream(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Last-Event-ID") != "41" || r.URL.Query().Get("SessionToken") != "tok" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"sessionToken":"","responsesIncluded":"getEventsResponse","responses":[{"getEventsResponse":{"succeeded":false,"areaError":"IdentityTokenInvalid","message":"no"}}],"status":"Failure"}`)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, ": heartbeat\n\nid: 42\nevent: message.created\ndata: {\"kind\":\"message.created\",\"conversationCode\":\"C1\"}\n\nid: 43\nevent: reload\ndata: {}\n\n")
	}))
	defer srv.Close()
	g := NewGuest(srv.URL)
	g.SetToken("tok")
	if _, err := g.Events(t.Context(), "40"); CodeOf(err) != "IdentityTokenInvalid" {
		t.Fatalf("refused stream: %v", err)
	}
	g.SendTokenIn(TokenInQuery)
	st, err := g.Events(t.Context(), "41")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ev, err := st.Next()
	if err != nil || ev.ID != "42" || ev.Kind != "message.created" {
		t.Fatalf("%+v %v", ev, err)
	}
	if ge, err := ev.Guest(); err != nil || ge.ConversationCode != "C1" {
		t.Fatalf("%+v %v", ge, err)
	}
	if ev, err := st.WaitFor(func(e Event) bool { return e.Kind == "reload" }); err != nil || st.LastID() != "43" || ev.ID != "43" {
		t.Fatalf("%+v %v last %s", ev, err, st.LastID())
	}
	if _, err := st.WaitFor(func(Event) bool { return true }); !errors.Is(err, ErrStreamEnded) {
		t.Fatalf("after the end: %v", err)
	}
}

// FuzzGuestAnswer feeds any bytes to the guest client as an answer: it returns a value or an
// error, never panics, and a failure is always an *Error.
func FuzzGuestAnswer(f *testing.F) {
	f.Add(200, []byte(`{"sessionToken":"t","responsesIncluded":"getConversationsResponse","responses":[{"getConversationsResponse":{"content":{"conversations":[],"totalCount":0},"succeeded":true}}],"status":"Success"}`))
	f.Add(404, []byte(`{"responses":[{"x":{"succeeded":false,"areaError":"RouteNotFound"}}]}`))
	f.Add(200, []byte(`{"responses":[{"getConversationsResponse":{"content":[1,2],"succeeded":true}}]}`))
	f.Add(500, []byte(`not json`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 200 || status > 599 || status == 429 || status >= 502 && status <= 504 {
			return
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			_, _ = w.Write(body)
		}))
		defer srv.Close()
		page, err := NewGuest(srv.URL, WithRetries(0)).Conversations(t.Context(), "", Page{})
		if err == nil {
			if page == nil {
				t.Fatal("nil page without an error")
			}
			var env api.Envelope
			if json.Unmarshal(body, &env) != nil {
				t.Fatalf("success from a body that is not an envelope: %q", body)
			}
		}
	})
}

// TestCreationsSendAListOfProperties: a key or token made without properties sends an empty
// list, which the staff API's document requires, never null.
func TestCreationsSendAListOfProperties(t *testing.T) {
	t.Parallel()
	a := &answer{status: []int{201}, body: `{}`}
	s := NewStaff(serve(t, a))
	if _, err := s.CreateAPIKey(t.Context(), api.APIKeyRequest{Name: "PMS", Role: "admin"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateInterfaceToken(t.Context(), api.InterfaceTokenRequest{Name: "App"}); err != nil {
		t.Fatal(err)
	}
	for _, b := range a.bodies {
		if !strings.Contains(b, `"properties":[]`) {
			t.Errorf("request body %s, want an empty properties list", b)
		}
	}
}
