package concierge

import (
	"context"
	"fmt"
)

// Translations records the outcomes of translation attempts: which outcomes end a job, which
// are searchable and which are announced (message.translated), written once over the store's
// transactions.
type Translations struct {
	store Transactor
}

// NewTranslations returns the translation writes over store.
func NewTranslations(store Transactor) Translations { return Translations{store: store} }

// Finish records the outcome of an attempt at the Pending translation of messageID into
// target, in one transaction: Done stores the text, makes it searchable in the inbox and
// appends message.translated; Failed and Unsupported store the error and append
// message.translated; Pending stores the error and the next attempt time (no event). A final
// outcome's next attempt time is its own time. ErrNotFound when there is no such Pending
// translation; an error for an unknown state.
func (w Translations) Finish(ctx context.Context, messageID int64, target string, out TranslationOutcome) error {
	switch out.State {
	case TranslationPending, TranslationDone, TranslationFailed, TranslationUnsupported:
	default:
		return fmt.Errorf("concierge: finish translation: unknown state %q", out.State)
	}
	if out.State != TranslationPending {
		out.NextAttemptAt = out.At
	}
	return w.store.Write(ctx, func(tx Tx) error {
		conv, err := tx.UpdatePendingTranslation(ctx, messageID, target, out)
		if err != nil || out.State == TranslationPending {
			return err
		}
		if out.State == TranslationDone {
			if err := tx.IndexTranslation(ctx, messageID, target, out.Content); err != nil {
				return err
			}
		}
		e := messageEvent(conv.ID, conv.PropertyID, messageID, out.At)
		e.Kind = EventMessageTranslated
		return tx.AppendEvent(ctx, e)
	})
}
