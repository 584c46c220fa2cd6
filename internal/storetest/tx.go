package storetest

import (
	"context"
	"errors"
	"sort"
	"sync"
	"testing"

	"concierge/internal/concierge"
)

// errRolledBack is what the write functions of testTx return to roll their transaction back.
var errRolledBack = errors.New("storetest: roll back")

// testTx checks the transaction seam (concierge.Transactor) and the table operations of Tx on
// their own, without the domain's writes over them.
func testTx(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	pl := mustPlace(t, s, "P1")
	st := mustStay(t, s, pl.Property.ID, "101", "2025-01-10", "2025-01-20")

	// A function's error comes back unchanged and nothing it wrote is kept.
	lost := conversation(pl.Outlet, &st.ID, nil)
	err := s.Write(ctx, func(tx concierge.Tx) error {
		id, err := tx.InsertConversation(ctx, &lost)
		if err != nil {
			return err
		}
		m := message(concierge.MessageGuest, 1)
		if _, _, err := tx.InsertMessage(ctx, id, &m); err != nil {
			return err
		}
		return errRolledBack
	})
	if !errors.Is(err, errRolledBack) {
		t.Fatalf("Write of a failing function = %v, want its error", err)
	}
	_, err = s.ConversationByCode(ctx, lost.Code)
	wantErr(t, "ConversationByCode of a rolled back insert", err, concierge.ErrNotFound)

	// A ctx that has ended: the function does not run.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	ran := false
	err = s.Write(cancelled, func(concierge.Tx) error { ran = true; return nil })
	if !errors.Is(err, context.Canceled) || ran {
		t.Errorf("Write with an ended ctx = %v (ran %v), want context.Canceled without running", err, ran)
	}

	// Insert, read for update, number messages, change the status, append events.
	c := conversation(pl.Outlet, &st.ID, nil)
	latest, err := s.LatestEventSeq(ctx)
	noErr(t, "LatestEventSeq", err)
	var seqs []int64
	var state concierge.ConversationState
	noErr(t, "Write", s.Write(ctx, func(tx concierge.Tx) error {
		seqs = seqs[:0]
		id, err := tx.InsertConversation(ctx, &c)
		if err != nil {
			return err
		}
		c.ID = id
		for i := range 3 {
			m := message(concierge.MessageGuest, 2+i)
			_, seq, err := tx.InsertMessage(ctx, id, &m)
			if err != nil {
				return err
			}
			seqs = append(seqs, seq)
		}
		if err := tx.UpdateConversationStatus(ctx, id, concierge.ConversationClosed, at(9)); err != nil {
			return err
		}
		if state, err = tx.ConversationForUpdate(ctx, id); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, concierge.Event{Kind: concierge.EventConversationUpdated,
			ConversationID: id, PropertyID: pl.Property.ID, CreatedAt: at(9)})
	}))
	wantEqual(t, "sequence numbers of three messages", seqs, []int64{1, 2, 3})
	wantEqual(t, "ConversationForUpdate", state,
		concierge.ConversationState{PropertyID: pl.Property.ID, Status: concierge.ConversationClosed})
	got, err := s.ConversationByCode(ctx, c.Code)
	noErr(t, "ConversationByCode", err)
	if got.Status != concierge.ConversationClosed || !got.UpdatedAt.Equal(at(9)) {
		t.Errorf("conversation after UpdateConversationStatus: status %s, updated %v", got.Status, got.UpdatedAt)
	}
	events, err := s.EventsAfter(ctx, latest, 0)
	noErr(t, "EventsAfter", err)
	if len(events) != 1 || events[0].Kind != concierge.EventConversationUpdated ||
		events[0].ConversationID != c.ID || events[0].PropertyID != pl.Property.ID ||
		events[0].MessageID != nil || !events[0].CreatedAt.Equal(at(9)) {
		t.Errorf("events appended = %+v, want one conversation.updated of conversation %d", events, c.ID)
	}

	// Unknown rows; a taken message code.
	var forUpdateErr, updateErr, markErr error
	var markedUnknown int
	noErr(t, "Write of failing operations", s.Write(ctx, func(tx concierge.Tx) error {
		_, forUpdateErr = tx.ConversationForUpdate(ctx, c.ID+1000)
		updateErr = tx.UpdateConversationStatus(ctx, c.ID+1000, concierge.ConversationOpen, at(10))
		markedUnknown, markErr = tx.MarkMessagesRead(ctx, c.ID+1000, []concierge.MessageType{concierge.MessageGuest}, 0, at(10))
		return nil
	}))
	wantErr(t, "ConversationForUpdate of an unknown conversation", forUpdateErr, concierge.ErrNotFound)
	wantErr(t, "UpdateConversationStatus of an unknown conversation", updateErr, concierge.ErrNotFound)
	if markErr != nil || markedUnknown != 0 {
		t.Errorf("MarkMessagesRead of an unknown conversation = %d, %v", markedUnknown, markErr)
	}
	var msgs []concierge.Message
	msgs, err = s.ConversationMessages(ctx, c.ID, true)
	noErr(t, "ConversationMessages", err)
	taken := message(concierge.MessageGuest, 11)
	taken.Code = msgs[0].Code
	err = s.Write(ctx, func(tx concierge.Tx) error {
		_, _, err := tx.InsertMessage(ctx, c.ID, &taken)
		return err
	})
	wantErr(t, "InsertMessage with a taken code", err, concierge.ErrConflict)

	// MarkMessagesRead: by type, up to a sequence number, only unread ones.
	staff := message(concierge.MessageStaff, 12)
	var marked []int
	noErr(t, "Write", s.Write(ctx, func(tx concierge.Tx) error {
		marked = marked[:0]
		if _, _, err := tx.InsertMessage(ctx, c.ID, &staff); err != nil {
			return err
		}
		for _, step := range []struct {
			types []concierge.MessageType
			upTo  int64
		}{
			{[]concierge.MessageType{concierge.MessageGuest}, 2},
			{[]concierge.MessageType{concierge.MessageGuest}, 0},
			{[]concierge.MessageType{concierge.MessageGuest}, 0},
			{[]concierge.MessageType{concierge.MessageStaff, concierge.MessageGuest}, 0},
			{nil, 0},
		} {
			n, err := tx.MarkMessagesRead(ctx, c.ID, step.types, step.upTo, at(13))
			if err != nil {
				return err
			}
			marked = append(marked, n)
		}
		return nil
	}))
	wantEqual(t, "messages marked read step by step", marked, []int{2, 1, 0, 1, 0})
}

// testTxNumbering checks that concurrent writes adding messages to one conversation, each
// after ConversationForUpdate, number them 1, 2, … without a gap or a duplicate.
func testTxNumbering(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	pl := mustPlace(t, s, "P1")
	st := mustStay(t, s, pl.Property.ID, "101", "2025-01-10", "2025-01-20")
	c := conversation(pl.Outlet, &st.ID, nil)
	noErr(t, "Create", concierge.NewConversations(s).Create(ctx, &c, nil))

	const writers = 16
	seqs := make([]int64, writers)
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			errs[i] = s.Write(ctx, func(tx concierge.Tx) error {
				if _, err := tx.ConversationForUpdate(ctx, c.ID); err != nil {
					return err
				}
				m := message(concierge.MessageGuest, i)
				var err error
				_, seqs[i], err = tx.InsertMessage(ctx, c.ID, &m)
				return err
			})
		})
	}
	wg.Wait()
	for _, err := range errs {
		noErr(t, "concurrent Write", err)
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	for i, seq := range seqs {
		if seq != int64(i+1) {
			t.Fatalf("sequence numbers of %d concurrent messages = %v, want 1…%d", writers, seqs, writers)
		}
	}
}
