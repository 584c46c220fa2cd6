package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"concierge/internal/concierge"
)

// sessionIDAttempts bounds the retries on a random session id that is already taken (with 63
// random bits, a second attempt is already astronomically unlikely).
const sessionIDAttempts = 8

// SessionByID returns the session with this id, revoked or not, or concierge.ErrNotFound when
// there is none.
func (db *DB) SessionByID(ctx context.Context, id int64) (concierge.Session, error) {
	var s concierge.Session
	var stay, guest, revoked sql.NullInt64
	var issued, expires, lastSeen int64
	var token sql.NullInt64
	err := db.readStmts.queryRow(ctx, nil, `SELECT id, property_id, stay_id, guest_id, language,
		language_explicit, version, issued_at, expires_at, last_seen_at, revoked_at, interface_token_id
		FROM sessions WHERE id = ?`, id).
		Scan(&s.ID, &s.PropertyID, &stay, &guest, &s.Language, &s.LanguageExplicit, &s.Version,
			&issued, &expires, &lastSeen, &revoked, &token)
	if err != nil {
		return concierge.Session{}, storeErr(err, fmt.Sprintf("session %d", id))
	}
	s.StayID, s.GuestID, s.RevokedAt = nullIDOf(stay), nullIDOf(guest), nullTimeOf(revoked)
	s.InterfaceTokenID = nullIDOf(token)
	s.IssuedAt, s.ExpiresAt, s.LastSeenAt = timeOf(issued), timeOf(expires), timeOf(lastSeen)
	return s, nil
}

// guestSessionQuery reads a session with its stay and guest (not its property: the service
// caches properties): the columns of SessionByID, then stayColumns (NULL without a stay row)
// and those of GuestByID (NULL without a guest row).
const guestSessionQuery = `SELECT s.id, s.property_id, s.stay_id, s.guest_id, s.language,
	s.language_explicit, s.version, s.issued_at, s.expires_at, s.last_seen_at, s.revoked_at,
	s.interface_token_id, st.id, st.property_id, st.room_number, st.first_name, st.last_name, st.language, st.arrival,
	st.departure, st.booking_reference,
	g.id, g.property_id, g.identifier, g.created_at
	FROM sessions s
	LEFT JOIN stays st ON st.id = s.stay_id
	LEFT JOIN guests g ON g.id = s.guest_id
	WHERE s.id = ?`

// GuestSessionByID returns the session with this id, revoked or not, with its stay (nil when
// the session has none or the stay no longer exists) and its guest (nil when the session has
// none or the guest no longer exists), read in one statement. The property is not read:
// Property is the zero Property (Session.PropertyID names it); Token is left empty. It returns
// concierge.ErrNotFound when there is no such session. Every field is converted as
// SessionByID, StayByID and GuestByID convert it.
func (db *DB) GuestSessionByID(ctx context.Context, id int64) (concierge.GuestSession, error) {
	var (
		s                           concierge.Session
		stay, guest, revoked, token sql.NullInt64
		issued, expires, lastSeen   int64
		stID, stProp                sql.NullInt64
		stRoom, stFirst, stLast     sql.NullString
		stLang, stArrival, stDepart sql.NullString
		stRef                       sql.NullString
		gID, gProp, gCreated        sql.NullInt64
		gIdent                      sql.NullString
	)
	err := db.readStmts.queryRow(ctx, nil, guestSessionQuery, id).Scan(
		&s.ID, &s.PropertyID, &stay, &guest, &s.Language, &s.LanguageExplicit, &s.Version,
		&issued, &expires, &lastSeen, &revoked, &token,
		&stID, &stProp, &stRoom, &stFirst, &stLast, &stLang, &stArrival, &stDepart, &stRef,
		&gID, &gProp, &gIdent, &gCreated)
	if err != nil {
		return concierge.GuestSession{}, storeErr(err, fmt.Sprintf("guest session %d", id))
	}
	s.StayID, s.GuestID, s.RevokedAt = nullIDOf(stay), nullIDOf(guest), nullTimeOf(revoked)
	s.InterfaceTokenID = nullIDOf(token)
	s.IssuedAt, s.ExpiresAt, s.LastSeenAt = timeOf(issued), timeOf(expires), timeOf(lastSeen)
	gs := concierge.GuestSession{Session: s}
	if stID.Valid {
		gs.Stay = &concierge.Stay{ID: stID.Int64, PropertyID: stProp.Int64,
			RoomNumber: stRoom.String, FirstName: stFirst.String, LastName: stLast.String,
			Language: stLang.String, Arrival: concierge.Date(stArrival.String),
			Departure: concierge.Date(stDepart.String), BookingReference: stRef.String}
	}
	if gID.Valid {
		gs.Guest = &concierge.Guest{ID: gID.Int64, PropertyID: gProp.Int64,
			Identifier: gIdent.String, CreatedAt: timeOf(gCreated.Int64)}
	}
	return gs, nil
}

// TouchSession sets the session's last-seen time and idle expiry. It returns
// concierge.ErrNotFound when the session does not exist.
func (db *DB) TouchSession(ctx context.Context, id int64, lastSeen, expiresAt time.Time) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := db.writeStmts.exec(ctx, tx, `UPDATE sessions SET last_seen_at = ?, expires_at = ?
			WHERE id = ?`, timeArg(lastSeen), timeArg(expiresAt), id)
		if err != nil {
			return err
		}
		return notFoundUnlessOne(res)
	})
	return storeErr(err, fmt.Sprintf("touch session %d", id))
}

// insertSession stores s in tx under a fresh random id, retrying when the id is taken, and
// returns the id.
func (db *DB) insertSession(ctx context.Context, tx *sql.Tx, s *concierge.Session) (int64, error) {
	for range sessionIDAttempts {
		id, err := db.sessionID()
		if err != nil {
			return 0, err
		}
		_, err = db.writeStmts.exec(ctx, tx, `INSERT INTO sessions (id, property_id, stay_id, guest_id,
			language, language_explicit, version, issued_at, expires_at, last_seen_at, revoked_at,
			interface_token_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, s.PropertyID, nullIDArg(s.StayID), nullIDArg(s.GuestID), s.Language,
			s.LanguageExplicit, s.Version, timeArg(s.IssuedAt), timeArg(s.ExpiresAt),
			timeArg(s.LastSeenAt), nullTimeArg(s.RevokedAt), nullIDArg(s.InterfaceTokenID))
		if isUnique(err) {
			continue // the id is taken: draw another
		}
		if err != nil {
			return 0, err
		}
		return id, nil
	}
	return 0, errors.New("no free session id found")
}

// randomID returns a uniformly random positive int63 from crypto/rand: session ids go inside
// guest tokens and must not be guessable.
func randomID() (int64, error) {
	var b [8]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			return 0, fmt.Errorf("random session id: %w", err)
		}
		if id := int64(binary.BigEndian.Uint64(b[:]) >> 1); id > 0 {
			return id, nil
		}
	}
}
