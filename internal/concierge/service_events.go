package concierge

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
)

// EventBatchSize is how many log entries one read of a stream covers.
const EventBatchSize = 200

// streamRecheck is how often a stream re-checks its credential when no change was made
// through this process (changes made by another process: `concierge` CLI, other nodes).
const streamRecheck = 30 * time.Second

// StreamCheck remembers when a live stream last checked its credential. Streams keep one and
// pass it to every GuestEvents or StaffEvents call; the zero value checks at the first delivery.
type StreamCheck struct {
	gen     int64
	at      time.Time
	stayEnd time.Time // the stream's stay expiry, computed once (zero: not yet)
}

// NewStreamCheck returns a StreamCheck that counts as a check made now, for a stream whose
// credential is authenticated after this call: its first delivery then needs no store read
// (a wave of new streams would otherwise read the store once each). A credential change
// after this call still makes the next delivery check.
func (s *Service) NewStreamCheck() StreamCheck {
	return StreamCheck{gen: s.credGen.Load(), at: s.now()}
}

// credentialsChanged tells live streams that a credential may have changed (a logout, a
// revocation, a staff user's update).
func (s *Service) credentialsChanged() { s.credGen.Add(1) }

// due reports whether a stream must check its credential now; it then records the check.
func (s *Service) due(chk *StreamCheck) bool {
	gen, now := s.credGen.Load(), s.now()
	if chk.at.IsZero() || gen != chk.gen || now.Sub(chk.at) >= streamRecheck || now.Before(chk.at) {
		chk.gen, chk.at = gen, now
		return true
	}
	return false
}

// EventStart is where a live stream begins: after the event After, and whether the client
// must first be told to reload (the events it asked for were pruned, or never existed).
type EventStart struct {
	After  int64
	Reload bool
}

// GuestEvent is an event as a guest's stream carries it: the change and the current state of
// what changed, as the guest sees it. Conversation is set for conversation.updated,
// message.read and order.updated; Message for message.created; Order for order.updated.
type GuestEvent struct {
	Event
	ConversationCode string
	Conversation     *GuestConversationSummary
	Message          *GuestMessage
	Order            *Order
}

// StaffEvent is an event as a staff stream carries it. Conversation (without its messages) is
// set for conversation.updated, message.read and order.updated; Message (Notes included) for
// message.created; Order for order.updated.
type StaffEvent struct {
	Event
	ConversationCode string
	Conversation     *StaffConversation
	Message          *StaffMessage
	Order            *Order
}

// GuestEventBatch is one read of a guest stream: the events the guest may see, and the
// position reached (Next: the seq of the last log entry read, visible or not). More: the read
// was cut at EventBatchSize and more entries may follow at once.
type GuestEventBatch struct {
	Events []GuestEvent
	Next   int64
	More   bool
}

// StaffEventBatch is GuestEventBatch for staff streams.
type StaffEventBatch struct {
	Events []StaffEvent
	Next   int64
	More   bool
}

// LatestEventSeq returns the seq of the newest event (0 when none). Errors: InternalError.
func (s *Service) LatestEventSeq(ctx context.Context) (int64, error) {
	seq, err := s.store.LatestEventSeq(ctx)
	return seq, s.internal(ctx, "latest event seq", err)
}

// PruneEvents deletes the events written before the given time and returns how many.
// Errors: InternalError.
func (s *Service) PruneEvents(ctx context.Context, before time.Time) (int, error) {
	n, err := s.store.PruneEvents(ctx, before)
	return n, s.internal(ctx, "prune events", err)
}

