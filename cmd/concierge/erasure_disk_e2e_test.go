package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	admin, agent := s.staffLogin(t, "admin"), s.staffLogin(t, "roomservice")
	rc := newReceiver(t, nil)
	s.admin(t, admin, http.MethodPost, "/api/v1/properties/DEMO/webhooks", map[string]any{"url": rc.srv.URL,
		"kinds": []string{"message.created", "conversation.updated"}}).wantStatus(t, http.StatusCreated)
	s.do(t, http.MethodPut, "/api/v1/properties/DEMO/stays/BK-XW-7731", []byte(`{"roomNumber":"208","firstName":"Xanthippe",
		"lastName":"Wobblesnoot","languageCode":"en","arrival":"2026-11-24","departure":"2026-11-26"}`), bearer(admin)).
		wantStatus(t, http.StatusCreated)
	tok := s.loginRoom(t, "208", "wobblesnoot")
	body, _ := json.Marshal(map[string]any{"SessionToken": tok, "OutletCode": "ROOMSERVICE",
		"ConversationType": "guest", "Message": "Bring zanzibarite marmalade and quokkaberry scones"})
	r := s.do(t, http.MethodPost, pathCreate, body, map[string]string{"Idempotency-Key": "xw-1"})
	stayConv := r.content(t, "createConversationResponse")["conversation"].(map[string]any)["code"].(string)
	s.do(t, http.MethodPost, staffConvPath(stayConv, "/messages"), []byte(`{"type":"Staff","content":"Your thundercrumpet arrives soon"}`),
		map[string]string{"Authorization": "Bearer " + agent, "Idempotency-Key": "xw-reply"}).wantStatus(t, http.StatusCreated)
	nv := s.guestSession(t, "DEMO", demoToken, "guest-xw-flibbertigibbet").token()
	c := s.post(t, pathCreateNV, map[string]any{"SessionToken": nv, "OutletCode": "FRONTDESK",
		"Message": "My platypoodle escaped the room"}).content(t, "createConversationResponse")
	guestConv := c["conversation"].(map[string]any)["code"].(string)
	waitUntil(t, "webhook deliveries", func() bool { return len(rc.accepted()) >= 3 })
	// The full-text index holds the words too: search finds them.
	if hits := s.staffGet(t, admin, "/api/v1/conversations?q=quokkaberry").wantStatus(t, http.StatusOK); !strings.Contains(string(hits.Raw), stayConv) {
		t.Fatalf("search does not find the stay's conversation: %s", hits.Raw)
	}

	needles := []string{"zanzibarite", "quokkaberry", "thundercrumpet", "platypoodle", "Xanthippe", "Wobblesnoot",
		"BK-XW-7731", "guest-xw-flibbertigibbet", stayConv, guestConv}
	found := strings.Join(findInFiles(t, s.Dir, needles), "\n")
	for _, n := range needles {
		if !strings.Contains(found, fmt.Sprintf("%q in ", n)) {
			t.Fatalf("before erasure, the files do not hold %q: the search is broken; it finds\n%s", n, found)
		}
	}

	const base = "/api/v1/properties/DEMO/guest-data"
	er := s.admin(t, admin, http.MethodPost, base+"/erase", map[string]any{"bookingReference": "BK-XW-7731"}).wantStatus(t, http.StatusOK)
	if er.Body["guestErased"] != true {
		t.Fatalf("stay erasure: %s", er.Raw)
	}
	s.admin(t, admin, http.MethodPost, base+"/erase", map[string]any{"guestIdentifier": "guest-xw-flibbertigibbet"}).wantStatus(t, http.StatusOK)
	if found := findInFiles(t, s.Dir, needles); len(found) > 0 {
		t.Errorf("erased words are still on disk once the erasure answered:\n%s", strings.Join(found, "\n"))
	}
}
