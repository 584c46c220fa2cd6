package sqlite

import (
	"strings"
	"testing"
)

// TestGuestQueryPlans checks that the per-guest reads find a guest's conversations through the
// stay and guest indexes, never by scanning all of a property's conversations through
// conversations_property (which made each read take seconds at ten million messages).
func TestGuestQueryPlans(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	owner := []any{int64(1), int64(2), int64(3)}
	page := []any{int64(20), int64(0)}
	cases := []struct {
		name  string
		query string
		args  []any
	}{
		{"GuestMessages count", `SELECT count(*) ` + guestMessageFilter, owner},
		{"GuestMessages page asc", guestMessagesQuery("ASC"), append(owner[:3:3], page...)},
		{"GuestMessages page desc", guestMessagesQuery("DESC"), append(owner[:3:3], page...)},
		{"GuestConversations count", `SELECT count(*) FROM conversations ` + guestConversationFilter(false), owner},
		{"GuestConversations count status", `SELECT count(*) FROM conversations ` + guestConversationFilter(true),
			append(owner[:3:3], "Open")},
		{"GuestConversations page", guestConversationsQuery(false), append(owner[:3:3], page...)},
		{"GuestConversations page status", guestConversationsQuery(true), append(owner[:3:3], "Open", int64(20), int64(0))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			plan := explain(t, db, c.query, c.args...)
			for _, want := range []string{"MULTI-INDEX OR", "conversations_stay", "conversations_guest"} {
				if !strings.Contains(plan, want) {
					t.Errorf("plan lacks %q:\n%s", want, plan)
				}
			}
			if strings.Contains(plan, "conversations_property") || strings.Contains(plan, "SCAN c ") ||
				strings.Contains(plan, "SCAN conversations") {
				t.Errorf("plan scans a property's conversations:\n%s", plan)
			}
			// A listed conversation's last message: read backwards on UNIQUE (conversation_id,
			// seq), never by scanning the messages.
			if strings.HasPrefix(c.name, "GuestConversations page") &&
				(!strings.Contains(plan, "SEARCH m USING INDEX sqlite_autoindex_messages_2 (conversation_id=?)") ||
					strings.Contains(plan, "SCAN m")) {
				t.Errorf("plan does not find the last message on the seq index:\n%s", plan)
			}
		})
	}
}

// explain returns the EXPLAIN QUERY PLAN details of query, one line each.
func explain(t *testing.T, db *DB, query string, args ...any) string {
	t.Helper()
	rows, err := db.readers.QueryContext(t.Context(), `EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		t.Fatalf("explain: %v", err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, notUsed int
		var detail string
		if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
			t.Fatal(err)
		}
		b.WriteString(detail + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestPartialIndexPlans: the indexes that leave NULLs out (migration 0013) still serve the
// `column = ?` searches, those of the foreign-key actions (a staff user, an order or a guest
// removed) and of the queries.
func TestPartialIndexPlans(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	for query, index := range map[string]string{
		`SELECT id FROM messages WHERE staff_user_id = ?`:                  "messages_staff_user",
		`SELECT id FROM conversations WHERE order_id = ?`:                  "conversations_order",
		`SELECT id FROM conversations WHERE guest_id = ?`:                  "conversations_guest",
		`UPDATE messages SET staff_user_id = NULL WHERE staff_user_id = ?`: "messages_staff_user",
	} {
		if plan := explain(t, db, query, int64(7)); !strings.Contains(plan, "USING INDEX "+index) &&
			!strings.Contains(plan, "USING COVERING INDEX "+index) {
			t.Errorf("%s: plan does not use %s:\n%s", query, index, plan)
		}
	}
}