// OpenGuestEvents checks that the session may stream events and resolves where its stream
// starts (see eventStart). Errors: GuestNotVerified for an anonymous session (it owns no
// conversation); ValidationFailed (field LastEventId) for a resume point that is not a
// non-negative integer. It also records in chk the session's stay expiry, which every
// delivery checks.
func (s *Service) OpenGuestEvents(ctx context.Context, gs *GuestSession, lastEventID string, chk *StreamCheck) (EventStart, error) {
	if gs.Owner().Empty() {
		return EventStart{}, Errorf(CodeGuestNotVerified, "This call needs a guest identity.")
	}
	if gs.Stay != nil && chk != nil {
		chk.stayEnd = s.stayExpiry(*gs.Stay, gs.Property)
	}
	return s.eventStart(ctx, "LastEventId", lastEventID)
}

// OpenStaffEvents resolves where a stream of p starts (see eventStart). Any principal may
// stream; StaffEvents delivers only what p may see. Errors: ValidationFailed (field
// lastEventId) for a resume point that is not a non-negative integer.
func (s *Service) OpenStaffEvents(ctx context.Context, p *Principal, lastEventID string) (EventStart, error) {
	return s.eventStart(ctx, "lastEventId", lastEventID)
}

// eventStart resolves a resume point: none starts at the newest event (live only); a seq
// whose successors are all still kept starts after it; a seq older than the oldest kept event
// (the events after it were pruned) or newer than the newest one (another database) starts at
// the newest event with Reload set.
func (s *Service) eventStart(ctx context.Context, field, lastEventID string) (EventStart, error) {
	var after int64 = -1
	if lastEventID = strings.TrimSpace(lastEventID); lastEventID != "" {
		n, err := strconv.ParseInt(lastEventID, 10, 64)
		if err != nil || n < 0 {
			var v Validation
			v.Add(field, "must be the id of an event (a non-negative integer)")
			return EventStart{}, v.Err()
		}
		after = n
	}
	oldest, err := s.store.OldestEventSeq(ctx)
	if err != nil {
		return EventStart{}, s.internal(ctx, "oldest event seq", err)
	}
	latest, err := s.store.LatestEventSeq(ctx)
	if err != nil {
		return EventStart{}, s.internal(ctx, "latest event seq", err)
	}
	switch {
	case after < 0:
		return EventStart{After: latest}, nil
	case after > latest:
		return EventStart{After: latest, Reload: true}, nil
	case after < latest && (oldest == 0 || oldest > after+1):
		return EventStart{After: latest, Reload: true}, nil
	}
	return EventStart{After: after}, nil
}

// guestEventState is a conversation as guest streams deliver it.
type guestEventState struct {
	conv    Conversation
	summary GuestConversationSummary
	msgs    []Message // Guest, Staff and System messages
}

