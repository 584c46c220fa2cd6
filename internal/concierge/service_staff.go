package concierge

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"concierge/internal/password"
)

// Bearer secrets of the staff and admin API: a prefix naming the kind, then 32 random bytes
// in unpadded base64url. Only their SHA-256 (HashSecret) is stored.
const (
	// StaffTokenPrefix starts every staff session token ("concierge staff token").
	StaffTokenPrefix = "cst_"
	// APIKeyPrefix starts every API key secret ("concierge API key").
	APIKeyPrefix = "cak_"
)

const (
	secretBytes  = 32
	secretLength = 4 + 43 // prefix + base64url of secretBytes, unpadded

	// maxPasswordLength bounds the password a login may send (bytes), well above any real one.
	maxPasswordLength = 1024
	// defaultStaffSessionTTL is how long a staff login lasts unless Config says otherwise.
	defaultStaffSessionTTL = 12 * time.Hour
)

// dummyPasswordHash is an argon2id hash (of a random password nobody knows) with
// password.Default's parameters: a login with an unknown username is verified against it, so
// that it costs as much time as one with a known username and a wrong password.
const dummyPasswordHash = "$argon2id$v=19$m=19456,t=2,p=1$nLupkfVDJ4qqv9BKf1ZwIQ$15C1jvUDwL3mTZko68/mr7CxSIznJqiDE/+iqm+UKnE"

// staffAuth holds the Service's staff authentication settings.
type staffAuth struct {
	guard  VerificationGuard // nil: no login back-off
	addrs  VerificationGuard // nil: no per-address back-off
	hashes *hashSlots
	ttl    time.Duration
}

func newStaffAuth(cfg Config) staffAuth {
	a := staffAuth{guard: cfg.LoginGuard, addrs: cfg.LoginAddresses, hashes: newHashSlots(cfg.PasswordHashes),
		ttl: cfg.StaffSessionTTL}
	if a.ttl <= 0 {
		a.ttl = defaultStaffSessionTTL
	}
	return a
}

// secretKind is what a bearer secret claims to be.
type secretKind int

const (
	secretInvalid secretKind = iota
	secretStaffSession
	secretAPIKey
)

// parseSecret classifies a bearer secret by its prefix and checks its shape: the prefix, then
// exactly the canonical unpadded base64url encoding of 32 bytes. Anything else is
// secretInvalid, so that malformed input never reaches the store.
func parseSecret(s string) secretKind {
	if len(s) != secretLength {
		return secretInvalid
	}
	var kind secretKind
	switch s[:len(StaffTokenPrefix)] {
	case StaffTokenPrefix:
		kind = secretStaffSession
	case APIKeyPrefix:
		kind = secretAPIKey
	default:
		return secretInvalid
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s[len(StaffTokenPrefix):])
	if err != nil || len(b) != secretBytes {
		return secretInvalid
	}
	return kind
}

