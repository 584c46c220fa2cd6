package postgres

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"concierge/internal/concierge"
)

// sessionIDAttempts bounds the retries on a random session id that is already taken (with 63
// random bits, a second attempt is already astronomically unlikely).
const sessionIDAttempts = 8

const sessionColumns = `id, property_id, stay_id, guest_id, language, language_explicit, version,
	issued_at, expires_at, last_seen_at, revoked_at, interface_token_id`

// scanSession reads a row of sessionColumns.
func scanSession(r rowScanner) (concierge.Session, error) {
	var s concierge.Session
	if err := r.Scan(&s.ID, &s.PropertyID, &s.StayID, &s.GuestID, &s.Language, &s.LanguageExplicit,
		&s.Version, &s.IssuedAt, &s.ExpiresAt, &s.LastSeenAt, &s.RevokedAt, &s.InterfaceTokenID); err != nil {
		return concierge.Session{}, err
	}
	s.IssuedAt, s.ExpiresAt, s.LastSeenAt = utc(s.IssuedAt), utc(s.ExpiresAt), utc(s.LastSeenAt)
	s.RevokedAt = utcPtr(s.RevokedAt)
	return s, nil
}

// SessionByID returns the session with this id, revoked or not, or concierge.ErrNotFound when
// there is none.
func (db *DB) SessionByID(ctx context.Context, id int64) (concierge.Session, error) {
	s, err := scanSession(db.pool.QueryRow(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = $1`, id))
	return s, storeErr(err, fmt.Sprintf("session %d", id))
}

// guestSessionQuery reads a session with its stay and guest (not its property: the service
// caches properties): sessionColumns, then stayColumns (NULL without a stay row) and those of
// GuestByID (NULL without a guest row).
const guestSessionQuery = `SELECT s.id, s.property_id, s.stay_id, s.guest_id, s.language,
	s.language_explicit, s.version, s.issued_at, s.expires_at, s.last_seen_at, s.revoked_at,
	s.interface_token_id, st.id, st.property_id, st.room_number, st.first_name, st.last_name, st.language, st.arrival,
	st.departure, st.booking_reference,
	g.id, g.property_id, g.identifier, g.created_at
	FROM sessions s
	LEFT JOIN stays st ON st.id = s.stay_id
	LEFT JOIN guests g ON g.id = s.guest_id
	WHERE s.id = $1`

// GuestSessionByID returns the session with this id, revoked or not, with its stay (nil when
// the session has none or the stay no longer exists) and its guest (nil when the session has
// none or the guest no longer exists), read in one statement. The property is not read:
// Property is the zero Property (Session.PropertyID names it); Token is left empty. It returns
// concierge.ErrNotFound when there is no such session. Every field is converted as
// SessionByID, StayByID and GuestByID convert it.
func (db *DB) GuestSessionByID(ctx context.Context, id int64) (concierge.GuestSession, error) {
	var (
		s                           concierge.Session
		stID, stProp                *int64
		stRoom, stFirst, stLast     *string
		stLang, stArrival, stDepart *string
		stRef                       *string
		gID, gProp                  *int64
		gIdent                      *string
		gCreated                    *time.Time
	)
	err := db.pool.QueryRow(ctx, guestSessionQuery, id).Scan(
		&s.ID, &s.PropertyID, &s.StayID, &s.GuestID, &s.Language, &s.LanguageExplicit,
		&s.Version, &s.IssuedAt, &s.ExpiresAt, &s.LastSeenAt, &s.RevokedAt, &s.InterfaceTokenID,
		&stID, &stProp, &stRoom, &stFirst, &stLast, &stLang, &stArrival, &stDepart, &stRef,
		&gID, &gProp, &gIdent, &gCreated)
	if err != nil {
		return concierge.GuestSession{}, storeErr(err, fmt.Sprintf("guest session %d", id))
	}
	s.IssuedAt, s.ExpiresAt, s.LastSeenAt = utc(s.IssuedAt), utc(s.ExpiresAt), utc(s.LastSeenAt)
	s.RevokedAt = utcPtr(s.RevokedAt)
	gs := concierge.GuestSession{Session: s}
	if stID != nil {
		gs.Stay = &concierge.Stay{ID: *stID, PropertyID: valueOf(stProp),
			RoomNumber: valueOf(stRoom), FirstName: valueOf(stFirst), LastName: valueOf(stLast),
			Language: valueOf(stLang), Arrival: concierge.Date(valueOf(stArrival)),
			Departure: concierge.Date(valueOf(stDepart)), BookingReference: valueOf(stRef)}
	}
	if gID != nil {
		gs.Guest = &concierge.Guest{ID: *gID, PropertyID: valueOf(gProp), Identifier: valueOf(gIdent)}
		if gCreated != nil {
			gs.Guest.CreatedAt = utc(*gCreated)
		}
	}
	return gs, nil
}

// valueOf returns *v, or the zero value when v is nil.
func valueOf[T any](v *T) T {
	if v == nil {
		var zero T
		return zero
	}
	return *v
}

// TouchSession sets the session's last-seen time and idle expiry. It returns
// concierge.ErrNotFound when the session does not exist.
func (db *DB) TouchSession(ctx context.Context, id int64, lastSeen, expiresAt time.Time) error {
	err := db.execOne(ctx, `UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id = $3`,
		lastSeen, expiresAt, id)
	return storeErr(err, fmt.Sprintf("touch session %d", id))
}

// insertSession stores s in tx under a fresh random id, drawing another when the id is taken,
// and returns the id.
func (db *DB) insertSession(ctx context.Context, tx *wtx, s *concierge.Session) (int64, error) {
	for range sessionIDAttempts {
		id, err := db.sessionID()
		if err != nil {
			return 0, err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO sessions (id, property_id, stay_id, guest_id,
			language, language_explicit, version, issued_at, expires_at, last_seen_at, revoked_at,
			interface_token_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING`,
			id, s.PropertyID, s.StayID, s.GuestID, s.Language, s.LanguageExplicit, s.Version,
			s.IssuedAt, s.ExpiresAt, s.LastSeenAt, s.RevokedAt, s.InterfaceTokenID)
		if err != nil {
			return 0, err
		}
		if tag.RowsAffected() == 1 {
			return id, nil
		}
		// The id is taken: draw another.
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
