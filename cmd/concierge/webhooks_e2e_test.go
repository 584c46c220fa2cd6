package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"concierge/api"
	"concierge/client"
	"concierge/internal/webhook"
)

// hookRequest is one request a test receiver got.
type hookRequest struct {
	ID, Event, Timestamp, Signature string
	Body                            []byte
	Status                          int // what the receiver answered
}

// receiver is a webhook receiver on 127.0.0.1. answer decides the status of each request
// (n: how many requests with this delivery id came before, from 0); nil answers 204.
type receiver struct {
	t      testing.TB
	srv    *httptest.Server
	mu     sync.Mutex
	got    []hookRequest
	answer func(n int, id string) int
	block  chan struct{} // when not nil, every request waits for it to close
}

func newReceiver(t testing.TB, answer func(n int, id string) int) *receiver {
	rc := &receiver{t: t, answer: answer}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(func() {
		rc.unblock()
		rc.srv.CloseClientConnections()
		rc.srv.Close()
	})
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req := hookRequest{ID: r.Header.Get("Concierge-Delivery-Id"), Event: r.Header.Get("Concierge-Event"),
		Timestamp: r.Header.Get("Concierge-Timestamp"), Signature: r.Header.Get("Concierge-Signature"), Body: body,
		Status: http.StatusNoContent}
	rc.mu.Lock()
	n := 0
	for _, g := range rc.got {
		if g.ID == req.ID {
			n++
		}
	}
	if rc.answer != nil {
		req.Status = rc.answer(n, req.ID)
	}
	block := rc.block
	rc.got = append(rc.got, req)
	rc.mu.Unlock()
	if block != nil {
		select {
		case <-block:
		case <-r.Context().Done():
			return
		}
	}
	w.WriteHeader(req.Status)
}

func (rc *receiver) unblock() {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.block != nil {
		select {
		case <-rc.block:
		default:
			close(rc.block)
		}
	}
}

// requests returns a copy of what the receiver got.
func (rc *receiver) requests() []hookRequest {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]hookRequest(nil), rc.got...)
}

// accepted returns, de-duplicated by delivery id, the deliveries answered 2xx, in the order
// of their first success.
func (rc *receiver) accepted() []hookRequest {
	seen := map[string]bool{}
	var out []hookRequest
	for _, r := range rc.requests() {
		if r.Status/100 == 2 && !seen[r.ID] {
			seen[r.ID] = true
			out = append(out, r)
		}
	}
	return out
}

// waitUntil polls cond until it holds; the test fails if it never does.
func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never happened: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// decodeHook decodes a delivery's body, refusing fields package api does not know.
func decodeHook(t testing.TB, b []byte) api.WebhookBody {
	t.Helper()
	var h api.WebhookBody
	strictJSON(t, b, &h)
	return h
}

// webhookServer starts a demo server whose webhooks may reach 127.0.0.1, with quick retries.
func webhookServer(t testing.TB, extra ...string) *server {
	args := append([]string{"--webhook-allow-cidr", "127.0.0.1/32", "--webhook-retry-min", "10ms",
		"--webhook-retry-max", "40ms", "--webhook-timeout", "5s"}, extra...)
	return startServer(t, serverOptions{demo: true, args: args})
}

// createHook subscribes url to DEMO's message.created and conversation.updated events and
// returns the webhook's id.
func (s *server) createHook(t testing.TB, admin, url, secret string) int {
	t.Helper()
	r := s.admin(t, admin, http.MethodPost, "/api/v1/properties/DEMO/webhooks", map[string]any{"url": url,
		"kinds": []string{"message.created", "conversation.updated"}, "secret": secret}).wantStatus(t, http.StatusCreated)
	if r.Body["secret"] != secret {
		t.Fatalf("creation answer secret %v", r.Body["secret"])
	}
	return int(r.Body["id"].(float64))
}

// guestConversations opens n conversations as room 101 (2 events each) and returns their codes.
func (s *server) guestConversations(t testing.TB, n int) []string {
	t.Helper()
	ana := s.guestAt(t, "101", "Garcia")
	var codes []string
	for i := range n {
		conv := need(ana.CreateConversation(t.Context(), api.GuestCreateConversationRequest{
			Message: fmt.Sprintf("Mensaje número %d", i), OutletCode: "ROOMSERVICE"}, ""))(t)
		codes = append(codes, conv.Code)
	}
	return codes
}

