package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"concierge/internal/concierge"

	"github.com/jackc/pgx/v5"
)

// UpsertStays writes stays in one transaction: a booking reference new at its property
// (compared case-insensitively) is inserted, a stored stay that differs in any other field is
// updated, an equal one is left alone; the reference keeps the spelling it was first stored
// with. It sets each stay's ID and BookingReference (as stored) after the commit and returns
// one result per stay; on an error nothing is written.
//
// It takes three round trips whatever the number of stays: one locks the properties concerned
// (so that concurrent upserts to one property, from any node, run one after the other) and
// reads the stored stays of every reference, then the results are worked out in Go, then one
// batch applies the inserts and updates.
func (db *DB) UpsertStays(ctx context.Context, stays []*concierge.Stay) ([]concierge.UpsertResult, error) {
	results := make([]concierge.UpsertResult, len(stays))
	ids := make([]int64, len(stays))
	refs := make([]string, len(stays)) // the stored spelling of each reference
	err := db.write(ctx, func(tx *wtx) error {
		return upsertStays(ctx, tx, stays, results, ids, refs)
	})
	if err != nil {
		return nil, storeErr(err, "upsert stays")
	}
	for i, s := range stays {
		s.ID, s.BookingReference = ids[i], refs[i]
	}
	return results, nil
}

