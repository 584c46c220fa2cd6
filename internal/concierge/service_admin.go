package concierge

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The admin API (SPEC §5 "admin"): properties, service centers, outlets, staff users and
// interface tokens. Who may do what:
//
//   - an admin (staff user or API key) everything;
//   - a manager (staff user or API key) reads their own properties, and lists, creates and
//     updates the service centers and outlets of their properties and the agents who work
//     only there (whose every service center and property is one of the manager's);
//   - an agent nothing: every admin call answers Forbidden.
//
// Only admins create and update properties, manage managers and admins, and manage interface
// tokens (an integrator's token may span properties). Objects the caller may not see answer
// the same NotFound code as objects that do not exist.

// InterfaceTokenPrefix starts every interface token secret the admin API issues ("concierge
// interface token").
const InterfaceTokenPrefix = "cit_"

const (
	// maxCodeLength bounds property, service center and outlet codes.
	maxCodeLength = 50
	// maxUsernameLength bounds staff usernames.
	maxUsernameLength = 64
	// maxDescriptionLength bounds an outlet's description (characters).
	maxDescriptionLength = 1000
	// MinPasswordLength is the shortest staff password the admin API accepts (characters).
	MinPasswordLength = 10
	// maxOpeningHours bounds the intervals of one outlet.
	maxOpeningHours = 100
	// maxSortOrder bounds an outlet's sort order either way.
	maxSortOrder = 1_000_000
	// maxGrants bounds the properties or service centers listed in one request.
	maxGrants = 200
)

// requireManager answers Forbidden unless p is a manager or an admin.
func requireManager(p *Principal, what string) error {
	if p == nil || (p.Role != RoleManager && p.Role != RoleAdmin) {
		return Errorf(CodeForbidden, "Only managers and administrators may %s.", what)
	}
	return nil
}

// checkLimit answers ValidationFailed (field limit) unless 1 ≤ limit ≤ MaxPageLength.
func checkLimit(limit int) error {
	if limit < 1 || limit > MaxPageLength {
		var v Validation
		v.Add("limit", fmt.Sprintf("must be between 1 and %d", MaxPageLength))
		return v.Err()
	}
	return nil
}

// isCodeRune reports whether r may appear in a code: ASCII letters, digits, '-' and '_'.
func isCodeRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_'
}

// checkCode records a broken rule of a code: required, at most maxCodeLength characters of
// letters, digits, '-' and '_' (codes go into URLs).
func checkCode(v *Validation, field, value string) {
	switch {
	case value == "":
		v.Add(field, "is required")
	case len(value) > maxCodeLength:
		v.Add(field, fmt.Sprintf("must be at most %d characters", maxCodeLength))
	case strings.IndexFunc(value, func(r rune) bool { return !isCodeRune(r) }) >= 0:
		v.Add(field, "may hold only letters, digits, '-' and '_'")
	}
}

// checkTimeZone records a broken rule of an IANA time zone name.
func checkTimeZone(v *Validation, field, value string) {
	if value == "" {
		v.Add(field, "is required")
		return
	}
	if len(value) > 100 || value == "Local" || strings.ContainsRune(value, 0) {
		v.Add(field, "must be an IANA time zone name such as Europe/Madrid")
		return
	}
	if _, err := time.LoadLocation(value); err != nil {
		v.Add(field, "must be an IANA time zone name such as Europe/Madrid")
	}
}

// checkLanguage records a broken rule of a BCP 47 tag and returns the base language it is
// served as ("" when broken).
func checkLanguage(v *Validation, field, value string) string {
	if strings.TrimSpace(value) == "" {
		v.Add(field, "is required")
		return ""
	}
	lang, ok := NormalizeLanguage(value)
	if !ok {
		v.Add(field, "must be a BCP 47 language tag such as en or es-MX")
		return ""
	}
	return lang
}

// conflictOr maps a store's ErrConflict to AlreadyExists (with message), and anything else
// through internal.
func (s *Service) conflictOr(ctx context.Context, op string, err error, message string) error {
	if errors.Is(err, ErrConflict) {
		return Errorf(CodeAlreadyExists, "%s", message)
	}
	return s.internal(ctx, op, err)
}

// page cuts a list fetched with limit+1 items to limit and reports whether more follow.
func page[T any](items []T, limit int) ([]T, bool) {
	if len(items) > limit {
		return items[:limit], true
	}
	return items, false
}
