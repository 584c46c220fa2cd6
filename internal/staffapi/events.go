package staffapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"concierge/api"
	"concierge/internal/concierge"
	"concierge/internal/live"
)

// Options configures the staff API's live events.
type Options struct {
	// Events configures the live event streams; a nil Hub turns them off.
	Events live.Options
	// Streams caps the open event streams per staff login or API key; nil: unlimited.
	Streams *live.StreamLimit
}

// eventOf renders the data of a staff event (SPEC §6): kind, conversationCode and the changed
// object in the staff shapes of the conversation routes.
func eventOf(e concierge.StaffEvent) api.StaffEvent {
	out := api.StaffEvent{Kind: string(e.Kind), ConversationCode: e.ConversationCode}
	if e.Message != nil {
		m := messageOf(*e.Message)
		out.Message = &m
	}
	if e.Conversation != nil {
		c := conversationOf(e.Conversation)
		out.Conversation = &c
	}
	if e.Order != nil {
		out.Order = &api.OrderRef{Code: e.Order.Code, Status: string(e.Order.Status)}
	}
	return out
}

// streamKey names the credential whose streams are counted together.
func streamKey(p *concierge.Principal) string {
	switch {
	case p.Session != nil:
		return "u" + strconv.FormatInt(p.Session.ID, 10)
	case p.APIKey != nil:
		return "k" + strconv.FormatInt(p.APIKey.ID, 10)
	}
	return "?"
}

// openStream checks that streams are on, resolves the resume point and takes a stream slot
// of the caller. On failure it has answered the error and returns ok false.
func (h *Handler) openStream(w http.ResponseWriter, r *http.Request, p *concierge.Principal) (start concierge.EventStart, release func(), ok bool) {
	if h.opts.Events.Hub == nil {
		h.fail(w, r, concierge.Errorf(concierge.CodeRouteNotFound, "Live events are not enabled."))
		return start, nil, false
	}
	start, err := h.svc.OpenStaffEvents(r.Context(), p, live.LastEventID(r))
	if err != nil {
		h.fail(w, r, err)
		return start, nil, false
	}
	release = func() {}
	if h.opts.Streams != nil {
		var got bool
		if release, got = h.opts.Streams.Acquire(streamKey(p)); !got {
			h.fail(w, r, &concierge.Error{Code: concierge.CodeRateLimited, RetryAfter: 5 * time.Second,
				Message: "Too many event streams are open for this login."})
			return start, nil, false
		}
	}
	return start, release, true
}

// source reads the caller's events, rendered as JSON.
func (h *Handler) source(p *concierge.Principal) live.Source {
	var chk concierge.StreamCheck // the principal was authenticated before: the first delivery checks
	return func(ctx context.Context, after int64) (live.Batch, error) {
		b, err := h.svc.StaffEvents(ctx, p, after, &chk)
		if concierge.ErrorCode(err) == concierge.CodeAuthenticationFailed {
			return live.Batch{}, fmt.Errorf("%w: %w", live.ErrCredentialEnded, err)
		}
		if err != nil {
			return live.Batch{}, err
		}
		out := live.Batch{Next: b.Next, More: b.More, Items: make([]live.Item, 0, len(b.Events))}
		for _, e := range b.Events {
			// The rendering depends on the event only, not on who reads it.
			data, err := h.rendered.Get(live.DataKey{Seq: e.Seq}, func() ([]byte, error) {
				return json.Marshal(eventOf(e))
			})
			if err != nil {
				return live.Batch{}, err
			}
			out.Items = append(out.Items, live.Item{Seq: e.Seq, Kind: string(e.Kind), Data: data, CreatedAt: e.CreatedAt})
		}
		return out, nil
	}
}

// events streams the caller's live events as Server-Sent Events (GET /api/v1/events): the
// events of the conversations the caller may see, Notes included. Resume with the
// Last-Event-ID header or the lastEventId query parameter. Failures before the stream starts:
// ValidationFailed (lastEventId), RateLimited (too many streams of this login).
func (h *Handler) events(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	start, release, ok := h.openStream(w, r, p)
	if !ok {
		return
	}
	// The stream gives its slot back when it ends (it may outlive this call).
	live.ServeSSE(w, r, h.opts.Events, "staff_sse", live.Start{After: start.After, Reload: start.Reload,
		Topics: h.svc.StaffEventTopics(p), Release: release}, h.source(p))
}

// eventsWebSocket streams the caller's live events on a WebSocket (GET /api/v1/events/ws):
// the events of /api/v1/events, each a text message {id, kind, data}. Resume with the
// lastEventId query parameter (or the Last-Event-ID header). Failures before the upgrade are
// those of events.
func (h *Handler) eventsWebSocket(w http.ResponseWriter, r *http.Request, p *concierge.Principal) {
	start, release, ok := h.openStream(w, r, p)
	if !ok {
		return
	}
	defer release()
	opts := h.opts.Events
	opts.Subprotocols = []string{EventsSubprotocol}
	live.ServeWebSocket(w, r, opts, "staff_ws", live.Start{After: start.After, Reload: start.Reload,
		Topics: h.svc.StaffEventTopics(p)}, h.source(p))
}