// upsertStays does UpsertStays' work in tx, filling results, ids and refs.
func upsertStays(ctx context.Context, tx *wtx, stays []*concierge.Stay, results []concierge.UpsertResult, ids []int64, refs []string) error {
	if len(stays) == 0 {
		return nil
	}
	props := make([]int64, len(stays))
	inRefs := make([]string, len(stays))
	for i, s := range stays {
		props[i], inRefs[i] = s.PropertyID, s.BookingReference
	}
	sorted := slices.Clone(props)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	if _, err := tx.Exec(ctx, `SELECT FROM properties WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE`, sorted); err != nil {
		return err
	}
	// Per input: its folded key, and the stored stay of its reference, if any.
	rows, err := tx.Query(ctx, `SELECT i.ord, lower(i.ref), `+prefixed("s.", stayColumns)+`
		FROM unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS i (pid, ref, ord)
		LEFT JOIN stays s ON s.property_id = i.pid AND lower(s.booking_reference) = lower(i.ref)
			AND s.booking_reference <> '' AND i.ref <> ''
		ORDER BY i.ord`, props, inRefs)
	if err != nil {
		return err
	}
	keys := make([]string, len(stays))
	stored := make([]*concierge.Stay, len(stays))
	for rows.Next() {
		var ord int64
		var key string
		var id, pid *int64
		var room, first, last, lang, arr, dep, ref *string
		if err := rows.Scan(&ord, &key, &id, &pid, &room, &first, &last, &lang, &arr, &dep, &ref); err != nil {
			rows.Close()
			return err
		}
		i := ord - 1
		keys[i] = strconv.FormatInt(stays[i].PropertyID, 10) + "/" + key
		if id != nil {
			stored[i] = &concierge.Stay{ID: *id, PropertyID: *pid, RoomNumber: *room, FirstName: *first,
				LastName: *last, Language: *lang, Arrival: concierge.Date(*arr), Departure: concierge.Date(*dep),
				BookingReference: *ref}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	// Work out each stay's result against the state left by the ones before it.
	type target struct {
		cur     concierge.Stay // the state after the stays so far
		insert  bool           // not stored before this call
		changed bool           // differs from what is stored
		slot    int            // index of the first stay of the reference
		was     concierge.Date // the stored departure (a stored stay)
	}
	byKey := map[string]*target{}
	var order []*target // in first-seen order
	owner := make([]*target, len(stays))
	for i, s := range stays {
		tg := byKey[keys[i]]
		if s.BookingReference == "" {
			tg = nil // stays without a reference are always new
		}
		if tg == nil && stored[i] != nil {
			tg = &target{cur: *stored[i], slot: i, was: stored[i].Departure}
		}
		if tg == nil {
			cur := *s
			cur.ID = 0
			tg = &target{cur: cur, insert: true, slot: i}
			results[i] = concierge.UpsertCreated
		} else {
			next := *s
			next.ID, next.BookingReference = tg.cur.ID, tg.cur.BookingReference
			if next == tg.cur {
				results[i] = concierge.UpsertUnchanged
			} else {
				results[i] = concierge.UpsertUpdated
				tg.cur, tg.changed = next, true
			}
		}
		if s.BookingReference != "" && byKey[keys[i]] == nil {
			byKey[keys[i]] = tg
		}
		if owner[tg.slot] == nil {
			owner[tg.slot] = tg
			order = append(order, tg)
		}
		owner[i] = tg
	}

	// Apply: one insert per new reference, one update per changed stored stay, in one batch.
	var b pgx.Batch
	for _, tg := range order {
		s := tg.cur
		switch {
		case tg.insert:
			b.Queue(`INSERT INTO stays (property_id, room_number, first_name, last_name, language,
				arrival, departure, booking_reference) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
				s.PropertyID, s.RoomNumber, s.FirstName, s.LastName, s.Language, string(s.Arrival),
				string(s.Departure), s.BookingReference).QueryRow(func(row pgx.Row) error {
				return row.Scan(&tg.cur.ID)
			})
		case tg.changed:
			b.Queue(`UPDATE stays SET room_number = $1, first_name = $2, last_name = $3, language = $4,
				arrival = $5, departure = $6 WHERE id = $7`, s.RoomNumber, s.FirstName, s.LastName,
				s.Language, string(s.Arrival), string(s.Departure), s.ID)
			if s.Departure != tg.was {
				// Its verified sessions end with the new departure: their streams re-check it.
				tx.appendAccessEnded(concierge.StaySubject(s.ID), time.Now())
			}
		}
	}
	if b.Len() > 0 {
		if err := tx.SendBatch(ctx, &b).Close(); err != nil {
			return err
		}
	}
	for i := range stays {
		ids[i], refs[i] = owner[i].cur.ID, owner[i].cur.BookingReference
	}
	return nil
}

// StayByReference returns the property's stay whose booking reference equals ref
// case-insensitively, or concierge.ErrNotFound.
func (db *DB) StayByReference(ctx context.Context, propertyID int64, ref string) (concierge.Stay, error) {
	s, err := scanStay(db.pool.QueryRow(ctx, `SELECT `+stayColumns+` FROM stays
		WHERE property_id = $1 AND lower(booking_reference) = lower($2) AND booking_reference <> ''`,
		propertyID, ref))
	return s, storeErr(err, fmt.Sprintf("stay %q", ref))
}

// ListStays returns the property's stays matching f with an id above afterID, ascending by
// id, at most limit (≤ 0: all).
func (db *DB) ListStays(ctx context.Context, propertyID int64, f concierge.StayFilter, afterID int64, limit int) ([]concierge.Stay, error) {
	out, err := queryStays(ctx, db.pool, `SELECT `+stayColumns+` FROM stays
		WHERE property_id = $1 AND id > $2
		AND ($3 = '' OR (arrival <= $3 AND departure >= $3))
		AND ($4 = '' OR btrim(room_number, ' ') = $4)
		ORDER BY id LIMIT $5`,
		propertyID, afterID, string(f.CurrentOn), strings.Trim(f.Room, " "), limitArg(limit))
	return out, storeErr(err, "list stays")
}

// ListOrders returns the property's orders matching f with an id above afterID, ascending by
// id, at most limit (≤ 0: all).
func (db *DB) ListOrders(ctx context.Context, propertyID int64, f concierge.OrderFilter, afterID int64, limit int) ([]concierge.Order, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+orderColumns+` FROM orders
		WHERE property_id = $1 AND id > $2 AND ($3 = '' OR status = $3) ORDER BY id LIMIT $4`,
		propertyID, afterID, string(f.Status), limitArg(limit))
	if err != nil {
		return nil, storeErr(err, "list orders")
	}
	defer rows.Close()
	var out []concierge.Order
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, storeErr(err, "list orders")
		}
		out = append(out, o)
	}
	return out, storeErr(rows.Err(), "list orders")
}

// ConversationsByOrder returns the conversations linked to the order, ascending by id.
func (db *DB) ConversationsByOrder(ctx context.Context, orderID int64) ([]concierge.Conversation, error) {
	out, err := conversationsByOrder(ctx, db.pool, orderID)
	return out, storeErr(err, "conversations by order")
}

// conversationsByOrder reads the conversations linked to an order in q, ascending by id.
func conversationsByOrder(ctx context.Context, q querier, orderID int64) ([]concierge.Conversation, error) {
	return queryConversations(ctx, q, `SELECT `+conversationColumns+` FROM conversations
		WHERE order_id = $1 ORDER BY id`, orderID)
}
