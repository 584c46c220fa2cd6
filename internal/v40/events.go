package v40

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

// itemEvents names failures of the event stream call (before the stream starts).
const itemEvents = api.ItemGetEvents

// eventShapeOf renders the data of a guest event (SPEC §6): kind, conversationCode and the
// changed object in the guest wire shape of SPEC §4.2.
func eventShapeOf(e concierge.GuestEvent) api.GuestEvent {
	out := api.GuestEvent{Kind: string(e.Kind), ConversationCode: e.ConversationCode}
	if e.Message != nil {
		m := messageShapeOf(*e.Message)
		out.Message = &m
	}
	if e.Conversation != nil {
		c := conversationListShapeOf(*e.Conversation)
		out.Conversation = &c
	}
	if e.Order != nil {
		out.Order = &api.OrderRef{Code: e.Order.Code, Status: string(e.Order.Status)}
	}
	return out
}

// events streams the session guest's live events as Server-Sent Events
// (GET API/V40/Interactive/Messages/Events; SPEC §4.4, §6). Failures before the stream starts
// answer in the envelope: the session's (IdentityToken*, GuestNotVerified), ValidationFailed
// for a bad LastEventId, RateLimited when the session has too many streams open.
func (h *Handler) events(w http.ResponseWriter, r *http.Request) {
	chk := h.svc.NewStreamCheck() // before authenticating: the authentication is the first check
	q, err := readParams(w, r)
	if err != nil {
		h.failEarly(w, r, itemEvents, sentToken(r), err)
		return
	}
	gs, err := h.authenticate(r, q.token())
	if err != nil {
		writeFailure(w, r, tokenOf(gs), itemEvents, err)
		return
	}
	if h.opts.Events.Hub == nil {
		writeFailure(w, r, gs.Token, itemEvents, concierge.Errorf(concierge.CodeRouteNotFound, "Live events are not enabled."))
		return
	}
	start, err := h.svc.OpenGuestEvents(r.Context(), gs, live.LastEventID(r), &chk)
	if err != nil {
		writeFailure(w, r, gs.Token, itemEvents, err)
		return
	}
	var release func() // the stream gives its slot back when it ends (it may outlive this call)
	if h.opts.Streams != nil {
		var ok bool
		release, ok = h.opts.Streams.Acquire("s" + strconv.FormatInt(gs.Session.ID, 10))
		if !ok {
			writeFailure(w, r, gs.Token, itemEvents, &concierge.Error{Code: concierge.CodeRateLimited,
				RetryAfter: 5 * time.Second, Message: "Too many event streams are open for this session."})
			return
		}
	}
	live.ServeSSE(w, r, h.opts.Events, "guest", live.Start{After: start.After, Reload: start.Reload,
		Topics: h.svc.GuestEventTopics(gs), Release: release},
		func(ctx context.Context, after int64) (live.Batch, error) {
			b, err := h.svc.GuestEvents(ctx, gs, after, &chk)
			if concierge.ErrorCode(err) == concierge.CodeIdentityTokenExpired {
				return live.Batch{}, fmt.Errorf("%w: %w", live.ErrCredentialEnded, err)
			}
			if err != nil {
				return live.Batch{}, err
			}
			out := live.Batch{Next: b.Next, More: b.More, Items: make([]live.Item, 0, len(b.Events))}
			for _, e := range b.Events {
				// The rendering depends on the event and the property's HideStaffNames only.
				variant := "p" + strconv.FormatInt(gs.Property.ID, 10) + strconv.FormatBool(gs.Property.HideStaffNames)
				data, err := h.rendered.Get(live.DataKey{Seq: e.Seq, Variant: variant}, func() ([]byte, error) {
					return json.Marshal(eventShapeOf(e))
				})
				if err != nil {
					return live.Batch{}, err
				}
				out.Items = append(out.Items, live.Item{Seq: e.Seq, Kind: string(e.Kind), Data: data, CreatedAt: e.CreatedAt})
			}
			return out, nil
		})
}
