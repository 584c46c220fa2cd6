package concierge

import "context"

// ownerNoteKey is the context key of the function told which guests an answer concerns.
type ownerNoteKey struct{}

// WithOwnerNote returns ctx carrying note: while a request runs in that context, the service
// calls note with the owner (stay and/or non-verified guest) of every guest's data it reads or
// writes for the answer, so that a remembered answer can be forgotten when that guest's data is
// erased (package idempotency uses it).
func WithOwnerNote(ctx context.Context, note func(Owner)) context.Context {
	return context.WithValue(ctx, ownerNoteKey{}, note)
}

// noteOwner tells the context's owner note, if any, that the answer concerns o.
func noteOwner(ctx context.Context, o Owner) {
	if note, _ := ctx.Value(ownerNoteKey{}).(func(Owner)); note != nil && !o.Empty() {
		note(o)
	}
}
