package concierge

import (
	"context"
	"fmt"
	"time"
)

// GuestQuotas bounds what one non-verified guest (a session opened with a guest identifier and
// not verified by room) may write; verified guests are not bounded by them. A zero field is no
// limit.
type GuestQuotas struct {
	MessagesPerConversation int // Guest messages in one conversation
	MessagesPerDay          int // Guest messages in the last 24 hours, over all conversations
	ConversationsPerDay     int // conversations started in the last 24 hours
}

// quotaWindow is the "day" of the daily quotas: a sliding 24 hours.
const quotaWindow = 24 * time.Hour

// checkGuestQuotas refuses a non-verified guest's new conversation (conversationID 0) or new
// message in conversation conversationID when it would pass a quota. Errors: RateLimited
// (with Retry-After) for the daily quotas; ValidationFailed (field Message) when the
// conversation holds as many guest messages as it may; InternalError.
func (s *Service) checkGuestQuotas(ctx context.Context, gs *GuestSession, conversationID int64) error {
	q := s.quotas
	if gs.Session.Verified() || gs.Session.GuestID == nil || q == (GuestQuotas{}) {
		return nil
	}
	now := s.now()
	u, err := s.store.GuestUsage(ctx, *gs.Session.GuestID, now.Add(-quotaWindow), conversationID)
	if err != nil {
		return s.internal(ctx, "guest usage", err)
	}
	retry := func(oldest time.Time) time.Duration {
		if d := oldest.Add(quotaWindow).Sub(now); d > time.Second {
			return d
		}
		return time.Second
	}
	if conversationID == 0 && q.ConversationsPerDay > 0 && u.ConversationsSince >= q.ConversationsPerDay {
		return &Error{Code: CodeRateLimited, RetryAfter: retry(u.FirstConversationAt),
			Message: fmt.Sprintf("A guest who is not verified may start at most %d conversations a day; try again later "+
				"or verify by room number and last name.", q.ConversationsPerDay)}
	}
	if q.MessagesPerDay > 0 && u.MessagesSince >= q.MessagesPerDay {
		return &Error{Code: CodeRateLimited, RetryAfter: retry(u.FirstMessageAt),
			Message: fmt.Sprintf("A guest who is not verified may send at most %d messages a day; try again later "+
				"or verify by room number and last name.", q.MessagesPerDay)}
	}
	if conversationID != 0 && q.MessagesPerConversation > 0 && u.MessagesInConversation >= q.MessagesPerConversation {
		var v Validation
		v.Add("Message", fmt.Sprintf("this conversation has reached %d messages, the most a guest who is not verified "+
			"may send in one; start a new conversation", q.MessagesPerConversation))
		return v.Err()
	}
	return nil
}