// GuestEvents reads the events after position after that the session's guest may see —
// those of the conversations the session owns, never about Notes, and message.translated only
// when a translation the guest reads arrived — each with the current state
// of what changed as the guest sees it. Before delivering, and at once when an access.ended
// event names the session, its stay, guest or interface token, it checks that the session
// still works. Errors: IdentityTokenExpired (the session was revoked, its stay ended or was
// erased: the stream must end); InternalError.
func (s *Service) GuestEvents(ctx context.Context, gs *GuestSession, after int64, chk *StreamCheck) (GuestEventBatch, error) {
	events, err := s.eventsAfter(ctx, after, EventBatchSize)
	if err != nil {
		return GuestEventBatch{}, s.internal(ctx, "events after", err)
	}
	out := GuestEventBatch{Next: after, More: len(events) == EventBatchSize}
	need := lastSeqByConversation(events)
	states := map[int64]*guestEventState{}
	var subjects []AccessSubject // the session's, once an access.ended event is read
	force := false
	for _, ev := range events {
		out.Next = ev.Seq
		if ev.Kind == EventAccessEnded {
			if subjects == nil {
				subjects = guestSubjects(gs)
			}
			force = force || concerns(ev, subjects)
			continue
		}
		if ev.PropertyID != gs.Property.ID {
			continue
		}
		st, seen := states[ev.ConversationID]
		if !seen {
			// Skip the conversations the guest does not own without loading their state: the
			// cached owners are a superset of the current ones (conversation_owner.go).
			owner, found, err := s.eventOwner(ctx, ev)
			if err != nil {
				return GuestEventBatch{}, s.internal(ctx, "conversation by id", err)
			}
			if !found || !gs.Owns(owner) {
				states[ev.ConversationID] = nil
				continue
			}
			v, err := s.cachedState(stateKey{conversationID: ev.ConversationID}, need[ev.ConversationID], func() (any, error) {
				return s.loadGuestEventState(context.WithoutCancel(ctx), ev.ConversationID)
			})
			if err != nil {
				return GuestEventBatch{}, err
			}
			st, _ = v.(*guestEventState)
			if st != nil && !gs.Owns(st.conv) {
				st = nil
			}
			states[ev.ConversationID] = st
		}
		if st == nil {
			continue
		}
		ge := GuestEvent{Event: ev, ConversationCode: st.summary.Code}
		switch ev.Kind {
		case EventMessageCreated, EventMessageTranslated:
			if ev.MessageID == nil {
				continue
			}
			// From the newest: an event is almost always about one of the last messages.
			for i := len(st.msgs) - 1; i >= 0; i-- {
				if st.msgs[i].ID == *ev.MessageID {
					gm := forGuest(gs.Property, st.summary.ConversationDetail, st.msgs[i:i+1])[0]
					showFor(&gm, gs.Session.Language)
					if ev.Kind == EventMessageTranslated && gm.Shown == nil {
						break // nothing the guest reads changed (their own message, a failure)
					}
					ge.Message = &gm
					break
				}
			}
			if ge.Message == nil {
				continue // a Note, or a message gone since
			}
		case EventOrderUpdated:
			if st.summary.Order == nil {
				continue
			}
			ge.Order = st.summary.Order
			summary := st.summary
			ge.Conversation = &summary
		default:
			summary := st.summary
			ge.Conversation = &summary
		}
		out.Events = append(out.Events, ge)
	}
	if len(out.Events) > 0 || force {
		if err := s.guestStreamValid(ctx, gs, chk, force); err != nil {
			return GuestEventBatch{}, err
		}
	}
	return out, nil
}

// lastSeqByConversation returns the seq of each conversation's last event in events.
func lastSeqByConversation(events []Event) map[int64]int64 {
	out := map[int64]int64{}
	for _, ev := range events {
		out[ev.ConversationID] = ev.Seq
	}
	return out
}

// detailByID loads a conversation with its detail (see detail); nil when it is gone.
func (s *Service) detailByID(ctx context.Context, id int64) (*ConversationDetail, error) {
	c, err := s.store.ConversationByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, s.internal(ctx, "conversation by id", err)
	}
	prop, err := s.store.PropertyByID(ctx, c.PropertyID)
	if err != nil {
		return nil, s.internal(ctx, "property by id", err)
	}
	d, err := s.detail(ctx, prop, c, nil)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// loadGuestEventState loads a conversation as guests see it; nil when it is gone.
func (s *Service) loadGuestEventState(ctx context.Context, id int64) (*guestEventState, error) {
	d, err := s.detailByID(ctx, id)
	if d == nil || err != nil {
		return nil, err
	}
	msgs, err := s.store.ConversationMessages(ctx, d.ID, false)
	if err != nil {
		return nil, s.internal(ctx, "conversation messages", err)
	}
	if err := s.withTranslations(ctx, msgs); err != nil {
		return nil, err
	}
	st := &guestEventState{conv: d.Conversation, summary: GuestConversationSummary{ConversationDetail: *d}, msgs: msgs}
	for _, m := range msgs {
		if (m.Type == MessageStaff || m.Type == MessageSystem) && m.ReadAt == nil {
			st.summary.UnreadCount++
		}
		st.summary.LastMessageAt = m.CreatedAt // msgs are in sequence order: the last one's time stays
	}
	return st, nil
}

