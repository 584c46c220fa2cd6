package concierge

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"
)

// InitialiseMode says which kind of session an initialisation opens.
type InitialiseMode int

// The ways to open a guest session (SPEC §4.1).
const (
	InitialiseAnonymous    InitialiseMode = iota // Initialise
	InitialiseByRoom                             // InitialiseByRoom: verified by room + last name
	InitialiseByIdentifier                       // InitialiseByGuestIdentifier: non-verified
)

// InitialiseInput is a session initialisation request.
type InitialiseInput struct {
	Mode            InitialiseMode
	PropertyCode    string
	InterfaceToken  string
	Version         string
	LanguageCode    string
	LastName        string
	RoomNumber      string
	GuestIdentifier string
}

// maxIdentifierLength bounds free-text identifiers (room numbers, names, guest identifiers).
const maxIdentifierLength = 200

func checkShortText(v *Validation, field, value string, required bool) {
	switch {
	case required && strings.TrimSpace(value) == "":
		v.Add(field, "is required")
	case len(value) > maxIdentifierLength:
		v.Add(field, "is too long")
	case strings.ContainsRune(value, 0):
		v.Add(field, "must not contain NUL characters")
	}
}

// InitialiseSession opens a guest session. Checks run in the order of SPEC §4.1: request shape
// (ValidationFailed), property (PropertyNotFound), interface token (InterfaceTokenInvalid), then
// the guest (RateLimited while the room is in back-off, GuestVerificationFailed).
func (s *Service) InitialiseSession(ctx context.Context, in InitialiseInput) (*GuestSession, error) {
	var v Validation
	checkShortText(&v, "PropertyCode", in.PropertyCode, true)
	checkShortText(&v, "InterfaceToken", in.InterfaceToken, true)
	checkShortText(&v, "Version", in.Version, false)
	switch in.Mode {
	case InitialiseByRoom:
		checkShortText(&v, "LastName", in.LastName, true)
		checkShortText(&v, "RoomNumber", in.RoomNumber, true)
	case InitialiseByIdentifier:
		checkShortText(&v, "GuestUniqueIdentifier", in.GuestIdentifier, true)
	}
	lang, langOK := "", true
	if strings.TrimSpace(in.LanguageCode) != "" {
		lang, langOK = NormalizeLanguage(in.LanguageCode)
		if !langOK {
			v.Add("LanguageCode", "is not a known BCP 47 language tag")
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}

	prop, err := s.store.PropertyByCode(ctx, strings.TrimSpace(in.PropertyCode))
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(CodePropertyNotFound, "There is no property '%s'.", strings.TrimSpace(in.PropertyCode))
	}
	if err != nil {
		return nil, s.internal(ctx, "property by code", err)
	}
	tokenID, err := s.checkInterfaceToken(ctx, in.InterfaceToken, prop)
	if err != nil {
		return nil, err
	}

	now := s.now()
	sess := Session{
		PropertyID:       prop.ID,
		Language:         lang,
		LanguageExplicit: lang != "",
		Version:          in.Version,
		IssuedAt:         now,
		LastSeenAt:       now,
		ExpiresAt:        now.Add(s.idleTimeout),
		InterfaceTokenID: &tokenID,
	}
	gs := &GuestSession{Property: prop}
	switch in.Mode {
	case InitialiseByRoom:
		stay, err := s.verifyGuest(ctx, prop, in.RoomNumber, in.LastName)
		if err != nil {
			return nil, err
		}
		gs.Stay = &stay
		sess.StayID = &stay.ID
		sess.ExpiresAt = s.stayExpiry(stay, prop)
	case InitialiseByIdentifier:
		guest, err := s.store.EnsureGuest(ctx, prop.ID, strings.TrimSpace(in.GuestIdentifier), now)
		if err != nil {
			return nil, s.internal(ctx, "ensure guest", err)
		}
		gs.Guest = &guest
		sess.GuestID = &guest.ID
	}
	if sess.Language == "" {
		sess.Language = prop.DefaultLanguage
		if gs.Stay != nil && gs.Stay.Language != "" {
			sess.Language = gs.Stay.Language
		}
	}
	if err := s.sessions.Create(ctx, &sess); errors.Is(err, ErrNotFound) {
		// The token was revoked since it was checked: it opens nothing.
		return nil, Errorf(CodeInterfaceTokenInvalid, "The interface token is not valid for property '%s'.", prop.Code)
	} else if err != nil {
		return nil, s.internal(ctx, "create session", err)
	}
	gs.Session = sess
	gs.Token = s.tokens.Sign(sess.ID, sess.IssuedAt)
	noteOwner(ctx, gs.Owner())
	return gs, nil
}

