package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"concierge/api"
	"concierge/client"
)

// findInFiles returns, for each needle found (ASCII case-insensitively) in the raw bytes of a
// file of dir, "needle in file". It reads every file of the directory: the SQLite database and
// its -wal and -shm files included.
func findInFiles(t testing.TB, dir string, needles []string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		b = bytes.ToLower(b)
		for _, n := range needles {
			if bytes.Contains(b, bytes.ToLower([]byte(n))) {
				found = append(found, fmt.Sprintf("%q in %s", n, e.Name()))
			}
		}
	}
	return found
}

// TestErasedWordsLeaveTheDisk: once an erasure through the API has answered, no file of the
// SQLite server's data directory (the database, its write-ahead log, its shared-memory index)
// holds any of the erased guests' words, names, references or codes, byte for byte, while the
// server keeps running.
func TestErasedWordsLeaveTheDisk(t *testing.T) {
	sqliteOnly(t, "reads the SQLite files; the README says what erasure guarantees on PostgreSQL")
	t.Parallel()
	s := startServer(t, serverOptions{demo: true, env: noLimits, args: []string{"--webhook-allow-cidr", "127.0.0.1/32"}})
	ctx := t.Context()
	admin, agent := s.staffAs(t, "admin"), s.staffAs(t, "roomservice")
	rc := newReceiver(t, nil)
	hookFor(t, admin, rc.srv.URL, "whsec_erased-words-0123456789")
	need(admin.PutStay(ctx, "DEMO", "BK-XW-7731", api.StayRequest{RoomNumber: "208", FirstName: "Xanthippe",
		LastName: "Wobblesnoot", LanguageCode: "en", Arrival: "2026-11-24", Departure: "2026-11-26"}))(t)
	admin.last(t).wantStatus(t, http.StatusCreated)
	stayConv := need(s.guestAt(t, "208", "wobblesnoot").CreateConversation(ctx, api.GuestCreateConversationRequest{
		OutletCode: "ROOMSERVICE", ConversationType: "guest", Message: "Bring zanzibarite marmalade and quokkaberry scones"}, "xw-1"))(t).Code
	need(agent.AddMessage(ctx, stayConv, api.AddMessageRequest{Type: "Staff", Content: "Your thundercrumpet arrives soon"}, "xw-reply"))(t)
	agent.last(t).wantStatus(t, http.StatusCreated)
	guestConv := need(s.identifiedGuest(t, "guest-xw-flibbertigibbet", "").CreateNonVerifiedConversation(ctx,
		api.GuestCreateConversationRequest{OutletCode: "FRONTDESK", Message: "My platypoodle escaped the room"}, ""))(t).Code
	waitUntil(t, "webhook deliveries", func() bool { return len(rc.accepted()) >= 3 })
	// The full-text index holds the words too: search finds them.
	hits := need(admin.Conversations(ctx, client.InboxQuery{Q: "quokkaberry"}))(t)
	if !slices.Contains(collect(hits.Conversations, func(c api.ConversationSummary) string { return c.Code }), stayConv) {
		t.Fatalf("search does not find the stay's conversation: %s", admin.last(t).Raw)
	}

	needles := []string{"zanzibarite", "quokkaberry", "thundercrumpet", "platypoodle", "Xanthippe", "Wobblesnoot",
		"BK-XW-7731", "guest-xw-flibbertigibbet", stayConv, guestConv}
	found := strings.Join(findInFiles(t, s.Dir, needles), "\n")
	for _, n := range needles {
		if !strings.Contains(found, fmt.Sprintf("%q in ", n)) {
			t.Fatalf("before erasure, the files do not hold %q: the search is broken; it finds\n%s", n, found)
		}
	}

	if er := need(admin.EraseGuestData(ctx, "DEMO", api.GuestRef{BookingReference: "BK-XW-7731"}))(t); !er.OwnerErased {
		t.Fatalf("stay erasure: %s", admin.last(t).Raw)
	}
	admin.last(t).wantStatus(t, http.StatusOK)
	need(admin.EraseGuestData(ctx, "DEMO", api.GuestRef{GuestIdentifier: "guest-xw-flibbertigibbet"}))(t)
	admin.last(t).wantStatus(t, http.StatusOK)
	if found := findInFiles(t, s.Dir, needles); len(found) > 0 {
		t.Errorf("erased words are still on disk once the erasure answered:\n%s", strings.Join(found, "\n"))
	}
}
