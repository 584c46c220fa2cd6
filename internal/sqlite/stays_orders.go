package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"concierge/internal/concierge"
)

// UpsertStays writes stays in one transaction: a booking reference new at its property
// (compared ignoring ASCII case) is inserted, a stored stay that differs in any other field is
// updated, an equal one is left alone; the reference keeps the spelling it was first stored
// with. It sets each stay's ID and BookingReference (as stored) after the commit and returns
// one result per stay; on an error nothing is written.
func (db *DB) UpsertStays(ctx context.Context, stays []*concierge.Stay) ([]concierge.UpsertResult, error) {
	results := make([]concierge.UpsertResult, len(stays))
	ids := make([]int64, len(stays))
	refs := make([]string, len(stays)) // the stored spelling of each reference
	err := db.write(ctx, func(tx *sql.Tx) error {
		find, err := tx.PrepareContext(ctx, `SELECT `+stayColumns+` FROM stays
			WHERE property_id = ? AND booking_reference = ? COLLATE NOCASE AND booking_reference <> ''`)
		if err != nil {
			return err
		}
		defer find.Close()
		ins, err := tx.PrepareContext(ctx, `INSERT INTO stays (property_id, room_number, first_name,
			last_name, language, arrival, departure, booking_reference) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		upd, err := tx.PrepareContext(ctx, `UPDATE stays SET room_number = ?, first_name = ?,
			last_name = ?, language = ?, arrival = ?, departure = ? WHERE id = ?`)
		if err != nil {
			return err
		}
		defer upd.Close()
		for i, s := range stays {
			old, err := scanStay(find.QueryRowContext(ctx, s.PropertyID, s.BookingReference))
			switch {
			case err == sql.ErrNoRows:
				res, err := ins.ExecContext(ctx, s.PropertyID, s.RoomNumber, s.FirstName, s.LastName,
					s.Language, string(s.Arrival), string(s.Departure), s.BookingReference)
				if err != nil {
					return err
				}
				if ids[i], err = res.LastInsertId(); err != nil {
					return err
				}
				refs[i] = s.BookingReference
				results[i] = concierge.UpsertCreated
				continue
			case err != nil:
				return err
			}
			ids[i], refs[i] = old.ID, old.BookingReference
			cur := *s
			cur.ID, cur.BookingReference = old.ID, old.BookingReference
			if cur == old {
				results[i] = concierge.UpsertUnchanged
				continue
			}
			if _, err := upd.ExecContext(ctx, s.RoomNumber, s.FirstName, s.LastName, s.Language,
				string(s.Arrival), string(s.Departure), old.ID); err != nil {
				return err
			}
			results[i] = concierge.UpsertUpdated
			if s.Departure != old.Departure {
				// Its verified sessions end with the new departure: their streams re-check it.
				if err := db.appendAccessEnded(ctx, tx, concierge.StaySubject(old.ID), time.Now()); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, storeErr(err, "upsert stays")
	}
	for i, s := range stays {
		s.ID, s.BookingReference = ids[i], refs[i]
	}
	return results, nil
}

// StayByReference returns the property's stay whose booking reference equals ref ignoring
// ASCII case, or concierge.ErrNotFound.
func (db *DB) StayByReference(ctx context.Context, propertyID int64, ref string) (concierge.Stay, error) {
	s, err := scanStay(db.readers.QueryRowContext(ctx, `SELECT `+stayColumns+` FROM stays
		WHERE property_id = ? AND booking_reference = ? COLLATE NOCASE AND booking_reference <> ''`,
		propertyID, ref))
	return s, storeErr(err, fmt.Sprintf("stay %q", ref))
}

// ListStays returns the property's stays matching f with an id above afterID, ascending by
// id, at most limit (≤ 0: all).
func (db *DB) ListStays(ctx context.Context, propertyID int64, f concierge.StayFilter, afterID int64, limit int) ([]concierge.Stay, error) {
	q := `SELECT ` + stayColumns + ` FROM stays WHERE property_id = ? AND id > ?`
	args := []any{propertyID, afterID}
	if f.CurrentOn != "" {
		q += ` AND arrival <= ? AND departure >= ?`
		args = append(args, string(f.CurrentOn), string(f.CurrentOn))
	}
	if f.Room != "" {
		q += ` AND trim(room_number) = ?`
		args = append(args, strings.Trim(f.Room, " "))
	}
	q += ` ORDER BY id LIMIT ?`
	args = append(args, limitArg(limit))
	rows, err := db.readers.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, storeErr(err, "list stays")
	}
	defer rows.Close()
	var out []concierge.Stay
	for rows.Next() {
		s, err := scanStay(rows)
		if err != nil {
			return nil, storeErr(err, "list stays")
		}
		out = append(out, s)
	}
	return out, storeErr(rows.Err(), "list stays")
}

// limitArg is the SQLite LIMIT of a limit: -1 (none) for limit ≤ 0.
func limitArg(limit int) int64 {
	if limit <= 0 {
		return -1
	}
	return int64(limit)
}

// ListOrders returns the property's orders matching f with an id above afterID, ascending by
// id, at most limit (≤ 0: all).
func (db *DB) ListOrders(ctx context.Context, propertyID int64, f concierge.OrderFilter, afterID int64, limit int) ([]concierge.Order, error) {
	q := `SELECT ` + orderColumns + ` FROM orders WHERE property_id = ? AND id > ?`
	args := []any{propertyID, afterID}
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, string(f.Status))
	}
	q += ` ORDER BY id LIMIT ?`
	args = append(args, limitArg(limit))
	rows, err := db.readers.QueryContext(ctx, q, args...)
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
	out, err := conversationsByOrder(ctx, db.readers, orderID)
	return out, storeErr(err, "conversations by order")
}

// querier is what *sql.DB and *sql.Tx share for reading.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func conversationsByOrder(ctx context.Context, q querier, orderID int64) ([]concierge.Conversation, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+conversationColumns+` FROM conversations
		WHERE order_id = ? ORDER BY id`, orderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []concierge.Conversation
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
