package client

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"concierge/api"
)

// Event is one Server-Sent Event of a live stream (SPEC §6).
type Event struct {
	// ID is the event's position; resume after it with Last-Event-ID.
	ID string
	// Kind is the SSE event name: message.created, message.read, conversation.updated,
	// order.updated, or reload when the resume point is older than the kept log.
	Kind string
	// Data is the event's JSON.
	Data []byte
}

// Guest decodes a guest stream's event.
func (e Event) Guest() (api.GuestEvent, error) {
	var g api.GuestEvent
	err := json.Unmarshal(e.Data, &g)
	return g, err
}

// Staff decodes a staff stream's event.
func (e Event) Staff() (api.StaffEvent, error) {
	var s api.StaffEvent
	err := json.Unmarshal(e.Data, &s)
	return s, err
}

// EventStream reads the events of one open stream. Close it when done.
type EventStream struct {
	body   io.ReadCloser
	sc     *bufio.Scanner
	lastID string
}

// LastID is the ID of the last event read: where a new stream resumes.
func (s *EventStream) LastID() string { return s.lastID }

// Close ends the stream.
func (s *EventStream) Close() error { return s.body.Close() }

// Next returns the next event, skipping heartbeat comments. It returns io.EOF when the server
// ended the stream.
func (s *EventStream) Next() (Event, error) {
	var ev Event
	var data []string
	for s.sc.Scan() {
		line := s.sc.Text()
		switch {
		case line == "":
			if ev.Kind == "" && data == nil {
				continue // a comment block or stray blank line
			}
			ev.Data = []byte(strings.Join(data, "\n"))
			if ev.ID != "" {
				s.lastID = ev.ID
			}
			return ev, nil
		case strings.HasPrefix(line, ":"):
		case strings.HasPrefix(line, "id:"):
			ev.ID = strings.TrimSpace(strings.TrimPrefix(line, "id:"))
		case strings.HasPrefix(line, "event:"):
			ev.Kind = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
		case strings.HasPrefix(line, "data:"):
			data = append(data, strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " "))
		}
	}
	if err := s.sc.Err(); err != nil {
		return Event{}, err
	}
	return Event{}, io.EOF
}

// openStream opens an SSE stream at path; a refusal is an *Error read by failed.
func (t *transport) openStream(ctx context.Context, path string, query url.Values, header http.Header, lastID string, failed func(*response) error) (*EventStream, error) {
	u := t.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("concierge: %w", err)
	}
	for k, vs := range t.header {
		req.Header[k] = append([]string(nil), vs...)
	}
	for k, vs := range header {
		req.Header[k] = append([]string(nil), vs...)
	}
	req.Header.Set("Accept", "text/event-stream")
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	hc := *t.http
	hc.Timeout = 0 // a stream lasts as long as ctx
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("concierge: opening %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		return nil, failed(&response{status: resp.StatusCode, header: resp.Header, body: body})
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	return &EventStream{body: resp.Body, sc: sc, lastID: lastID}, nil
}

// Events opens the guest's live event stream, resuming after lastID when it is not empty.
func (g *Guest) Events(ctx context.Context, lastID string) (*EventStream, error) {
	var q url.Values
	var h http.Header
	if tok := g.Token(); tok != "" {
		if g.place == TokenInHeader {
			h = http.Header{"Authorization": {"Session " + tok}}
		} else {
			q = url.Values{"SessionToken": {tok}}
		}
	}
	return g.t.openStream(ctx, pathMessages+"/Events", q, h, lastID, func(r *response) error {
		var env api.Envelope
		if err := json.Unmarshal(r.body, &env); err != nil {
			return &Error{StatusCode: r.status, Message: snippet(r.body)}
		}
		for _, it := range env.Responses {
			for _, v := range it {
				return &Error{StatusCode: r.status, Code: v.AreaError, Message: v.Message, RetryAfter: retryAfter(r.header)}
			}
		}
		return &Error{StatusCode: r.status, Message: snippet(r.body)}
	})
}

// ErrStreamEnded is returned by WaitFor when the stream ends before a matching event.
var ErrStreamEnded = errors.New("concierge: the stream ended before the event")

// WaitFor reads events until match accepts one and returns it; io.EOF or a read error ends it.
func (s *EventStream) WaitFor(match func(Event) bool) (Event, error) {
	for {
		ev, err := s.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return Event{}, ErrStreamEnded
			}
			return Event{}, err
		}
		if match(ev) {
			return ev, nil
		}
	}
}