// guestStreamValid checks, before a stream delivers, that its session still works: not
// revoked (logged out, replaced) and, for a verified session, its stay not past the grace
// period. The idle expiry does not apply: an open stream is activity. The store is read only
// when chk is due, or when force is set (an access.ended event named the session): then the
// session is read with its stay (whose departure may have moved) and guest, as Authenticate
// reads them. Errors: IdentityTokenExpired; InternalError.
func (s *Service) guestStreamValid(ctx context.Context, gs *GuestSession, chk *StreamCheck, force bool) error {
	expired := Errorf(CodeIdentityTokenExpired, "The session has expired; initialise a new one.")
	if force {
		found, err := s.store.GuestSessionByID(ctx, gs.Session.ID)
		if errors.Is(err, ErrNotFound) {
			return expired // erased with its stay or guest
		}
		if err != nil {
			return s.internal(ctx, "guest session by id", err)
		}
		if found.Session.RevokedAt != nil || (gs.Session.StayID != nil && found.Stay == nil) ||
			(gs.Session.GuestID != nil && found.Guest == nil) {
			return expired
		}
		if found.Stay != nil {
			chk.stayEnd = s.stayExpiry(*found.Stay, gs.Property)
		}
	}
	if gs.Stay != nil && chk.stayEnd.IsZero() {
		// The session's stay and property are fixed for the stream: loading the time zone
		// once per stream, not once per delivery, spares most of a delivery's cost.
		chk.stayEnd = s.stayExpiry(*gs.Stay, gs.Property)
	}
	if gs.Stay != nil && !s.now().Before(chk.stayEnd) {
		return expired
	}
	if !s.due(chk) || force {
		return nil // checked now, or recently enough
	}
	sess, err := s.store.SessionByID(ctx, gs.Session.ID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return s.internal(ctx, "session by id", err)
	}
	if err != nil || sess.RevokedAt != nil {
		return expired
	}
	return nil
}

// staffStreamValid checks, before a stream delivers, that its credential still works: a
// staff login not revoked nor expired and its user not disabled nor changed (role, service
// centers, properties: the stream must reconnect to see what the user now may), or an API
// key not revoked. The store is read only when chk is due or force is set (an access.ended
// event named the login, its user or the key). Errors: AuthenticationFailed; InternalError.
func (s *Service) staffStreamValid(ctx context.Context, p *Principal, chk *StreamCheck, force bool) error {
	ended := Errorf(CodeAuthenticationFailed, "The login has ended; log in again.")
	if p.Session != nil && !s.now().Before(p.Session.ExpiresAt) {
		return ended
	}
	if !s.due(chk) && !force {
		return nil
	}
	switch {
	case p.Session != nil && p.User != nil:
		ss, err := s.store.StaffSessionByHash(ctx, p.Session.Hash)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return s.internal(ctx, "staff session by hash", err)
		}
		if err != nil || ss.RevokedAt != nil || !s.now().Before(ss.ExpiresAt) {
			return ended
		}
		u, err := s.store.StaffUserByID(ctx, p.User.ID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return s.internal(ctx, "staff user by id", err)
		}
		if err != nil || u.DisabledAt != nil || u.Role != p.User.Role ||
			!slices.Equal(u.ServiceCenterIDs, p.User.ServiceCenterIDs) || !slices.Equal(u.PropertyIDs, p.User.PropertyIDs) {
			return ended
		}
	case p.APIKey != nil:
		k, err := s.store.APIKeyByID(ctx, p.APIKey.ID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return s.internal(ctx, "api key by id", err)
		}
		if err != nil || k.RevokedAt != nil {
			return ended
		}
	default:
		return ended
	}
	return nil
}

