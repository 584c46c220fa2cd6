package sqlite

import (
	"strings"
	"testing"
)

// TestInboxQueryPlan checks that the inbox finds each listed conversation's last message by a
// seek on the messages' (conversation_id, seq) index in the page's own query, never by
// scanning or sorting the messages.
func TestInboxQueryPlan(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	rows, err := db.readers.QueryContext(t.Context(), `EXPLAIN QUERY PLAN `+inboxSelect()+`
		WHERE 1 ORDER BY c.updated_at DESC, c.id DESC LIMIT ?`, 51)
	if err != nil {
		t.Fatalf("explain: %v", err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, notUsed int
		var detail string
		if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	plan := strings.Join(lines, "\n")
	for _, want := range []string{
		// The last message's id: sqlite_autoindex_messages_2 is UNIQUE (conversation_id, seq),
		// read backwards from the conversation's highest seq.
		"SEARCH m USING COVERING INDEX sqlite_autoindex_messages_2 (conversation_id=?)",
		"SEARCH lm USING INTEGER PRIMARY KEY (rowid=?)", // the last message itself
		"SCAN c USING INDEX conversations_updated",      // the page in order: it stops at the limit
	} {
		if !strings.Contains(plan, want) {
			t.Errorf("plan lacks %q:\n%s", want, plan)
		}
	}
	for _, bad := range []string{"SCAN m", "SCAN lm", "TEMP B-TREE"} {
		if strings.Contains(plan, bad) {
			t.Errorf("plan has %q:\n%s", bad, plan)
		}
	}
}
