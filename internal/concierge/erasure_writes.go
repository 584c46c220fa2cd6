package concierge

import (
	"context"
	"encoding/json"
	"strings"
	"time"
)

// Erasures erases guests' data on request or by retention: what an erasure removes, what a
// legal hold keeps, what it audits and whose streams it ends, written once over the store's
// transactions.
type Erasures struct {
	store Transactor
	now   func() time.Time
}

// NewErasures returns the erasures over store; now (nil: time.Now) dates the access.ended
// event of an erasure without an audit entry.
func NewErasures(store Transactor, now func() time.Time) Erasures {
	if now == nil {
		now = time.Now
	}
	return Erasures{store: store, now: now}
}

// Erase deletes, in one transaction, owner's conversations that are not under a legal hold,
// with their messages, translations (and the translation cache entries of their texts), search
// rows, events, webhook deliveries and the remembered answers that name the stay or guest;
// then, when no held conversation remains, the stay (with its orders) or guest itself with its
// sessions, appending access.ended (StaySubject or GuestSubject) so that their streams end. It
// appends audit (when not nil) with the counts added to its Detail. ErrNotFound when owner
// names neither a stay nor a guest, or when that stay or guest does not exist.
func (w Erasures) Erase(ctx context.Context, owner Owner, audit *AuditEntry) (Erasure, error) {
	var subject AccessSubject
	switch {
	case owner.StayID != nil:
		subject = StaySubject(*owner.StayID)
	case owner.GuestID != nil:
		subject = GuestSubject(*owner.GuestID)
	default:
		return Erasure{}, ErrNotFound
	}
	at := audit.AtOr(w.now())
	var out Erasure
	err := w.store.Write(ctx, func(tx Tx) error {
		var e Erasure
		if err := tx.LockGuestOwner(ctx, owner); err != nil {
			return err
		}
		if err := tx.DeleteIdempotencyKeysOf(ctx, owner); err != nil {
			return err
		}
		ids, held, err := tx.OwnerConversations(ctx, owner)
		if err != nil {
			return err
		}
		texts, messages, err := tx.ConversationTexts(ctx, ids)
		if err != nil {
			return err
		}
		e.Conversations, e.Messages, e.Held = len(ids), messages, held
		if len(texts) > 0 {
			if err := tx.DeleteCachedTranslations(ctx, texts); err != nil {
				return err
			}
		}
		if err := tx.DeleteConversations(ctx, ids); err != nil {
			return err
		}
		if e.Held == 0 {
			if owner.StayID != nil {
				if err := tx.DeleteStayOrders(ctx, *owner.StayID); err != nil {
					return err
				}
			}
			if err := tx.DeleteGuestOwner(ctx, owner); err != nil {
				return err
			}
			e.OwnerErased = true
			if err := tx.AppendAccessEnded(ctx, subject, at); err != nil {
				return err
			}
		}
		if audit != nil {
			entry := *audit
			entry.Detail = strings.TrimSpace(entry.Detail + " " + erasureDetail(e))
			if err := tx.InsertAudit(ctx, &entry); err != nil {
				return err
			}
		}
		out = e
		return nil
	})
	if err != nil {
		return Erasure{}, err
	}
	return out, nil
}

// erasureDetail renders the counts of an erasure for its audit entry.
func erasureDetail(e Erasure) string {
	b, _ := json.Marshal(map[string]any{"conversations": e.Conversations, "messages": e.Messages,
		"held": e.Held, "ownerErased": e.OwnerErased})
	return string(b)
}
