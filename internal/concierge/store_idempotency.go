package concierge

import (
	"context"
	"time"
)

// IdempotentRecord is a write request remembered under its Idempotency-Key (SPEC §10): the
// hash of the request, and once answered, the answer to replay.
type IdempotentRecord struct {
	Scope       string // who sent it: a hash of the caller's credential
	Key         string // the client's Idempotency-Key
	RequestHash []byte // SHA-256 of method, path and body
	Done        bool   // the answer below is final
	Status      int
	ContentType string // the answer's Content-Type, then "\n"-separated "Name: value" header lines to replay
	Body        []byte // with no secret in it: see SecretKind
	CreatedAt   time.Time
	// SecretKind names the kind of secret the answer issued (one of the Secret… constants;
	// empty when none) and SecretRef the object it belongs to. The secret itself is not kept:
	// Body holds SecretPlaceholder where it stood.
	SecretKind string
	SecretRef  int64
	// StayID and GuestID name the stay and the non-verified guest the answer concerns (nil when
	// none), so that erasing their data forgets the answer.
	StayID  *int64
	GuestID *int64
}

// The kinds of secret an answer can issue.
const (
	SecretGuestSession   = "guest-session"   // a guest session token; SecretRef is the session
	SecretStaffSession   = "staff-session"   // a staff login token; SecretRef is the staff session
	SecretAPIKey         = "api-key"         // an API key; SecretRef is the key
	SecretInterfaceToken = "interface-token" // an interface token; SecretRef is the token
)

// SecretPlaceholder stands in a remembered answer's body where a secret stood. It holds a NUL
// byte, which JSON text never holds unescaped, so it cannot be mistaken for content.
const SecretPlaceholder = "\x00secret\x00"

// IdempotencyStore remembers answers to writes sent with an Idempotency-Key. It is part of
// Store.
type IdempotencyStore interface {
	// ReserveIdempotencyKey inserts rec as in progress and reports inserted true; when the
	// scope and key exist already it inserts nothing and returns the existing record.
	ReserveIdempotencyKey(ctx context.Context, rec IdempotentRecord) (existing IdempotentRecord, inserted bool, err error)
	// CompleteIdempotencyKey stores the final answer of the reserved key rec.Scope, rec.Key:
	// Status, ContentType, Body, SecretKind, SecretRef, StayID and GuestID; ErrNotFound when
	// the reservation is gone.
	CompleteIdempotencyKey(ctx context.Context, rec IdempotentRecord) error
	// ReleaseIdempotencyKey forgets a key (an answer that must not be replayed, e.g. a server
	// error, or an abandoned reservation).
	ReleaseIdempotencyKey(ctx context.Context, scope, key string) error
	// PruneIdempotencyKeys forgets every key created before the given time and returns how
	// many it forgot.
	PruneIdempotencyKeys(ctx context.Context, before time.Time) (int, error)
}