// StaffEvents reads the events after position after that p may see — those of the
// conversations of the service centers p may see, as they are now, Notes included — each with
// the current state of what changed. Before delivering, and at once when an access.ended event
// names p's login, user or API key, it checks that p's login or API key still works (and the
// user's grants are unchanged). Errors: AuthenticationFailed (the stream must end);
// InternalError.
func (s *Service) StaffEvents(ctx context.Context, p *Principal, after int64, chk *StreamCheck) (StaffEventBatch, error) {
	events, err := s.eventsAfter(ctx, after, EventBatchSize)
	if err != nil {
		return StaffEventBatch{}, s.internal(ctx, "events after", err)
	}
	out := StaffEventBatch{Next: after, More: len(events) == EventBatchSize}
	need := lastSeqByConversation(events)
	loadState := func(id int64) func() (any, error) {
		return func() (any, error) { return s.loadStaffEventState(context.WithoutCancel(ctx), id) }
	}
	var ids []int64 // the conversations of the events p may see, in event order
	listed := map[int64]bool{}
	for _, ev := range events {
		if ev.Kind != EventAccessEnded && p.CanSeeProperty(ev.PropertyID) && !listed[ev.ConversationID] {
			listed[ev.ConversationID] = true
			ids = append(ids, ev.ConversationID)
		}
	}
	s.prefetchStaffStates(ids, need, loadState)
	states := map[int64]*StaffConversation{}
	var subjects []AccessSubject // p's, once an access.ended event is read
	force := false
	for _, ev := range events {
		out.Next = ev.Seq
		if ev.Kind == EventAccessEnded {
			if subjects == nil {
				subjects = staffSubjects(p)
			}
			force = force || concerns(ev, subjects)
			continue
		}
		if !p.CanSeeProperty(ev.PropertyID) {
			continue
		}
		sc, seen := states[ev.ConversationID]
		if !seen {
			v, err := s.cachedState(stateKey{conversationID: ev.ConversationID, staff: true}, need[ev.ConversationID], loadState(ev.ConversationID))
			if err != nil {
				return StaffEventBatch{}, err
			}
			sc, _ = v.(*StaffConversation)
			if sc != nil && (!p.CanSeeProperty(sc.PropertyID) || !p.CanSeeServiceCenter(sc.ServiceCenter.ID, sc.PropertyID)) {
				sc = nil
			}
			states[ev.ConversationID] = sc
		}
		if sc == nil {
			continue
		}
		se := StaffEvent{Event: ev, ConversationCode: sc.Code}
		switch ev.Kind {
		case EventMessageCreated, EventMessageTranslated:
			if ev.MessageID == nil {
				continue
			}
			for i := len(sc.Messages) - 1; i >= 0; i-- {
				if sc.Messages[i].ID == *ev.MessageID {
					m := sc.Messages[i]
					se.Message = &m
					break
				}
			}
			if se.Message == nil {
				continue
			}
		case EventOrderUpdated:
			if sc.Order == nil {
				continue
			}
			se.Order = sc.Order
			se.Conversation = withoutMessages(sc)
		default:
			se.Conversation = withoutMessages(sc)
		}
		out.Events = append(out.Events, se)
	}
	if len(out.Events) > 0 || force {
		if err := s.staffStreamValid(ctx, p, chk, force); err != nil {
			return StaffEventBatch{}, err
		}
	}
	return out, nil
}

// statePrefetch bounds the conversation states a stream loads at once ahead of its events.
const statePrefetch = 4

// prefetchStaffStates starts loading the staff states of the conversations ids (through
// cachedState, so that streams share each load), at most statePrefetch at a time, and returns once the last
// load has started. A stream behind by many conversations (a staff stream that sees every
// event, under load) then waits for loads running side by side instead of one after the
// other: each load is a few reads that, on a busy server, wait for a reader connection and
// for the CPU, and a stream that loads in series falls behind the events for good.
func (s *Service) prefetchStaffStates(ids []int64, need map[int64]int64, load func(id int64) func() (any, error)) {
	if len(ids) < 2 {
		return
	}
	slots := make(chan struct{}, statePrefetch)
	for _, id := range ids {
		slots <- struct{}{}
		go func() {
			defer func() { <-slots }()
			_, _ = s.cachedState(stateKey{conversationID: id, staff: true}, need[id], load(id))
		}()
	}
}

