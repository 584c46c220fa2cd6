package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"concierge/internal/concierge"
)

// scopeCondition returns the SQL condition (on conversations c joined to outlets o) and its
// arguments that keep the conversations of scope.
func scopeCondition(scope concierge.InboxScope) (string, []any, error) {
	if scope.All {
		return "1", nil, nil
	}
	props, err := json.Marshal(nonNilIDs(scope.PropertyIDs))
	if err != nil {
		return "", nil, err
	}
	centers, err := json.Marshal(nonNilIDs(scope.ServiceCenterIDs))
	if err != nil {
		return "", nil, err
	}
	return `(c.property_id IN (SELECT value FROM json_each(?))
		OR o.service_center_id IN (SELECT value FROM json_each(?)))`, []any{string(props), string(centers)}, nil
}

func nonNilIDs(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// matchExpression returns the FTS5 query that finds every term as a word prefix: each term
// quoted (a quote inside doubled), followed by *, all of them required.
func matchExpression(terms []string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"*`
	}
	return strings.Join(parts, " ")
}

// inboxSelect is the inbox query up to its WHERE: each conversation with its place, counters
// and last message. The last message is found by a correlated subquery on the messages'
// UNIQUE (conversation_id, seq) index (one index seek per listed conversation, in the page's
// query), then joined by id with its staff author.
func inboxSelect() string {
	return `SELECT ` + prefixed("c.", conversationColumns) + `,
		p.code, o.code, o.name, sc.id, sc.code, coalesce(st.room_number, ''), coalesce(su.username, ''), coalesce(su.display_name, ''),
		(SELECT count(*) FROM messages m WHERE m.conversation_id = c.id AND m.type = 'Guest'
		 AND m.read_at IS NULL),
		lm.code, lm.type, lm.content, lm.language, lm.created_at, lm.author_first_name,
		lm.author_last_name, CASE WHEN lm.type IN ('Staff', 'Note') THEN lu.username END
		FROM conversations c
		JOIN outlets o ON o.id = c.outlet_id
		JOIN service_centers sc ON sc.id = o.service_center_id
		JOIN properties p ON p.id = c.property_id
		LEFT JOIN stays st ON st.id = c.stay_id
		LEFT JOIN staff_users su ON su.id = c.assignee_id
		LEFT JOIN messages lm ON lm.id = (SELECT m.id FROM messages m WHERE m.conversation_id = c.id
			ORDER BY m.seq DESC LIMIT 1)
		LEFT JOIN staff_users lu ON lu.id = lm.staff_user_id`
}

// Inbox lists the conversations of q.Scope matching q's filters, by updated time descending
// then id descending, after q.After, at most q.Limit (≤ 0: all). It errors only when the
// database fails.
func (db *DB) Inbox(ctx context.Context, q concierge.InboxQuery) ([]concierge.InboxItem, error) {
	scope, args, err := scopeCondition(q.Scope)
	if err != nil {
		return nil, err
	}
	conds := []string{scope}
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
	}
	if q.PropertyCode != "" {
		add(`p.code = ?`, q.PropertyCode) // NOCASE column
	}
	if q.ServiceCenterCode != "" {
		add(`sc.code = ?`, q.ServiceCenterCode)
	}
	if q.OutletCode != "" {
		add(`o.code = ?`, q.OutletCode)
	}
	if q.Status != "" {
		add(`c.status = ?`, string(q.Status))
	}
	switch q.Assignee {
	case concierge.AssigneeNobody:
		add(`c.assignee_id IS NULL`)
	case concierge.AssigneeUser:
		add(`c.assignee_id = ?`, q.AssigneeID)
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
		add(`c.id IN (SELECT m.conversation_id FROM message_text JOIN messages m ON m.id = message_text.message_id
			WHERE message_text MATCH ?)`, matchExpression(q.Terms))
	}
	if q.After != nil {
		at := timeArg(q.After.UpdatedAt)
		add(`(c.updated_at < ? OR (c.updated_at = ? AND c.id < ?))`, at, at, q.After.ID)
	}
	limit := int64(q.Limit)
	if limit <= 0 {
		limit = -1
	}
	args = append(args, limit)
	rows, err := db.readers.QueryContext(ctx, inboxSelect()+`
		WHERE `+strings.Join(conds, " AND ")+`
		ORDER BY c.updated_at DESC, c.id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, storeErr(err, "inbox")
	}
	defer rows.Close()
	var out []concierge.InboxItem
	for rows.Next() {
		var it concierge.InboxItem
		var lm struct {
			code, typ, content, language, first, last, username sql.NullString
			created                                             sql.NullInt64
		}
		it.Conversation, err = scanConversation(rows, &it.PropertyCode, &it.OutletCode, &it.OutletName,
			&it.ServiceCenterID, &it.ServiceCenterCode, &it.RoomNumber, &it.AssigneeUsername, &it.AssigneeName, &it.UnreadCount,
			&lm.code, &lm.typ, &lm.content, &lm.language, &lm.created, &lm.first, &lm.last, &lm.username)
		if err != nil {
			return nil, storeErr(err, "inbox")
		}
		if lm.code.Valid {
			it.LastMessage = &concierge.InboxMessage{Code: lm.code.String, Type: concierge.MessageType(lm.typ.String),
				Content: lm.content.String, Language: lm.language.String, CreatedAt: timeOf(lm.created.Int64),
				AuthorFirstName: lm.first.String, AuthorLastName: lm.last.String, AuthorUsername: lm.username.String}
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
// scope's properties and scope's own — by property code then code, each with its counters.
// It errors only when the database fails.
func (db *DB) InboxCounts(ctx context.Context, scope concierge.InboxScope) ([]concierge.ServiceCenterCounts, error) {
	cond := "1"
	var args []any
	if !scope.All {
		props, err := json.Marshal(nonNilIDs(scope.PropertyIDs))
		if err != nil {
			return nil, err
		}
		centers, err := json.Marshal(nonNilIDs(scope.ServiceCenterIDs))
		if err != nil {
			return nil, err
		}
		cond = `(sc.property_id IN (SELECT value FROM json_each(?)) OR sc.id IN (SELECT value FROM json_each(?)))`
		args = []any{string(props), string(centers)}
	}
	rows, err := db.readers.QueryContext(ctx, `SELECT sc.id, sc.property_id, sc.code, sc.name,
		sc.staff_language, p.code,
		(SELECT count(*) FROM conversations c JOIN outlets o ON o.id = c.outlet_id
		 JOIN messages m ON m.conversation_id = c.id
		 WHERE o.service_center_id = sc.id AND m.type = 'Guest' AND m.read_at IS NULL),
		(SELECT count(*) FROM conversations c JOIN outlets o ON o.id = c.outlet_id
		 WHERE o.service_center_id = sc.id AND EXISTS (SELECT 1 FROM messages m
		 WHERE m.conversation_id = c.id AND m.type = 'Guest' AND m.read_at IS NULL)),
		(SELECT count(*) FROM conversations c JOIN outlets o ON o.id = c.outlet_id
		 WHERE o.service_center_id = sc.id AND c.status = 'Open')
		FROM service_centers sc JOIN properties p ON p.id = sc.property_id
		WHERE `+cond+`
		ORDER BY p.code COLLATE BINARY, sc.code COLLATE BINARY, sc.id`, args...)
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
