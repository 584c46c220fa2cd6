package concierge

import (
	"context"
	"errors"
	"sync"
)

// ownerCacheMax is how many conversations the owner cache remembers before starting afresh.
const ownerCacheMax = 1 << 16

// ownerCache remembers which property, stay and guest identity own each conversation, for
// the live-event paths that run once per event: the hub's dispatch (EventTopics) and the
// guest streams' filter (GuestEvents). Without it the dispatch goroutine read every event's
// conversation from the store, one after the other, and fell behind the writers for good
// when request handling saturated the CPU.
//
// Caching is safe because a conversation's owners never grow: its property, stay and guest
// are set when it is created and only ever cleared (the stay or guest removed, the
// conversation deleted), and ids are never reused. A stale entry can only name an owner that
// no longer owns the conversation: it wakes or considers a stream too many, which then reads
// the conversation's current state and skips it, never one too few.
type ownerCache struct {
	mu sync.Mutex
	m  map[int64]Conversation // only ID, PropertyID, StayID and GuestID are set
}

// conversationOwner returns conversation id with only its ID, PropertyID, StayID and GuestID
// set (possibly owners since removed, see ownerCache), and false when it does not exist.
// It returns the store's other errors.
func (s *Service) conversationOwner(ctx context.Context, id int64) (Conversation, bool, error) {
	c := &s.owners
	c.mu.Lock()
	o, ok := c.m[id]
	c.mu.Unlock()
	if ok {
		return o, true, nil
	}
	conv, err := s.store.ConversationByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Conversation{}, false, nil
	}
	if err != nil {
		return Conversation{}, false, err
	}
	return s.rememberOwner(conv), true, nil
}

// eventOwner returns the owners of ev's conversation as conversationOwner does: those read
// with the event when the store gave them (Event.Owner), else from the cache or the store.
func (s *Service) eventOwner(ctx context.Context, ev Event) (Conversation, bool, error) {
	if ev.Owner != nil {
		return Conversation{ID: ev.ConversationID, PropertyID: ev.PropertyID,
			StayID: ev.Owner.StayID, GuestID: ev.Owner.GuestID}, true, nil
	}
	return s.conversationOwner(ctx, ev.ConversationID)
}

// rememberOwner records conv's owners (see ownerCache) and returns them.
func (s *Service) rememberOwner(conv Conversation) Conversation {
	o := Conversation{ID: conv.ID, PropertyID: conv.PropertyID}
	if conv.StayID != nil {
		o.StayID = new(*conv.StayID)
	}
	if conv.GuestID != nil {
		o.GuestID = new(*conv.GuestID)
	}
	c := &s.owners
	c.mu.Lock()
	if c.m == nil || len(c.m) >= ownerCacheMax {
		c.m = make(map[int64]Conversation)
	}
	c.m[o.ID] = o
	c.mu.Unlock()
	return o
}