// withoutMessages returns a copy of c without its messages.
func withoutMessages(c *StaffConversation) *StaffConversation {
	cp := *c
	cp.Messages = nil
	return &cp
}

// loadStaffEventState loads a conversation as staff see it, with its messages; nil when it
// is gone.
func (s *Service) loadStaffEventState(ctx context.Context, id int64) (*StaffConversation, error) {
	c, err := s.store.ConversationByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, s.internal(ctx, "conversation by id", err)
	}
	d, err := s.staffDetail(ctx, c)
	if err != nil {
		return nil, err
	}
	return s.staffConversation(ctx, d)
}

// Topic names of live streams (see live.Hub.Dispatch): a stream is woken by the events that
// share one of its topics. They only spare wake-ups: a stream still reads every event after
// its position and filters it itself, so a topic too broad costs time, never correctness.
func propertyTopic(id int64) string { return "p" + strconv.FormatInt(id, 10) }

func stayTopic(property, stay int64) string {
	return "p" + strconv.FormatInt(property, 10) + "/s" + strconv.FormatInt(stay, 10)
}

func guestTopic(property, guest int64) string {
	return "p" + strconv.FormatInt(property, 10) + "/g" + strconv.FormatInt(guest, 10)
}

// GuestEventTopics returns the topics of the events a guest stream of gs may deliver — those
// of the conversations of its stay or guest identity — and of the access.ended events that
// may end it.
func (s *Service) GuestEventTopics(gs *GuestSession) []string {
	var out []string
	for _, sub := range guestSubjects(gs) {
		out = append(out, string(sub))
	}
	if id := gs.Session.StayID; id != nil {
		out = append(out, stayTopic(gs.Property.ID, *id))
	}
	if id := gs.Session.GuestID; id != nil {
		out = append(out, guestTopic(gs.Property.ID, *id))
	}
	return out
}

// StaffEventTopics returns the topics of the events a staff stream of p may deliver — those of
// p's properties — and of the access.ended events that may end it; none (every event) for a
// principal who may see every property.
func (s *Service) StaffEventTopics(p *Principal) []string {
	if p == nil || p.Role == RoleAdmin {
		return nil
	}
	subjects := staffSubjects(p)
	out := make([]string, 0, len(p.PropertyIDs)+len(subjects))
	for _, sub := range subjects {
		out = append(out, string(sub))
	}
	for _, id := range p.PropertyIDs {
		out = append(out, propertyTopic(id))
	}
	return out
}

// EventTopics reads the events after position after (from the tail cache, up to
// EventBatchSize) and returns their topics — each event's property, and the stay and guest
// identity that own its conversation now; an access.ended event's subject — and the seq of
// the last event read (after when none). It is the live.Topics of the hub's dispatch. Errors: InternalError.
func (s *Service) EventTopics(ctx context.Context, after int64) ([]string, int64, error) {
	events, err := s.eventsAfter(ctx, after, EventBatchSize)
	if err != nil {
		return nil, after, s.internal(ctx, "events after", err)
	}
	next := after
	var out []string
	seen := map[int64]bool{}
	props := map[int64]bool{}
	for _, ev := range events {
		next = ev.Seq
		if ev.Kind == EventAccessEnded {
			out = append(out, ev.Subject)
			continue
		}
		if !props[ev.PropertyID] {
			props[ev.PropertyID] = true
			out = append(out, propertyTopic(ev.PropertyID))
		}
		if seen[ev.ConversationID] {
			continue
		}
		seen[ev.ConversationID] = true
		c, found, err := s.eventOwner(ctx, ev)
		if err != nil {
			return nil, after, s.internal(ctx, "conversation by id", err)
		}
		if !found {
			continue
		}
		if c.StayID != nil {
			out = append(out, stayTopic(c.PropertyID, *c.StayID))
		}
		if c.GuestID != nil {
			out = append(out, guestTopic(c.PropertyID, *c.GuestID))
		}
	}
	return out, next, nil
}
