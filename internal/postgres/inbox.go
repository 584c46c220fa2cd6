package postgres

import (
	"context"
	"strconv"
	"strings"
	"time"

	"concierge/internal/concierge"
)

// inboxSelect is the inbox query up to its WHERE: each conversation with its place, counters
// and last message. The last message comes from a LATERAL join that reads the messages'
// UNIQUE (conversation_id, seq) index backwards, one row per listed conversation, in the
// page's query; the planner runs it after the ordered scan of conversations_updated stops at
// the limit.
func inboxSelect() string {
	return `SELECT ` + prefixed("c.", conversationColumns) + `,
		p.code, o.code, o.name, sc.id, sc.code, coalesce(st.room_number, ''), coalesce(su.username, ''), coalesce(su.display_name, ''),
		(SELECT count(*) FROM messages m WHERE m.conversation_id = c.id AND m.type = 'Guest'
		 AND m.read_at IS NULL),
		lm.code, lm.type, lm.content, lm.language, lm.created_at, lm.author_first_name,
		lm.author_last_name, lm.username
		FROM conversations c
		JOIN outlets o ON o.id = c.outlet_id
		JOIN service_centers sc ON sc.id = o.service_center_id
		JOIN properties p ON p.id = c.property_id
		LEFT JOIN stays st ON st.id = c.stay_id
		LEFT JOIN staff_users su ON su.id = c.assignee_id
		LEFT JOIN LATERAL (
			SELECT m.code, m.type, m.content, m.language, m.created_at, m.author_first_name,
				m.author_last_name, CASE WHEN m.type IN ('Staff', 'Note') THEN u.username END AS username
			FROM messages m LEFT JOIN staff_users u ON u.id = m.staff_user_id
			WHERE m.conversation_id = c.id
			ORDER BY m.seq DESC LIMIT 1) lm ON true`
}