// checkInterfaceToken accepts a live interface token granted the property and returns its id.
func (s *Service) checkInterfaceToken(ctx context.Context, secret string, prop Property) (int64, error) {
	hash := HashSecret(secret)
	tok, err := s.store.InterfaceTokenByHash(ctx, hash)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return 0, s.internal(ctx, "interface token by hash", err)
	}
	if err != nil || subtle.ConstantTimeCompare(tok.Hash, hash) != 1 || !tok.Grants(prop.ID) {
		return 0, Errorf(CodeInterfaceTokenInvalid, "The interface token is not valid for property '%s'.", prop.Code)
	}
	return tok.ID, nil
}

// verifyGuest finds the stay current today (property time) in the room whose last name matches,
// slowing down repeated failures per property and room, and per client address (from ctx, see
// WithClient) the failures of many different rooms (attempt_guard.go).
func (s *Service) verifyGuest(ctx context.Context, prop Property, room, lastName string) (Stay, error) {
	room = strings.TrimSpace(room)
	key := prop.Code + "\x00" + strings.ToLower(room)
	g := attemptGuard{own: s.verifications, ownKeys: []string{key},
		ownMsg:  "Too many failed verifications for this room; try again later.",
		addrMsg: "Too many failed verifications from this address; try again later.",
		refused: func() { s.counters.Refused("guest_verification") }}
	if client := clientOf(ctx); client != "" && s.verifyAddrs != nil {
		addr := addressKey(client)
		// The room from this address: its first failure counts on the address.
		g.ownKeys = append(g.ownKeys, key+"\x00"+addr)
		g.addr, g.addrKey = s.verifyAddrs, addr
	}
	if err := g.check(ctx); err != nil {
		return Stay{}, err
	}
	if err := g.begin(ctx); err != nil {
		return Stay{}, err
	}
	today := DateOf(s.now(), s.location(prop))
	stays, err := s.store.StaysInRoom(ctx, prop.ID, room, today)
	if err != nil {
		g.cancel(ctx)
		return Stay{}, s.internal(ctx, "stays in room", err)
	}
	for _, st := range stays {
		if st.CurrentOn(today) && NamesMatch(lastName, st.LastName) {
			g.succeeded(ctx)
			return st, nil
		}
	}
	s.logger.InfoContext(ctx, "guest verification failed", "property", prop.Code, "room", room)
	return Stay{}, Errorf(CodeGuestVerificationFailed, "No current stay matches this room number and last name.")
}

// stayExpiry is when a verified session of the stay stops working: the end of the departure
// day in property time, plus the grace period.
func (s *Service) stayExpiry(stay Stay, prop Property) time.Time {
	return stay.Departure.EndOf(s.location(prop)).Add(s.stayGrace)
}

// SessionTokenSigned reports whether token is well-formed and signed by this server (under a
// current or previous key). It does not look the session up: a signed token may name a session
// that has expired or was logged out, which Authenticate tells.
func (s *Service) SessionTokenSigned(token string) bool {
	token = strings.TrimSpace(token)
	if token == "" {
		return false
	}
	_, err := s.tokens.Verify(token)
	return err == nil
}

