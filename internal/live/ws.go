package live

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/coder/websocket"
)

// wsMessage is one event on a WebSocket: a JSON text message {id, kind, data}.
type wsMessage struct {
	ID   int64           `json:"id"`
	Kind string          `json:"kind"`
	Data json.RawMessage `json:"data"`
}

// ServeWebSocket upgrades the request to a WebSocket and streams events on it (see Run), one
// text message {id, kind, data} per event, with the data of the SSE stream; heartbeats are
// WebSocket pings. Messages from the client are ignored. A write the client does not accept
// within WriteTimeout ends the stream; so does shutdown (close status 1001, going away), and
// the end of the credential (close status 1008, policy violation: see ErrCredentialEnded).
// Pages of other origins may connect when opts.AllowOrigin allows theirs; the server selects
// the first of opts.Subprotocols the client offers.
func ServeWebSocket(w http.ResponseWriter, r *http.Request, opts Options, api string, start Start, src Source) {
	opts = opts.withDefaults()
	_ = http.NewResponseController(w).SetReadDeadline(time.Time{})
	accept := &websocket.AcceptOptions{Subprotocols: opts.Subprotocols}
	if origin := r.Header.Get("Origin"); origin != "" && opts.AllowOrigin != nil && opts.AllowOrigin(origin) {
		accept.InsecureSkipVerify = true // an allowed origin (CORS); others get the same-origin check
	}
	c, err := websocket.Accept(w, r, accept)
	if err != nil {
		return // Accept has answered the client
	}
	defer c.CloseNow()
	ctx := c.CloseRead(r.Context())
	err = Run(ctx, opts, api, start, src, &wsSink{ctx: ctx, c: c, timeout: opts.WriteTimeout})
	select {
	case <-opts.Hub.Done():
		_ = c.Close(websocket.StatusGoingAway, "server shutting down")
	default:
		if errors.Is(err, ErrCredentialEnded) {
			_ = c.Close(websocket.StatusPolicyViolation, "credential ended")
			return
		}
		_ = c.Close(websocket.StatusNormalClosure, "")
	}
}

// wsSink writes events as WebSocket text messages.
type wsSink struct {
	ctx     context.Context
	c       *websocket.Conn
	timeout time.Duration
}

func (s *wsSink) send(it Item) error {
	b, err := json.Marshal(wsMessage{ID: it.Seq, Kind: it.Kind, Data: it.Data})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(s.ctx, s.timeout)
	defer cancel()
	return s.c.Write(ctx, websocket.MessageText, b)
}

func (s *wsSink) Items(items []Item, reload *Item) error {
	if reload != nil {
		if err := s.send(*reload); err != nil {
			return err
		}
	}
	for _, it := range items {
		if err := s.send(it); err != nil {
			return err
		}
	}
	return nil
}

func (s *wsSink) Ping() error {
	ctx, cancel := context.WithTimeout(s.ctx, s.timeout)
	defer cancel()
	return s.c.Ping(ctx)
}