// newSecret returns a fresh random secret with the prefix.
func newSecret(prefix string) string {
	var b [secretBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("concierge: crypto/rand failed: " + err.Error()) // never happens on supported systems
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// errLoginFailed is the one answer to a wrong username or password: it never says which.
func errLoginFailed() error {
	return Errorf(CodeAuthenticationFailed, "The username or password is wrong.")
}

// StaffLogin checks a staff user's username (case-insensitive) and password and opens a staff
// session. It returns the bearer token (shown to the client once; only its SHA-256 is stored),
// the session and the user. client is the caller's address, for the back-off ("": none).
// Failed logins back off per username and address together, and per address for many different
// usernames (attempt_guard.go); each attempt is counted before its password is hashed, and at
// most Config.PasswordHashes hashes run at once. Errors: ValidationFailed (fields username,
// password); RateLimited with RetryAfter while the username from this address, or the address,
// is backing off after failed logins, or when too many logins are being checked at once;
// AuthenticationFailed for an unknown username, a wrong password or a disabled user,
// indistinguishably.
func (s *Service) StaffLogin(ctx context.Context, username, pw, client string) (string, StaffSession, StaffUser, error) {
	var v Validation
	checkShortText(&v, "username", username, true)
	switch {
	case pw == "":
		v.Add("password", "is required")
	case len(pw) > maxPasswordLength:
		v.Add("password", "is too long")
	}
	if err := v.Err(); err != nil {
		return "", StaffSession{}, StaffUser{}, err
	}
	name := strings.TrimSpace(username)
	addr := addressKey(client)
	g := attemptGuard{own: s.staff.guard, ownKeys: []string{"u\x00" + strings.ToLower(name) + "\x00" + addr},
		ownMsg: "Too many failed logins; try again later.", addrMsg: "Too many failed logins from this address; try again later.",
		refused: func() { s.counters.Refused("staff_login") }}
	if client != "" {
		g.addr, g.addrKey = s.staff.addrs, addr
	}
	if err := g.check(ctx); err != nil {
		s.logger.InfoContext(ctx, "staff login refused: backing off", "client", client)
		return "", StaffSession{}, StaffUser{}, err
	}
	if err := g.begin(ctx); err != nil {
		s.logger.InfoContext(ctx, "staff login refused: backing off", "client", client)
		return "", StaffSession{}, StaffUser{}, err
	}

	u, err := s.store.StaffUserByUsername(ctx, name)
	known := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		g.cancel(ctx)
		return "", StaffSession{}, StaffUser{}, s.internal(ctx, "staff user by username", err)
	}
	hash := dummyPasswordHash
	if known {
		hash = u.PasswordHash
	}
	release, err := s.staff.hashes.acquire(ctx)
	if err != nil {
		g.cancel(ctx) // no password was checked
		s.logger.WarnContext(ctx, "staff login refused: too many password checks at once", "client", client)
		return "", StaffSession{}, StaffUser{}, err
	}
	verr := password.Verify(pw, hash)
	release()
	if !known || verr != nil {
		if known && !errors.Is(verr, password.ErrMismatch) {
			s.logger.ErrorContext(ctx, "staff user's password hash cannot be read", "user_id", u.ID, "err", verr)
		}
		// The username is not logged: people type their password into it.
		if known {
			s.counters.StaffLoginFailed("wrong_password")
			s.logger.InfoContext(ctx, "staff login failed", "reason", "wrong password", "user_id", u.ID, "client", client)
			s.auditLogin(ctx, AuditLoginFailed, &u, client, "wrong password")
		} else {
			s.counters.StaffLoginFailed("unknown_username")
			s.logger.InfoContext(ctx, "staff login failed", "reason", "unknown username", "client", client)
			s.auditLogin(ctx, AuditLoginFailed, nil, client, "unknown username")
		}
		return "", StaffSession{}, StaffUser{}, errLoginFailed()
	}
	if u.DisabledAt != nil {
		// The same answer as a wrong password: a disabled account is not advertised.
		s.counters.StaffLoginFailed("user_disabled")
		s.logger.InfoContext(ctx, "staff login failed", "reason", "user disabled", "user_id", u.ID, "client", client)
		s.auditLogin(ctx, AuditLoginFailed, &u, client, "user disabled")
		return "", StaffSession{}, StaffUser{}, errLoginFailed()
	}
	// The username from this address is forgiven, and the address's count of this attempt
	// taken back; the failures others made from the address stay.
	g.succeeded(ctx)

	token := newSecret(StaffTokenPrefix)
	now := s.now()
	sess := StaffSession{UserID: u.ID, Hash: HashSecret(token), CreatedAt: now, ExpiresAt: now.Add(s.staff.ttl)}
	if err := s.store.CreateStaffSession(ctx, &sess); err != nil {
		return "", StaffSession{}, StaffUser{}, s.internal(ctx, "create staff session", err)
	}
	s.logger.InfoContext(ctx, "staff login", "user_id", u.ID, "staff_session_id", sess.ID, "client", client)
	s.auditLogin(ctx, AuditLogin, &u, client, "")
	return token, sess, u, nil
}

// hashPassword hashes pw with password.Default, waiting for a hash slot (see hashSlots).
// Errors: RateLimited when too many hashes are waiting; ctx's error; InternalError.
func (s *Service) hashPassword(ctx context.Context, pw string) (string, error) {
	release, err := s.staff.hashes.acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	h, err := password.Hash(pw, password.Default)
	if err != nil {
		return "", s.internal(ctx, "hash password", err)
	}
	return h, nil
}

// AuthenticateStaff resolves the bearer secret of a staff or admin API call: a staff session
// token (StaffTokenPrefix) or an API key (APIKeyPrefix). Errors: AuthenticationFailed when it
// is missing, malformed or unknown, when the session has expired or was logged out, when the
// key was revoked, or when the session's user no longer exists or is disabled.
func (s *Service) AuthenticateStaff(ctx context.Context, bearer string) (*Principal, error) {
	bearer = strings.TrimSpace(bearer)
	if bearer == "" {
		return nil, Errorf(CodeAuthenticationFailed, "A bearer token is required (Authorization: Bearer <token>).")
	}
	switch parseSecret(bearer) {
	case secretStaffSession:
		return s.authenticateStaffSession(ctx, bearer)
	case secretAPIKey:
		return s.authenticateAPIKey(ctx, bearer)
	}
	return nil, errBadBearer()
}

func errBadBearer() error {
	return Errorf(CodeAuthenticationFailed, "The bearer token is not valid.")
}

func errExpiredBearer() error {
	return Errorf(CodeAuthenticationFailed, "The bearer token has expired or was revoked; log in again.")
}

func (s *Service) authenticateStaffSession(ctx context.Context, token string) (*Principal, error) {
	hash := HashSecret(token)
	// One statement reads the session and its user. A removed user's sessions are removed with
	// them (Store.StaffSessionWithUser), so their token is unknown, as it was when the session
	// and the user were read apart.
	sess, u, err := s.store.StaffSessionWithUser(ctx, hash)
	if errors.Is(err, ErrNotFound) {
		return nil, errBadBearer()
	}
	if err != nil {
		return nil, s.internal(ctx, "staff session with user", err)
	}
	if subtle.ConstantTimeCompare(sess.Hash, hash) != 1 {
		return nil, errBadBearer()
	}
	if sess.RevokedAt != nil || !s.now().Before(sess.ExpiresAt) {
		return nil, errExpiredBearer()
	}
	if u.ID != sess.UserID {
		return nil, errExpiredBearer() // not the session's user: never from a conforming store
	}
	if u.DisabledAt != nil {
		return nil, errExpiredBearer() // the user was disabled
	}
	centers, err := s.store.ServiceCentersByIDs(ctx, u.ServiceCenterIDs)
	if err != nil {
		return nil, s.internal(ctx, "service centers by ids", err)
	}
	p := NewStaffPrincipal(u, centers)
	p.Session = &sess
	return p, nil
}

func (s *Service) authenticateAPIKey(ctx context.Context, secret string) (*Principal, error) {
	hash := HashSecret(secret)
	k, err := s.store.APIKeyByHash(ctx, hash)
	if errors.Is(err, ErrNotFound) {
		return nil, errBadBearer()
	}
	if err != nil {
		return nil, s.internal(ctx, "api key by hash", err)
	}
	if subtle.ConstantTimeCompare(k.Hash, hash) != 1 {
		return nil, errBadBearer()
	}
	if k.RevokedAt != nil {
		return nil, errExpiredBearer()
	}
	return NewAPIKeyPrincipal(k), nil
}

// StaffLogout ends the staff session p authenticated with: its token stops working. Errors:
// Forbidden for an API key (keys are revoked through RevokeAPIKey); AuthenticationFailed when
// the session was already logged out.
func (s *Service) StaffLogout(ctx context.Context, p *Principal) error {
	defer s.credentialsChanged() // live streams re-check their credential (service_events.go)
	if p == nil || p.Session == nil {
		return Errorf(CodeForbidden, "Only a staff login can log out; API keys are revoked by an administrator.")
	}
	err := s.credentials.RevokeStaffSession(ctx, p.Session.ID, s.now())
	if errors.Is(err, ErrNotFound) {
		return errExpiredBearer()
	}
	if err != nil {
		return s.internal(ctx, "revoke staff session", err)
	}
	s.logger.InfoContext(ctx, "staff logout", "user_id", p.User.ID, "staff_session_id", p.Session.ID)
	return nil
}

// StaffProfile describes a staff user for display: the user with their service centers and
// properties.
type StaffProfile struct {
	User           StaffUser
	ServiceCenters []ServiceCenter // ascending by id
	Properties     []Property      // the user's properties, ascending by id
}

// StaffProfile returns the profile of staff user u. Service centers and properties that no
// longer exist are left out. Errors: only InternalError.
func (s *Service) StaffProfile(ctx context.Context, u StaffUser) (StaffProfile, error) {
	centers, err := s.store.ServiceCentersByIDs(ctx, u.ServiceCenterIDs)
	if err != nil {
		return StaffProfile{}, s.internal(ctx, "service centers by ids", err)
	}
	props, err := s.PropertiesByIDs(ctx, u.PropertyIDs)
	if err != nil {
		return StaffProfile{}, err
	}
	out := StaffProfile{User: u, ServiceCenters: centers}
	for _, id := range sortedIDs(u.PropertyIDs) {
		if p, ok := props[id]; ok {
			out.Properties = append(out.Properties, p)
		}
	}
	return out, nil
}

// PropertiesByIDs returns the properties with these ids, by id; ids that name no property are
// absent from the map. Errors: only InternalError.
func (s *Service) PropertiesByIDs(ctx context.Context, ids []int64) (map[int64]Property, error) {
	out := make(map[int64]Property, len(ids))
	for _, id := range ids {
		if _, done := out[id]; done {
			continue
		}
		p, err := s.store.PropertyByID(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, s.internal(ctx, "property by id", err)
		}
		out[id] = p
	}
	return out, nil
}

// requireAdmin answers Forbidden unless p is an admin.
func requireAdmin(p *Principal, what string) error {
	if !p.IsAdmin() {
		return Errorf(CodeForbidden, "Only administrators may %s.", what)
	}
	return nil
}

// APIKeyInput describes an API key to create.
type APIKeyInput struct {
	Name          string
	Role          Role     // RoleManager or RoleAdmin
	PropertyCodes []string // a manager key's properties (at least one); empty for an admin key
}

// CreateAPIKey creates an API key for a hotel system and returns its secret, which is shown
// this once (only its SHA-256 is stored), with the stored key. A RoleManager key is scoped to
// its properties (at least one); a RoleAdmin key reaches every property and lists none.
// Errors, in this order: Forbidden unless p is an admin; ValidationFailed (fields name, role,
// properties); PropertyNotFound for a property code that names no property.
func (s *Service) CreateAPIKey(ctx context.Context, p *Principal, in APIKeyInput) (string, APIKey, error) {
	if err := requireAdmin(p, "manage API keys"); err != nil {
		return "", APIKey{}, err
	}
	var v Validation
	checkShortText(&v, "name", in.Name, true)
	switch in.Role {
	case RoleManager:
		if len(in.PropertyCodes) == 0 {
			v.Add("properties", "must list at least one property for a manager key")
		}
	case RoleAdmin:
		if len(in.PropertyCodes) > 0 {
			v.Add("properties", "must be empty for an admin key, which reaches every property")
		}
	default:
		v.Add("role", "must be manager or admin")
	}
	for _, code := range in.PropertyCodes {
		if strings.TrimSpace(code) == "" || len(code) > maxIdentifierLength {
			v.Add("properties", "must hold property codes")
			break
		}
	}
	if err := v.Err(); err != nil {
		return "", APIKey{}, err
	}
	var ids []int64
	for _, code := range in.PropertyCodes {
		code = strings.TrimSpace(code)
		prop, err := s.store.PropertyByCode(ctx, code)
		if errors.Is(err, ErrNotFound) {
			return "", APIKey{}, Errorf(CodePropertyNotFound, "There is no property '%s'.", code)
		}
		if err != nil {
			return "", APIKey{}, s.internal(ctx, "property by code", err)
		}
		ids = append(ids, prop.ID)
	}
	secret := newSecret(APIKeyPrefix)
	k := APIKey{Name: strings.TrimSpace(in.Name), Hash: HashSecret(secret), Role: in.Role,
		PropertyIDs: sortedIDs(ids), CreatedAt: s.now()}
	// The store puts the new key's id in the entry's ObjectRef (AuditStore).
	audit := s.auditEntry(ctx, p, AuditAPIKeyCreated, "api_key", "", 0, "role="+string(k.Role))
	if err := s.credentials.CreateAPIKey(ctx, &k, audit); err != nil {
		return "", APIKey{}, s.internal(ctx, "create api key", err)
	}
	s.logger.InfoContext(ctx, "api key created", "api_key_id", k.ID, "role", string(k.Role), "by", p.String())
	return secret, k, nil
}

// RevokeAPIKey revokes API key id, which stops working at once, and returns it; revoking a
// revoked key changes nothing and returns it as it is. Errors: Forbidden unless p is an admin;
// APIKeyNotFound when no key has this id.
func (s *Service) RevokeAPIKey(ctx context.Context, p *Principal, id int64) (APIKey, error) {
	defer s.credentialsChanged() // live streams re-check their credential (service_events.go)
	if err := requireAdmin(p, "manage API keys"); err != nil {
		return APIKey{}, err
	}
	audit := s.auditEntry(ctx, p, AuditAPIKeyRevoked, "api_key", idRef(id), 0, "")
	err := s.credentials.RevokeAPIKey(ctx, id, s.now(), audit)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return APIKey{}, s.internal(ctx, "revoke api key", err)
	}
	revoked := err == nil
	k, err := s.store.APIKeyByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return APIKey{}, Errorf(CodeAPIKeyNotFound, "There is no API key %d.", id)
	}
	if err != nil {
		return APIKey{}, s.internal(ctx, "api key by id", err)
	}
	if revoked {
		s.logger.InfoContext(ctx, "api key revoked", "api_key_id", id, "by", p.String())
	}
	return k, nil
}

// ListAPIKeys lists the API keys, revoked or not, without their secrets: those whose id is
// greater than afterID, ascending by id, at most limit (1 to MaxPageLength), and reports
// whether more follow. Errors: Forbidden unless p is an admin; ValidationFailed (field limit).
func (s *Service) ListAPIKeys(ctx context.Context, p *Principal, afterID int64, limit int) ([]APIKey, bool, error) {
	if err := requireAdmin(p, "manage API keys"); err != nil {
		return nil, false, err
	}
	if limit < 1 || limit > MaxPageLength {
		var v Validation
		v.Add("limit", fmt.Sprintf("must be between 1 and %d", MaxPageLength))
		return nil, false, v.Err()
	}
	keys, err := s.store.ListAPIKeys(ctx, afterID, limit+1)
	if err != nil {
		return nil, false, s.internal(ctx, "list api keys", err)
	}
	if len(keys) > limit {
		return keys[:limit], true, nil
	}
	return keys, false, nil
}