// hookFor subscribes url to DEMO's message.created and conversation.updated events and
// returns the webhook's id (createHook through the client).
func hookFor(t testing.TB, admin *staffAPI, url, secret string) int64 {
	t.Helper()
	h := need(admin.CreateWebhook(t.Context(), "DEMO", api.WebhookRequest{URL: &url,
		Kinds: &[]string{"message.created", "conversation.updated"}, Secret: &secret}))(t)
	if st := admin.last(t).Status; st != http.StatusCreated || h.Secret != secret {
		t.Fatalf("creation: HTTP %d, secret %v", st, h.Secret)
	}
	return h.ID
}

// TestWebhookSignedDeliveries: a receiver gets each event once, in seq order, signed with its
// secret over timestamp and body, with the documented headers and body.
func TestWebhookSignedDeliveries(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := webhookServer(t)
	admin := s.staffAs(t, "admin")
	rc := newReceiver(t, nil)
	const secret = "whsec_test-secret-0123456789"
	id := hookFor(t, admin, rc.srv.URL+"/hook?x=1", secret)
	codes := s.guestConversations(t, 3)
	waitUntil(t, "6 deliveries", func() bool { return len(rc.accepted()) >= 6 })

	var seqs []int64
	for _, r := range rc.requests() {
		// The README's verification, done by hand: HMAC-SHA256(secret, timestamp + "." + body).
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(r.Timestamp + "." + string(r.Body)))
		if want := "v1=" + hex.EncodeToString(m.Sum(nil)); r.Signature != want {
			t.Errorf("signature %q, want %q", r.Signature, want)
		}
		ts, err := strconv.ParseInt(r.Timestamp, 10, 64)
		if err != nil || !webhook.Verify(secret, ts, r.Body, r.Signature) || webhook.Verify("other-secret-123456", ts, r.Body, r.Signature) {
			t.Errorf("webhook.Verify disagrees on %s", r.ID)
		}
		if time.Since(time.Unix(ts, 0)).Abs() > time.Hour {
			t.Errorf("timestamp %s is not now", r.Timestamp)
		}
		b := decodeHook(t, r.Body)
		if b.DeliveryID != r.ID || !strings.HasPrefix(r.ID, "whd_") || b.Kind != r.Event || b.Property != "DEMO" {
			t.Errorf("delivery %s: body %s", r.ID, r.Body)
		}
		seqs = append(seqs, b.Seq)
		switch b.Kind {
		case "message.created":
			if b.Message == nil || !strings.HasPrefix(b.Message.Content, "Mensaje número") {
				t.Errorf("message.created without the message: %s", r.Body)
			}
		case "conversation.updated":
			if b.Conversation == nil || b.Conversation.Code != b.ConversationCode {
				t.Errorf("conversation.updated without the conversation: %s", r.Body)
			}
		default:
			t.Errorf("kind %s was not subscribed to", b.Kind)
		}
	}
	for i := 1; i < len(seqs); i++ {
		if seqs[i] <= seqs[i-1] {
			t.Errorf("deliveries out of seq order: %v", seqs)
		}
	}
	if got := decodeHook(t, rc.requests()[0].Body).ConversationCode; got != codes[0] {
		t.Errorf("first delivery about %s, want %s", got, codes[0])
	}

	// Admins see the deliveries (once the dispatcher has recorded the last answers).
	waitUntil(t, "6 deliveries recorded as delivered", func() bool {
		return len(need(admin.Deliveries(ctx, "DEMO", id, "delivered", client.List{}))(t).Deliveries) == 6
	})
	list := need(admin.Deliveries(ctx, "DEMO", id, "", client.List{Limit: 4}))(t)
	ds := list.Deliveries
	if len(ds) != 4 || list.NextCursor == "" {
		t.Fatalf("first page of deliveries: %+v", list)
	}
	d0 := ds[0]
	if d0.Status != "delivered" || d0.Attempts != 1 || d0.LastStatus != 204 || d0.DeliveredAt == nil {
		t.Errorf("delivery %+v", d0)
	}
	rest := need(admin.Deliveries(ctx, "DEMO", id, "", client.List{Cursor: list.NextCursor}))(t)
	if n := len(rest.Deliveries); n != 2 {
		t.Errorf("second page: %d deliveries, want 2", n)
	}
	if one := need(admin.Delivery(ctx, "DEMO", id, d0.ID))(t); one.ID != d0.ID {
		t.Errorf("one delivery: %+v", one)
	}
	_, err := admin.Delivery(ctx, "DEMO", id, "whd_nothing")
	admin.fail(t, err, http.StatusNotFound, "DeliveryNotFound")
	_, err = admin.Deliveries(ctx, "DEMO", id, "lost", client.List{})
	admin.fail(t, err, http.StatusBadRequest, "ValidationFailed")
}

