package concierge

import (
	"context"
	"errors"
	"time"
)

// Orders writes orders as the POS sends them: which change each is, and the System message a
// status change posts into every conversation linked to the order, with their events
// (EventStore), written once over the store's transactions.
type Orders struct {
	store Transactor
	// translateTo is the language a System message written in textLang is translated into
	// for a guest reading guestLang ("": none).
	translateTo func(textLang, guestLang string) string
}

// NewOrders returns the order writes over store; translateTo (nil: never) says into which
// language a System message in textLang is translated for a guest reading guestLang ("":
// none).
func NewOrders(store Transactor, translateTo func(textLang, guestLang string) string) Orders {
	if translateTo == nil {
		translateTo = func(string, string) string { return "" }
	}
	return Orders{store: store, translateTo: translateTo}
}

// SavedOrder is what Save did with one order: the order as stored (or found unchanged), which
// change it was, and the System messages its status change posted (IDs and Seq set).
type SavedOrder struct {
	Order    Order
	Result   UpsertResult
	Messages []*Message
}

// Save writes orders, whose codes are distinct, in one transaction, each as wanted (PropertyID,
// Code, StayID, OutletID, Status) at time now: an order whose code (case-insensitive) is new at
// its property is inserted (UpsertCreated); one whose stay, outlet or status differs is
// updated (UpsertUpdated, its code kept as stored); any other is left (UpsertUnchanged). A
// status change of a stored order posts a System message into each conversation linked to it,
// in the conversation guest's language where there is a built-in text (OrderStatusText), and
// appends message.created per message, then order.updated per linked conversation. What
// changed is decided inside the transaction, with the order locked, so concurrent writers of
// one order each post exactly the messages of the change they made. It returns one SavedOrder
// per order, in order; ErrConflict when an inserted code is taken (nothing is written).
func (w Orders) Save(ctx context.Context, orders []Order, now time.Time) ([]SavedOrder, error) {
	var saved []SavedOrder
	err := w.store.Write(ctx, func(tx Tx) error {
		run := make([]SavedOrder, len(orders))
		for i, o := range orders {
			var err error
			if run[i], err = w.save(ctx, tx, o, now); err != nil {
				return err
			}
		}
		saved = run
		return nil
	})
	if err != nil {
		return nil, err
	}
	return saved, nil
}

// save writes one order of Save in tx.
func (w Orders) save(ctx context.Context, tx Tx, o Order, now time.Time) (SavedOrder, error) {
	existing, err := tx.OrderByCodeForUpdate(ctx, o.PropertyID, o.Code)
	if errors.Is(err, ErrNotFound) {
		o.UpdatedAt = now
		if o.ID, err = tx.InsertOrder(ctx, &o); err != nil {
			return SavedOrder{}, err
		}
		return SavedOrder{Order: o, Result: UpsertCreated}, nil
	}
	if err != nil {
		return SavedOrder{}, err
	}
	o.ID, o.Code = existing.ID, existing.Code
	if sameOptionalID(existing.StayID, o.StayID) && sameOptionalID(existing.OutletID, o.OutletID) && existing.Status == o.Status {
		return SavedOrder{Order: existing, Result: UpsertUnchanged}, nil
	}
	o.UpdatedAt = now
	if err := tx.UpdateOrder(ctx, &o); err != nil {
		return SavedOrder{}, err
	}
	saved := SavedOrder{Order: o, Result: UpsertUpdated}
	if existing.Status == o.Status {
		return saved, nil
	}
	convs, err := tx.ConversationsByOrder(ctx, o.ID)
	if err != nil {
		return SavedOrder{}, err
	}
	for _, c := range convs {
		text, lang := OrderStatusText(c.GuestLanguage, o.Status, o.Code)
		m := &Message{Code: NewCode("M"), ConversationID: c.ID, Type: MessageSystem, Content: text,
			Language: lang, CreatedAt: now, TranslateTo: w.translateTo(lang, c.GuestLanguage)}
		if err := tx.TouchConversation(ctx, c.ID, now); err != nil {
			return SavedOrder{}, err
		}
		if m.ID, m.Seq, err = tx.InsertMessage(ctx, c.ID, m); err != nil {
			return SavedOrder{}, err
		}
		if err := tx.AppendEvent(ctx, messageEvent(c.ID, c.PropertyID, m.ID, now)); err != nil {
			return SavedOrder{}, err
		}
		saved.Messages = append(saved.Messages, m)
	}
	for _, c := range convs {
		if err := tx.AppendEvent(ctx, conversationEvent(EventOrderUpdated, c.ID, c.PropertyID, now)); err != nil {
			return SavedOrder{}, err
		}
	}
	return saved, nil
}

// sameOptionalID reports whether two optional ids are both unset or equal.
func sameOptionalID(a, b *int64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}