// deref returns *s, or "" when s is nil.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Inbox lists the conversations of q.Scope matching q's filters, by updated time descending
// then id descending, after q.After, at most q.Limit (≤ 0: all). It errors only when the
// database fails.
func (db *DB) Inbox(ctx context.Context, q concierge.InboxQuery) ([]concierge.InboxItem, error) {
	var conds []string
	var args []any
	add := func(cond string, a ...any) {
		// Each "$?" of cond is the next parameter.
		for _, v := range a {
			args = append(args, v)
			cond = strings.Replace(cond, "$?", "$"+strconv.Itoa(len(args)), 1)
		}
		conds = append(conds, cond)
	}
	if !q.Scope.All {
		add(`(c.property_id = ANY($?) OR o.service_center_id = ANY($?))`,
			nonNil(q.Scope.PropertyIDs), nonNil(q.Scope.ServiceCenterIDs))
	}
	if q.PropertyCode != "" {
		add(`lower(p.code) = lower($?)`, q.PropertyCode)
	}
	if q.ServiceCenterCode != "" {
		add(`lower(sc.code) = lower($?)`, q.ServiceCenterCode)
	}
	if q.OutletCode != "" {
		add(`lower(o.code) = lower($?)`, q.OutletCode)
	}
	if q.Status != "" {
		add(`c.status = $?`, string(q.Status))
	}
	switch q.Assignee {
	case concierge.AssigneeNobody:
		add(`c.assignee_id IS NULL`)
	case concierge.AssigneeUser:
		add(`c.assignee_id = $?`, q.AssigneeID)
	}
	if q.Unread != nil {
		not := "NOT "
		if *q.Unread {
			not = ""
		}
		add(not + `EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id
			AND m.type = 'Guest' AND m.read_at IS NULL)`)
	}
	if len(q.Terms) > 0 {
		query, ok := searchQuery(q.Terms)
		if !ok {
			return nil, nil // a term without a word matches no text
		}
		add(`c.id IN (SELECT m.conversation_id FROM message_texts t JOIN messages m ON m.id = t.message_id
			WHERE t.terms @@ $?::tsquery)`, query)
	}
	if q.After != nil {
		add(`(c.updated_at, c.id) < ($?, $?)`, q.After.UpdatedAt, q.After.ID)
	}
	where := "true"
	if len(conds) > 0 {
		where = strings.Join(conds, " AND ")
	}
	args = append(args, limitArg(q.Limit))
	rows, err := db.pool.Query(ctx, inboxSelect()+`
		WHERE `+where+`
		ORDER BY c.updated_at DESC, c.id DESC LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, storeErr(err, "inbox")
	}
	defer rows.Close()
	var out []concierge.InboxItem
	for rows.Next() {
		var it concierge.InboxItem
		var lmCreated *time.Time
		var lmCode, lmType, lmContent, lmLanguage, lmFirst, lmLast, lmUsername *string
		it.Conversation, err = scanConversation(rows, &it.PropertyCode, &it.OutletCode, &it.OutletName,
			&it.ServiceCenterID, &it.ServiceCenterCode, &it.RoomNumber, &it.AssigneeUsername, &it.AssigneeName, &it.UnreadCount,
			&lmCode, &lmType, &lmContent, &lmLanguage, &lmCreated, &lmFirst, &lmLast, &lmUsername)
		if err != nil {
			return nil, storeErr(err, "inbox")
		}
		if lmCode != nil {
			it.LastMessage = &concierge.InboxMessage{Code: *lmCode, Type: concierge.MessageType(deref(lmType)),
				Content: deref(lmContent), Language: deref(lmLanguage), AuthorFirstName: deref(lmFirst),
				AuthorLastName: deref(lmLast), AuthorUsername: deref(lmUsername)}
			if lmCreated != nil {
				it.LastMessage.CreatedAt = utc(*lmCreated)
			}
			it.LastMessageAt = it.LastMessage.CreatedAt
		}
		out = append(out, it)
	}
	return out, storeErr(rows.Err(), "inbox")
}

// prefixed qualifies each column of a comma-separated list with prefix.
func prefixed(prefix, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = prefix + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// InboxCounts lists the service centers of scope — every one when scope.All, else those at
// scope's properties and scope's own — by property code then code (byte-wise), each with its
// counters. It errors only when the database fails.
func (db *DB) InboxCounts(ctx context.Context, scope concierge.InboxScope) ([]concierge.ServiceCenterCounts, error) {
	cond := "true"
	var args []any
	if !scope.All {
		cond = `(sc.property_id = ANY($1) OR sc.id = ANY($2))`
		args = []any{nonNil(scope.PropertyIDs), nonNil(scope.ServiceCenterIDs)}
	}
	// The counters are computed per service center in scope (LATERAL), through the partial
	// index of unread messages and the conversations' outlet index.
	rows, err := db.pool.Query(ctx, `SELECT sc.id, sc.property_id, sc.code, sc.name, sc.staff_language,
			p.code, u.messages, u.convs, op.n
		FROM service_centers sc JOIN properties p ON p.id = sc.property_id
		CROSS JOIN LATERAL (
			SELECT count(*) AS messages, count(DISTINCT m.conversation_id) AS convs
			FROM outlets o JOIN conversations c ON c.outlet_id = o.id
			JOIN messages m ON m.conversation_id = c.id AND m.type = 'Guest' AND m.read_at IS NULL
			WHERE o.service_center_id = sc.id) u
		CROSS JOIN LATERAL (
			SELECT count(*) AS n FROM outlets o JOIN conversations c ON c.outlet_id = o.id
			WHERE o.service_center_id = sc.id AND c.status = 'Open') op
		WHERE `+cond+`
		ORDER BY p.code COLLATE "C", sc.code COLLATE "C", sc.id`, args...)
	if err != nil {
		return nil, storeErr(err, "inbox counts")
	}
	defer rows.Close()
	var out []concierge.ServiceCenterCounts
	for rows.Next() {
		var c concierge.ServiceCenterCounts
		if err := rows.Scan(&c.ID, &c.PropertyID, &c.Code, &c.Name, &c.StaffLanguage, &c.PropertyCode,
			&c.UnreadMessages, &c.UnreadConversations, &c.Open); err != nil {
			return nil, storeErr(err, "inbox counts")
		}
		out = append(out, c)
	}
	return out, storeErr(rows.Err(), "inbox counts")
}