// TestWebhookRetriesExactlyOnce: a receiver that fails 3 times for every delivery, then
// succeeds, gets each event exactly once after de-duplication by delivery id, in order.
func TestWebhookRetriesExactlyOnce(t *testing.T) {
	t.Parallel()
	s := webhookServer(t)
	admin := s.staffAs(t, "admin")
	rc := newReceiver(t, func(n int, _ string) int {
		if n < 3 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	id := hookFor(t, admin, rc.srv.URL, "whsec_retry-secret-0123456789")
	s.guestConversations(t, 4)
	waitUntil(t, "8 accepted deliveries", func() bool { return len(rc.accepted()) >= 8 })
	acc := rc.accepted()
	seqSeen := map[int64]bool{}
	var last int64
	for _, r := range acc {
		b := decodeHook(t, r.Body)
		if seqSeen[b.Seq] {
			t.Errorf("event %d accepted under two delivery ids", b.Seq)
		}
		seqSeen[b.Seq] = true
		if b.Seq <= last {
			t.Errorf("event %d accepted after %d", b.Seq, last)
		}
		last = b.Seq
	}
	if len(acc) != 8 {
		t.Errorf("%d events accepted, want 8", len(acc))
	}
	byID := map[string][]hookRequest{}
	for _, r := range rc.requests() {
		byID[r.ID] = append(byID[r.ID], r)
	}
	for did, rs := range byID {
		if len(rs) != 4 {
			t.Errorf("delivery %s was attempted %d times, want 4 (3 failures, 1 success)", did, len(rs))
		}
		for _, r := range rs[1:] {
			if string(r.Body) != string(rs[0].Body) {
				t.Errorf("delivery %s changed its body between attempts", did)
			}
		}
	}
	// The receiver's last answer may reach the dispatcher's records a moment later.
	var list *api.DeliveryList
	waitUntil(t, "8 deliveries recorded as delivered", func() bool {
		list = need(admin.Deliveries(t.Context(), "DEMO", id, "delivered", client.List{}))(t)
		return len(list.Deliveries) == 8
	})
	for _, d := range list.Deliveries {
		if d.Status != "delivered" || d.Attempts != 4 {
			t.Errorf("delivery %+v: want delivered after 4 attempts", d)
		}
	}
}

// TestWebhookHungEndpoint: a receiver that never answers delays neither the API nor another
// webhook.
func TestWebhookHungEndpoint(t *testing.T) {
	t.Parallel()
	s := webhookServer(t, "--webhook-timeout", "10m")
	admin := s.staffAs(t, "admin")
	hung := newReceiver(t, nil)
	hung.block = make(chan struct{})
	fine := newReceiver(t, nil)
	hookFor(t, admin, hung.srv.URL, "whsec_hung-secret-0123456789")
	hookFor(t, admin, fine.srv.URL, "whsec_fine-secret-0123456789")
	s.guestConversations(t, 1)
	waitUntil(t, "the hung receiver holds a request", func() bool { return len(hung.requests()) == 1 })
	// While it hangs: API writes succeed and the other webhook gets everything.
	s.guestConversations(t, 5)
	waitUntil(t, "12 deliveries to the working receiver", func() bool { return len(fine.accepted()) == 12 })
	if n := len(hung.requests()); n != 1 {
		t.Errorf("the hung receiver got %d requests, want the 1 it holds", n)
	}
	hung.unblock()
	waitUntil(t, "the hung receiver, released, gets the rest", func() bool { return len(hung.accepted()) == 12 })
}

// TestWebhookRestartMidRetries: a server stopped while a delivery is being retried delivers
// it after it starts again on the same database; nothing is lost.
func TestWebhookRestartMidRetries(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	args := []string{"--webhook-allow-cidr", "127.0.0.1/32", "--webhook-retry-min", "20ms", "--webhook-retry-max", "50ms",
		"--webhook-timeout", "1s"}
	var mu sync.Mutex
	up := false
	rc := newReceiver(t, func(int, string) int {
		mu.Lock()
		defer mu.Unlock()
		if up {
			return http.StatusOK
		}
		return http.StatusInternalServerError
	})
	s := startServer(t, serverOptions{demo: true, dir: dir, args: args})
	admin := s.staffAs(t, "admin")
	hookFor(t, admin, rc.srv.URL, "whsec_restart-secret-012345")
	s.guestConversations(t, 2)
	waitUntil(t, "retries under way", func() bool { return len(rc.requests()) >= 3 })
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	up = true
	mu.Unlock()
	s2 := startServer(t, serverOptions{dir: dir, args: args})
	waitUntil(t, "all 4 events delivered after the restart", func() bool { return len(rc.accepted()) == 4 })
	var last int64
	for _, r := range rc.accepted() {
		if b := decodeHook(t, r.Body); b.Seq <= last {
			t.Errorf("after the restart, event %d came after %d", b.Seq, last)
		} else {
			last = b.Seq
		}
	}
	_ = s2
}

// TestWebhookDeadAndRedelivery: a delivery failing past the retry window is dead with its
// last error; an admin redelivers it (one, or a time range) once the receiver works.
func TestWebhookDeadAndRedelivery(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := webhookServer(t, "--webhook-retry-window", "100ms")
	admin := s.staffAs(t, "admin")
	var mu sync.Mutex
	up := false
	rc := newReceiver(t, func(int, string) int {
		mu.Lock()
		defer mu.Unlock()
		if up {
			return http.StatusOK
		}
		return http.StatusTeapot
	})
	id := hookFor(t, admin, rc.srv.URL, "whsec_dead-secret-0123456789")
	s.guestConversations(t, 1)
	base := fmt.Sprintf("/api/v1/properties/DEMO/webhooks/%d", id)
	var dead []api.Delivery
	waitUntil(t, "both deliveries dead", func() bool {
		dead = need(admin.Deliveries(ctx, "DEMO", id, "dead", client.List{}))(t).Deliveries
		return len(dead) == 2
	})
	d := dead[1]
	if d.LastError != "HTTP 418" || d.LastStatus != 418 || d.Attempts < 1 || d.NextAttemptAt != nil {
		t.Errorf("dead delivery %+v", d)
	}
	mu.Lock()
	up = true
	mu.Unlock()
	r := need(admin.Redeliver(ctx, "DEMO", id, d.ID))(t)
	if r.Status != "pending" || r.Attempts != 0 {
		t.Errorf("redelivered: %+v", r)
	}
	waitUntil(t, "the redelivered one accepted", func() bool { return len(rc.accepted()) == 1 })
	if got := rc.accepted()[0].ID; got != d.ID {
		t.Errorf("redelivery sent %s, want the same delivery id %s", got, d.ID)
	}
	from := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339Nano)
	to := time.Now().Add(time.Minute).UTC().Format(time.RFC3339Nano)
	if n, err := admin.RedeliverRange(ctx, "DEMO", id, api.RedeliverRequest{From: from, To: to}); err != nil || n != 2 {
		t.Errorf("range redelivery: %d %v", n, err)
	}
	waitUntil(t, "both accepted", func() bool { return len(rc.accepted()) == 2 })
	_, err := admin.RedeliverRange(ctx, "DEMO", id, api.RedeliverRequest{From: to, To: from})
	admin.fail(t, err, http.StatusBadRequest, "ValidationFailed")
	s.admin(t, admin.Token(), http.MethodPost, base+"/redeliver", map[string]string{"from": "yesterday"}).
		wantStaffError(t, http.StatusBadRequest, "ValidationFailed")
	_, err = admin.Redeliver(ctx, "DEMO", id, "whd_none")
	admin.fail(t, err, http.StatusNotFound, "DeliveryNotFound")
}
