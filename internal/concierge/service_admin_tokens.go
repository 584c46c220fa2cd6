package concierge

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// InterfaceTokenInput describes an interface token to create.
type InterfaceTokenInput struct {
	Name          string
	PropertyCodes []string // at least one
}

// CreateInterfaceToken creates an integrator's interface token, granted guest-session
// initialisation at the listed properties, and returns its secret (InterfaceTokenPrefix and
// 32 random bytes in base64url), shown this once: only its SHA-256 is stored. Errors, in this
// order: Forbidden unless p is an admin; ValidationFailed (fields name, properties);
// PropertyNotFound.
func (s *Service) CreateInterfaceToken(ctx context.Context, p *Principal, in InterfaceTokenInput) (string, InterfaceToken, error) {
	if err := requireAdmin(p, "manage interface tokens"); err != nil {
		return "", InterfaceToken{}, err
	}
	var v Validation
	name := strings.TrimSpace(in.Name)
	checkShortText(&v, "name", name, true)
	switch {
	case len(in.PropertyCodes) == 0:
		v.Add("properties", "must list at least one property")
	case len(in.PropertyCodes) > maxGrants:
		v.Add("properties", fmt.Sprintf("must list at most %d properties", maxGrants))
	case slices.ContainsFunc(in.PropertyCodes, func(c string) bool { return strings.TrimSpace(c) == "" || len(c) > maxIdentifierLength }):
		v.Add("properties", "must hold property codes")
	}
	if err := v.Err(); err != nil {
		return "", InterfaceToken{}, err
	}
	ids, _, err := s.resolveGrants(ctx, p, in.PropertyCodes, nil)
	if err != nil {
		return "", InterfaceToken{}, err
	}
	secret := newSecret(InterfaceTokenPrefix)
	t := InterfaceToken{Name: name, Hash: HashSecret(secret), PropertyIDs: ids, CreatedAt: s.now()}
	// The store puts the new token's id in the entry's ObjectRef (AuditStore).
	audit := s.auditEntry(ctx, p, AuditInterfaceTokenMade, "interface_token", "", 0, "")
	if err := s.credentials.CreateInterfaceToken(ctx, &t, audit); err != nil {
		return "", InterfaceToken{}, s.internal(ctx, "create interface token", err)
	}
	s.logger.InfoContext(ctx, "interface token created", "interface_token_id", t.ID, "by", p.String())
	return secret, t, nil
}

// ListInterfaceTokens lists the interface tokens, revoked or not, without their secrets:
// those whose id is greater than afterID, ascending by id, at most limit (1 to MaxPageLength),
// and reports whether more follow. Errors: Forbidden unless p is an admin; ValidationFailed
// (field limit).
func (s *Service) ListInterfaceTokens(ctx context.Context, p *Principal, afterID int64, limit int) ([]InterfaceToken, bool, error) {
	if err := requireAdmin(p, "manage interface tokens"); err != nil {
		return nil, false, err
	}
	if err := checkLimit(limit); err != nil {
		return nil, false, err
	}
	list, err := s.store.ListInterfaceTokens(ctx, afterID, limit+1)
	if err != nil {
		return nil, false, s.internal(ctx, "list interface tokens", err)
	}
	out, more := page(list, limit)
	return out, more, nil
}

// RevokeInterfaceToken revokes interface token id and returns it: guest sessions can no longer
// be initialised with it (InterfaceTokenInvalid), and the sessions opened with it end at once
// (IdentityTokenExpired; their live streams close, on every node). Revoking a revoked token
// changes nothing. Errors: Forbidden unless p is an admin; InterfaceTokenNotFound when no
// token has this id.
func (s *Service) RevokeInterfaceToken(ctx context.Context, p *Principal, id int64) (InterfaceToken, error) {
	defer s.credentialsChanged() // live streams re-check their credential (service_events.go)
	if err := requireAdmin(p, "manage interface tokens"); err != nil {
		return InterfaceToken{}, err
	}
	audit := s.auditEntry(ctx, p, AuditInterfaceTokenRevoke, "interface_token", idRef(id), 0, "")
	err := s.credentials.RevokeInterfaceToken(ctx, id, s.now(), audit)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return InterfaceToken{}, s.internal(ctx, "revoke interface token", err)
	}
	revoked := err == nil
	t, err := s.store.InterfaceTokenByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return InterfaceToken{}, Errorf(CodeInterfaceTokenNotFound, "There is no interface token %d.", id)
	}
	if err != nil {
		return InterfaceToken{}, s.internal(ctx, "interface token by id", err)
	}
	if revoked {
		s.logger.InfoContext(ctx, "interface token revoked", "interface_token_id", id, "by", p.String())
	}
	return t, nil
}
