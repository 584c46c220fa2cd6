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
	ContentType string
	Body        []byte
	CreatedAt   time.Time
}

// IdempotencyStore remembers answers to writes sent with an Idempotency-Key. It is part of
// Store.
type IdempotencyStore interface {
	// ReserveIdempotencyKey inserts rec as in progress and reports inserted true; when the
	// scope and key exist already it inserts nothing and returns the existing record.
	ReserveIdempotencyKey(ctx context.Context, rec IdempotentRecord) (existing IdempotentRecord, inserted bool, err error)
	// CompleteIdempotencyKey stores the final answer of a reserved key; ErrNotFound when the
	// reservation is gone.
	CompleteIdempotencyKey(ctx context.Context, scope, key string, status int, contentType string, body []byte) error
	// ReleaseIdempotencyKey forgets a key (an answer that must not be replayed, e.g. a server
	// error, or an abandoned reservation).
	ReleaseIdempotencyKey(ctx context.Context, scope, key string) error
	// PruneIdempotencyKeys forgets every key created before the given time and returns how
	// many it forgot.
	PruneIdempotencyKeys(ctx context.Context, before time.Time) (int, error)
}
