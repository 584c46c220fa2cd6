package live

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Item is one event as a stream delivers it: its seq (the SSE id), kind (the SSE event name),
// data (one line of JSON) and the time it was written (for the delivery-lag metric).
type Item struct {
	Seq       int64
	Kind      string
	Data      []byte
	CreatedAt time.Time
}

// Batch is a read of a Source: the items the client may see, in seq order, and the position
// the read reached (the seq of the last event read, visible to this client or not). More says
// that more events may follow at once (the read was cut at its limit).
type Batch struct {
	Items []Item
	Next  int64
	More  bool
}

// Source reads the events after position after that a stream's client may see.
type Source func(ctx context.Context, after int64) (Batch, error)

// Start is where a stream begins: after position After; Reload tells the client first that
// the events it asked for are gone and it must reload its state.
type Start struct {
	After  int64
	Reload bool
}

// Options configure streams.
type Options struct {
	Hub *Hub // required
	// Heartbeat is the interval of the ": ping" comment; default 15 s.
	Heartbeat time.Duration
	// WriteTimeout disconnects a client that takes longer to accept a write; default 10 s.
	WriteTimeout time.Duration
	Metrics      *Metrics     // nil: no metrics
	Logger       *slog.Logger // nil: discard
}

func (o Options) withDefaults() Options {
	if o.Heartbeat <= 0 {
		o.Heartbeat = 15 * time.Second
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// LastEventID returns the resume point a client sent: the Last-Event-ID header, else the
// LastEventId query parameter (any case); "" when neither.
func LastEventID(r *http.Request) string {
	if v := strings.TrimSpace(r.Header.Get("Last-Event-ID")); v != "" {
		return v
	}
	for k, vs := range r.URL.Query() {
		if strings.EqualFold(k, "lastEventId") && len(vs) > 0 {
			return strings.TrimSpace(vs[0])
		}
	}
	return ""
}

// Sink is where a stream writes: an SSE response or a WebSocket connection.
type Sink interface {
	// Items writes a batch of events (and a reload notice first when reload is not nil);
	// an error ends the stream.
	Items(items []Item, reload *Item) error
	// Ping writes a heartbeat; an error ends the stream.
	Ping() error
}

// Run delivers every item after start.After to sink, in order, reading batches from src until
// caught up and then waiting on the hub, so that nothing is skipped or repeated while events
// are committed. It returns when ctx ends, the hub closes (shutdown), src fails (the
// credential ended, or a store failure, which src logs itself) or a
// write fails (a client gone or too slow: it reconnects and resumes). api labels the metrics.
func Run(ctx context.Context, opts Options, api string, start Start, src Source, sink Sink) {
	opts = opts.withDefaults()
	if m := opts.Metrics; m != nil {
		m.open.WithLabelValues(api).Inc()
		defer m.open.WithLabelValues(api).Dec()
	}
	after := start.After
	var reload *Item
	if start.Reload {
		reload = &Item{Seq: after, Kind: "reload", Data: []byte(`{"kind":"reload"}`)}
	}
	if err := sink.Items(nil, reload); err != nil {
		return
	}
	heartbeat := time.NewTicker(opts.Heartbeat)
	defer heartbeat.Stop()
	for {
		batch, err := src(ctx, after)
		if err != nil {
			if ctx.Err() == nil {
				opts.Logger.InfoContext(ctx, "event stream ended by its source", "api", api, "err", err)
			}
			return
		}
		if len(batch.Items) > 0 {
			if err := sink.Items(batch.Items, nil); err != nil {
				opts.Logger.InfoContext(ctx, "event stream client too slow or gone", "api", api, "err", err)
				return
			}
			if m := opts.Metrics; m != nil {
				m.delivered(api, batch.Items)
			}
		}
		after = max(after, batch.Next)
		if batch.More {
			continue
		}
	wait:
		for {
			select {
			case <-opts.Hub.After(after):
				break wait
			case <-heartbeat.C:
				if err := sink.Ping(); err != nil {
					return
				}
			case <-opts.Hub.Done():
				return
			case <-ctx.Done():
				return
			}
		}
	}
}

// ServeSSE streams events to the client as Server-Sent Events (see Run): each event is
// "id: <seq>", "event: <kind>", "data: <JSON>"; a heartbeat is the comment ": ping". A write
// the client does not accept within WriteTimeout ends the stream.
func ServeSSE(w http.ResponseWriter, r *http.Request, opts Options, api string, start Start, src Source) {
	opts = opts.withDefaults()
	rc := http.NewResponseController(w)
	// The server's ReadTimeout would otherwise end the stream's context.
	_ = rc.SetReadDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	Run(r.Context(), opts, api, start, src, &sseSink{w: w, rc: rc, timeout: opts.WriteTimeout, first: true})
}

// sseSink writes Server-Sent Events to a response.
type sseSink struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
	buf     bytes.Buffer
	first   bool
}

func (s *sseSink) write(b []byte) error {
	if err := s.rc.SetWriteDeadline(time.Now().Add(s.timeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	if _, err := s.w.Write(b); err != nil {
		return err
	}
	return s.rc.Flush()
}

func (s *sseSink) Items(items []Item, reload *Item) error {
	s.buf.Reset()
	if s.first {
		s.buf.WriteString("retry: 2000\n\n")
		s.first = false
	}
	if reload != nil {
		writeItem(&s.buf, *reload)
	}
	for _, it := range items {
		writeItem(&s.buf, it)
	}
	if s.buf.Len() == 0 {
		return nil
	}
	return s.write(s.buf.Bytes())
}

func (s *sseSink) Ping() error { return s.write([]byte(": ping\n\n")) }

// writeItem appends one SSE event to buf. Data must be one line (JSON without newlines).
func writeItem(buf *bytes.Buffer, it Item) {
	buf.WriteString("id: ")
	buf.WriteString(strconv.FormatInt(it.Seq, 10))
	buf.WriteString("\nevent: ")
	buf.WriteString(it.Kind)
	buf.WriteString("\ndata: ")
	buf.Write(bytes.ReplaceAll(it.Data, []byte("\n"), nil))
	buf.WriteString("\n\n")
}