// Authenticate resolves a session token: IdentityTokenInvalid when it is missing, malformed,
// badly signed or names no session; IdentityTokenExpired when the session was logged out or
// replaced, went idle, or its stay has ended. Sessions without a stay slide their idle expiry.
func (s *Service) Authenticate(ctx context.Context, token string) (*GuestSession, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, Errorf(CodeIdentityTokenInvalid, "A session token is required.")
	}
	id, err := s.tokens.Verify(token)
	if err != nil {
		return nil, Errorf(CodeIdentityTokenInvalid, "The session token is not valid.")
	}
	// One read for the session, its stay and guest, and the property from the cache: this runs
	// on every request, and a property is the same for all its guests.
	found, err := s.store.GuestSessionByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(CodeIdentityTokenInvalid, "The session token is not valid.")
	}
	if err != nil {
		return nil, s.internal(ctx, "guest session by id", err)
	}
	sess := found.Session
	prop, err := s.store.PropertyByID(ctx, sess.PropertyID)
	if errors.Is(err, ErrNotFound) {
		// Not expected (a property is never deleted, and its sessions would go with it): the
		// session is as good as gone, as when the store read joined the property.
		return nil, Errorf(CodeIdentityTokenInvalid, "The session token is not valid.")
	}
	if err != nil {
		return nil, s.internal(ctx, "property by id", err)
	}
	expired := Errorf(CodeIdentityTokenExpired, "The session has expired; initialise a new one.")
	if sess.RevokedAt != nil {
		return nil, expired
	}
	gs := &GuestSession{Session: sess, Token: token, Property: prop}
	now := s.now()
	if sess.StayID != nil {
		if found.Stay == nil {
			return nil, expired // the stay was removed
		}
		if !now.Before(s.stayExpiry(*found.Stay, prop)) {
			return nil, expired
		}
		gs.Stay = found.Stay
	} else {
		if !now.Before(sess.ExpiresAt) {
			return nil, expired
		}
		// Slide the idle expiry, writing at most once a minute per session.
		if now.Sub(sess.LastSeenAt) > time.Minute {
			gs.Session.LastSeenAt, gs.Session.ExpiresAt = now, now.Add(s.idleTimeout)
			if err := s.store.TouchSession(ctx, sess.ID, now, gs.Session.ExpiresAt); err != nil {
				return nil, s.internal(ctx, "touch session", err)
			}
		}
	}
	if sess.GuestID != nil {
		if found.Guest == nil {
			return nil, s.internal(ctx, "guest by id",
				fmt.Errorf("guest %d of session %d: %w", *sess.GuestID, sess.ID, ErrNotFound))
		}
		gs.Guest = found.Guest
	}
	noteOwner(ctx, gs.Owner())
	return gs, nil
}

// LoginByRoom verifies the guest of a session by room number and last name. The session is
// replaced by a new verified one (the old token stops working) and the new session is returned
// with its token. A language the client did not choose becomes the stay's. Errors:
// ValidationFailed, RateLimited, GuestVerificationFailed.
func (s *Service) LoginByRoom(ctx context.Context, gs *GuestSession, lastName, room string) (*GuestSession, error) {
	defer s.credentialsChanged() // live streams re-check their credential (service_events.go)
	var v Validation
	checkShortText(&v, "LastName", lastName, true)
	checkShortText(&v, "RoomNumber", room, true)
	if err := v.Err(); err != nil {
		return nil, err
	}
	stay, err := s.verifyGuest(ctx, gs.Property, room, lastName)
	if err != nil {
		return nil, err
	}
	now := s.now()
	next := gs.Session
	next.ID = 0
	next.StayID = &stay.ID
	next.IssuedAt, next.LastSeenAt = now, now
	next.ExpiresAt = s.stayExpiry(stay, gs.Property)
	next.RevokedAt = nil
	if !next.LanguageExplicit && stay.Language != "" {
		next.Language = stay.Language
	}
	err = s.sessions.Replace(ctx, gs.Session.ID, now, &next)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(CodeIdentityTokenExpired, "The session has expired; initialise a new one.")
	}
	if err != nil {
		return nil, s.internal(ctx, "replace session", err)
	}
	out := &GuestSession{Session: next, Property: gs.Property, Stay: &stay, Guest: gs.Guest}
	out.Token = s.tokens.Sign(next.ID, now)
	noteOwner(ctx, out.Owner())
	return out, nil
}

// Logout revokes the session: its token stops working (IdentityTokenExpired afterwards).
func (s *Service) Logout(ctx context.Context, gs *GuestSession) error {
	defer s.credentialsChanged() // live streams re-check their credential (service_events.go)
	err := s.sessions.Revoke(ctx, gs.Session.ID, s.now())
	if errors.Is(err, ErrNotFound) {
		return Errorf(CodeIdentityTokenExpired, "The session has expired; initialise a new one.")
	}
	return s.internal(ctx, "revoke session", err)
}
