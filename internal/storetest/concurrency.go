package storetest

import (
	"sync"
	"testing"

	"concierge/internal/concierge"
)

// testConcurrentConversations creates 50 conversations, each with a first message, at once:
// every one must succeed, with its own ids.
func testConcurrentConversations(t *testing.T, s concierge.Store) {
	const n = 50
	pl := mustPlace(t, s, "P1")
	st := mustStay(t, s, pl.Property.ID, "101", "2025-01-10", "2025-01-20")
	convs := make([]concierge.Conversation, n)
	msgs := make([]concierge.Message, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		convs[i] = conversation(pl.Outlet, &st.ID, nil)
		msgs[i] = message(concierge.MessageGuest, i)
		wg.Go(func() {
			<-start
			errs[i] = concierge.NewConversations(s).Create(t.Context(), &convs[i], &msgs[i])
		})
	}
	close(start)
	wg.Wait()

	convIDs, msgIDs := map[int64]int{}, map[int64]int{}
	for i := range n {
		if errs[i] != nil {
			t.Errorf("conversation %d: %v", i, errs[i])
			continue
		}
		if prev, ok := convIDs[convs[i].ID]; ok || convs[i].ID <= 0 {
			t.Errorf("conversation %d got id %d (also given to %d: %v)", i, convs[i].ID, prev, ok)
		}
		convIDs[convs[i].ID] = i
		if prev, ok := msgIDs[msgs[i].ID]; ok || msgs[i].ID == 0 {
			t.Errorf("message %d got id %d (also given to %d: %v)", i, msgs[i].ID, prev, ok)
		}
		msgIDs[msgs[i].ID] = i
		if msgs[i].Seq != 1 || msgs[i].ConversationID != convs[i].ID {
			t.Errorf("message %d: seq %d, conversation %d (want 1, %d)", i, msgs[i].Seq, msgs[i].ConversationID, convs[i].ID)
		}
	}
	got, total, err := s.GuestMessages(t.Context(), concierge.Owner{PropertyID: pl.Property.ID, StayID: &st.ID}, concierge.Page{})
	noErr(t, "GuestMessages", err)
	if total != n || len(got) != n {
		t.Errorf("GuestMessages after %d concurrent creations: %d listed, total %d", n, len(got), total)
	}
}

// testConcurrentEnsureGuest ensures one identifier from many goroutines at once: all get the
// same guest.
func testConcurrentEnsureGuest(t *testing.T, s concierge.Store) {
	const n = 20
	p := mustProperty(t, s, "P1")
	ids := make([]int64, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			g, err := s.EnsureGuest(t.Context(), p.ID, "same-device", at(i))
			ids[i], errs[i] = g.ID, err
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Errorf("EnsureGuest %d: %v", i, errs[i])
		} else if ids[i] != ids[0] || ids[i] == 0 {
			t.Errorf("EnsureGuest %d returned guest %d, the first %d", i, ids[i], ids[0])
		}
	}
}
