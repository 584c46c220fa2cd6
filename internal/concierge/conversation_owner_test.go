package concierge

import (
	"context"
	"slices"
	"testing"
)

// topicsStore is an eventLogStore whose conversations are convs; it counts ConversationByID.
type topicsStore struct {
	eventLogStore
	convs     map[int64]Conversation
	convReads int
}

func (f *topicsStore) ConversationByID(_ context.Context, id int64) (Conversation, error) {
	f.convReads++
	c, ok := f.convs[id]
	if !ok {
		return Conversation{}, ErrNotFound
	}
	return c, nil
}

// TestEventTopicsCachesOwners checks that the hub's dispatch reads a conversation's owners
// from the store once, not once per wave of events; that a conversation created through the
// Service is never read; and that the topics are those of the owners.
func TestEventTopicsCachesOwners(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	stay, guest := int64(5), int64(9)
	store := &topicsStore{convs: map[int64]Conversation{
		1: {ID: 1, PropertyID: 1, StayID: &stay},
		2: {ID: 2, PropertyID: 1, GuestID: &guest},
	}}
	s := &Service{store: store}
	s.rememberOwner(Conversation{ID: 3, PropertyID: 2, StayID: new(int64(7))})
	var after int64
	for wave := range 5 {
		store.mu.Lock()
		for _, conv := range []int64{1, 2, 3, 4} { // 4 does not exist
			prop := int64(1)
			if conv == 3 {
				prop = 2
			}
			store.events = append(store.events, Event{Seq: int64(len(store.events) + 1), ConversationID: conv, PropertyID: prop})
		}
		store.mu.Unlock()
		topics, next, err := s.EventTopics(ctx, after)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{propertyTopic(1), stayTopic(1, 5), guestTopic(1, 9), propertyTopic(2), stayTopic(2, 7)}
		slices.Sort(topics)
		slices.Sort(want)
		if !slices.Equal(topics, want) {
			t.Fatalf("wave %d: topics %q, want %q", wave, topics, want)
		}
		if next != int64(4*(wave+1)) {
			t.Fatalf("wave %d: next %d", wave, next)
		}
		after = next
	}
	// 1 and 2 once each; 4 (missing) is not cached and is read every wave; 3 never.
	if want := 2 + 5; store.convReads != want {
		t.Errorf("%d conversation reads in 5 waves, want %d", store.convReads, want)
	}
}

// TestEventTopicsUsesEventOwners: events that carry their conversation's owners (as the
// stores' EventsAfter read them) are dispatched to those owners' topics without reading the
// conversation.
func TestEventTopicsUsesEventOwners(t *testing.T) {
	t.Parallel()
	stay, guest := int64(5), int64(9)
	store := &topicsStore{convs: map[int64]Conversation{}}
	store.events = []Event{
		{Seq: 1, ConversationID: 11, PropertyID: 1, Owner: &EventOwner{StayID: &stay}},
		{Seq: 2, ConversationID: 12, PropertyID: 1, Owner: &EventOwner{GuestID: &guest}},
		{Seq: 3, ConversationID: 11, PropertyID: 1, Owner: &EventOwner{StayID: &stay}},
	}
	s := &Service{store: store}
	topics, next, err := s.EventTopics(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{propertyTopic(1), stayTopic(1, 5), guestTopic(1, 9)}
	slices.Sort(topics)
	slices.Sort(want)
	if !slices.Equal(topics, want) || next != 3 {
		t.Errorf("topics %q next %d, want %q and 3", topics, next, want)
	}
	if store.convReads != 0 {
		t.Errorf("%d conversation reads, want none", store.convReads)
	}
}
