package postgres

import (
	"strings"
	"testing"
)

// TestInboxQueryPlan checks, on a database with enough conversations and messages for the
// planner to care, that the inbox reads each listed conversation's last message by a backward
// scan of the messages' (conversation_id, seq) index inside the page's own query (a LATERAL
// join after the page's ordered scan), never by scanning the messages.
func TestInboxQueryPlan(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	ctx := t.Context()
	_, err := db.pool.Exec(ctx, `
		INSERT INTO properties (code, name, brand_code, group_code, time_zone, default_language,
			hide_staff_names, created_at) VALUES ('PLAN', 'Plan', '', '', 'UTC', 'en', false, now());
		INSERT INTO service_centers (property_id, code, name, staff_language)
			SELECT id, 'FO', 'Front Office', 'en' FROM properties;
		INSERT INTO outlets (property_id, code, name, description, service_center_id,
			allow_guest_messages, allow_non_verified_guests, sort_order)
			SELECT property_id, 'FRONTDESK', 'Front Desk', '', id, true, true, 1 FROM service_centers;
		INSERT INTO conversations (code, property_id, outlet_id, subject, status, type,
			guest_first_name, guest_last_name, guest_language, created_at, updated_at)
			SELECT 'C' || i, o.property_id, o.id, '', 'Open', 'guest', '', '', 'en',
				now() - i * interval '1 minute', now() - i * interval '1 minute'
			FROM outlets o, generate_series(1, 3000) i;
		INSERT INTO messages (code, conversation_id, seq, type, author_first_name, author_last_name,
			content, language, created_at)
			SELECT 'M' || c.id || '-' || s, c.id, s, 'Guest', '', '', 'message ' || s, 'en',
				c.created_at + s * interval '1 second'
			FROM conversations c, generate_series(1, 10) s;
		ANALYZE;`)
	must(t, err)
	rows, err := db.pool.Query(ctx, `EXPLAIN `+inboxSelect()+`
		WHERE true ORDER BY c.updated_at DESC, c.id DESC LIMIT $1`, 51)
	must(t, err)
	var lines []string
	for rows.Next() {
		var line string
		must(t, rows.Scan(&line))
		lines = append(lines, line)
	}
	must(t, rows.Err())
	plan := strings.Join(lines, "\n")
	for _, want := range []string{
		"Index Scan Backward using messages_conversation_id_seq_key on messages m", // the last message
		"Index Scan using conversations_updated on conversations c",                // the page, in order
	} {
		if !strings.Contains(plan, want) {
			t.Errorf("plan lacks %q:\n%s", want, plan)
		}
	}
	for _, bad := range []string{"Seq Scan on messages", "Sort"} {
		if strings.Contains(plan, bad) {
			t.Errorf("plan has %q:\n%s", bad, plan)
		}
	}
	t.Logf("plan:\n%s", plan)
}
