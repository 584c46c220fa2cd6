package live

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
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
// the events it asked for are gone and it must reload its state. Topics are those of the
// events the stream may deliver (see Hub.Dispatch); none: it is woken by every event.
type Start struct {
	After  int64
	Reload bool
	Topics []string
	// Release, when set, is called once when the stream ends (a stream slot given back).
	Release func()
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
	// AllowOrigin reports whether a page of another origin (an Origin header) may open a
	// WebSocket; nil: only pages of the server's own origin may.
	AllowOrigin func(origin string) bool
	// Subprotocols are the WebSocket subprotocols the server selects from the client's offer.
	Subprotocols []string
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
// start.Release, when set, is called as Run returns. It returns src's error when src ended
// the stream, nil otherwise.
func Run(ctx context.Context, opts Options, api string, start Start, src Source, sink Sink) error {
	st := begin(ctx, opts, api, start, src, sink)
	defer st.end()
	if st.ok {
		st.loop(ctx)
	}
	return st.srcErr
}

// stream is a running stream: its position, subscription and heartbeat. begin runs it up to
// its first wait (the catch-up); loop runs the rest, possibly on another goroutine.
type stream struct {
	opts      Options
	api       string
	src       Source
	sink      Sink
	after     int64
	sub       *Subscription
	heartbeat *time.Ticker
	release   func()
	ok        bool  // the catch-up went well: loop may run
	srcErr    error // src's error, when src ended the stream
}

// begin opens a stream: metrics, subscription, the reload notice and the catch-up reads, up
// to the point where the stream would wait on the hub. Call end in any case.
func begin(ctx context.Context, opts Options, api string, start Start, src Source, sink Sink) *stream {
	opts = opts.withDefaults()
	st := &stream{opts: opts, api: api, src: src, sink: sink, after: start.After, release: start.Release}
	if m := opts.Metrics; m != nil {
		m.open.WithLabelValues(api).Inc()
	}
	// Subscribed before the first read: an event committed after it wakes the stream.
	st.sub = opts.Hub.Subscribe(start.Topics)
	st.heartbeat = time.NewTicker(opts.Heartbeat)
	var reload *Item
	if start.Reload {
		reload = &Item{Seq: st.after, Kind: "reload", Data: []byte(`{"kind":"reload"}`)}
	}
	if err := sink.Items(nil, reload); err != nil {
		return st
	}
	st.ok = st.catchUp(ctx)
	return st
}

// end releases what begin took.
func (st *stream) end() {
	st.heartbeat.Stop()
	st.sub.Close()
	if m := st.opts.Metrics; m != nil {
		m.open.WithLabelValues(st.api).Dec()
	}
	if st.release != nil {
		st.release()
	}
}

// catchUp reads and delivers batches until the stream has read every event it was told of;
// false when the stream must end.
func (st *stream) catchUp(ctx context.Context) bool {
	for {
		batch, err := st.src(ctx, st.after)
		if err != nil {
			st.srcErr = err
			if ctx.Err() == nil {
				st.opts.Logger.InfoContext(ctx, "event stream ended by its source", "api", st.api, "err", err)
			}
			return false
		}
		if len(batch.Items) > 0 {
			if err := st.sink.Items(batch.Items, nil); err != nil {
				st.opts.Logger.InfoContext(ctx, "event stream client too slow or gone", "api", st.api, "err", err)
				return false
			}
			if m := st.opts.Metrics; m != nil {
				m.delivered(st.api, batch.Items)
			}
		}
		st.after = max(st.after, batch.Next)
		if !batch.More {
			return true
		}
	}
}

// loop waits on the hub (sending heartbeats) and catches up at every wake-up, until the
// stream must end.
func (st *stream) loop(ctx context.Context) {
	for {
		select {
		case <-st.sub.After(st.after):
			if !st.catchUp(ctx) {
				return
			}
		case <-st.heartbeat.C:
			if err := st.sink.Ping(); err != nil {
				return
			}
		case <-st.opts.Hub.Done():
			return
		case <-ctx.Done():
			return
		}
	}
}

// ServeSSE streams events to the client as Server-Sent Events (see Run): each event is
// "id: <seq>", "event: <kind>", "data: <JSON>"; a heartbeat is the comment ": ping". A write
// the client does not accept within WriteTimeout ends the stream.
//
// On HTTP/1.x the connection is hijacked once the stream has caught up, and the stream goes
// on in a goroutine of its own with a small buffer, so that an idle stream costs two small
// goroutines (the stream and a one-byte reader that notices the client leaving) and its socket
// instead of net/http's connection goroutine, background reader and buffers. The response then
// ends with the connection (Connection: close, no chunking). start.Release is called when the
// stream ends, which may be after ServeSSE returns.
func ServeSSE(w http.ResponseWriter, r *http.Request, opts Options, api string, start Start, src Source) {
	opts = opts.withDefaults()
	rc := http.NewResponseController(w)
	if r.ProtoMajor == 1 {
		if conn, _, err := rc.Hijack(); err == nil {
			serveHijacked(r.Context(), conn, w.Header(), opts, api, start, src)
			return
		}
	}
	// The server's ReadTimeout would otherwise end the stream's context.
	_ = rc.SetReadDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	Run(r.Context(), opts, api, start, src, &sseSink{w: w, rc: rc, timeout: opts.WriteTimeout, first: true})
}

// serveHijacked writes the response head on a hijacked connection, catches the stream up on
// the handler's goroutine and hands the rest to a fresh one.
func serveHijacked(reqCtx context.Context, conn net.Conn, header http.Header, opts Options, api string, start Start, src Source) {
	_ = conn.SetReadDeadline(time.Time{})
	h := header.Clone()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	h.Set("Connection", "close")
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	h.Del("Content-Length")
	h.Del("Transfer-Encoding")
	var head bytes.Buffer
	head.WriteString("HTTP/1.1 200 OK\r\n")
	_ = h.Write(&head)
	head.WriteString("\r\n")
	// The request's context ends when the handler returns: the stream gets its own, ended
	// by the hub's close or the stream's end.
	ctx, cancel := context.WithCancel(context.WithoutCancel(reqCtx))
	sink := &connSink{conn: conn, timeout: opts.WriteTimeout, head: head.Bytes()}
	st := begin(ctx, opts, api, start, src, sink)
	if !st.ok {
		st.end()
		cancel()
		_ = conn.Close()
		return
	}
	// A client that goes away is noticed at once, and its stream slot given back, by a reader
	// waiting for the connection to close (an SSE client sends nothing after its request).
	go func() {
		var b [1]byte
		for {
			if _, err := conn.Read(b[:]); err != nil {
				cancel()
				return
			}
		}
	}()
	go func() {
		defer conn.Close()
		defer cancel()
		defer st.end()
		st.loop(ctx)
	}()
}

// connSink writes Server-Sent Events straight to a hijacked connection.
type connSink struct {
	conn     net.Conn
	timeout  time.Duration
	deadline time.Time // the write deadline set last
	head     []byte    // the response head, written with the first write
	buf      bytes.Buffer
}

func (s *connSink) write(b []byte) error {
	if now := time.Now(); s.deadline.Sub(now) < s.timeout-s.timeout/10 {
		if err := s.conn.SetWriteDeadline(now.Add(s.timeout)); err != nil {
			return err
		}
		s.deadline = now.Add(s.timeout)
	}
	_, err := s.conn.Write(b)
	return err
}

func (s *connSink) Items(items []Item, reload *Item) error {
	s.buf.Reset()
	if s.head != nil {
		s.buf.Write(s.head)
		s.buf.WriteString("retry: 2000\n\n")
		s.head = nil
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
	err := s.write(s.buf.Bytes())
	if s.buf.Cap() > 4096 {
		s.buf = bytes.Buffer{} // a large catch-up: do not keep its buffer while idle
	}
	return err
}

func (s *connSink) Ping() error { return s.write([]byte(": ping\n\n")) }

// sseSink writes Server-Sent Events to a response.
type sseSink struct {
	w        http.ResponseWriter
	rc       *http.ResponseController
	timeout  time.Duration
	deadline time.Time // the write deadline set last
	buf      bytes.Buffer
	first    bool
}

func (s *sseSink) write(b []byte) error {
	// Moving the deadline costs about as much as the write: it is moved only once a tenth of
	// the timeout has passed since, so a write still gets between 90% and 100% of it.
	if now := time.Now(); s.deadline.Sub(now) < s.timeout-s.timeout/10 {
		if err := s.rc.SetWriteDeadline(now.Add(s.timeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return err
		}
		s.deadline = now.Add(s.timeout)
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
