package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// liveMarker starts the text of every message whose delivery is timed: "lt-<run>-<n>", where n
// indexes the time it was posted.
const liveMarker = "lt-"

// Streams is a set of open SSE event streams (guest and staff) that time the delivery of the
// messages posted through Posted.
type Streams struct {
	run   string // unique per run, so that old messages are never timed
	conns []net.Conn

	mu     sync.Mutex
	posted []time.Time // by n

	rec        *Recorder // where delivery latencies go (op "delivery")
	delivered  atomic.Int64
	open       atomic.Int64
	readErrors atomic.Int64
	wg         sync.WaitGroup
}

// NewStreams returns an empty set whose delivery latencies go to rec (swap it with SetRecorder).
func NewStreams() *Streams {
	return &Streams{run: strconv.FormatInt(time.Now().UnixNano()%1e9, 36)}
}

// Message returns the text of a timed message and records now as its post time.
func (s *Streams) Message() string {
	s.mu.Lock()
	n := len(s.posted)
	s.posted = append(s.posted, time.Now())
	s.mu.Unlock()
	return fmt.Sprintf("%s%s-%d please", liveMarker, s.run, n)
}

// SetRecorder sends the next deliveries' latencies to rec (nil: not recorded).
func (s *Streams) SetRecorder(rec *Recorder) {
	s.mu.Lock()
	s.rec = rec
	s.mu.Unlock()
}

// Open opens a stream at path (guest: ?SessionToken=…, staff: Authorization) on its own
// connection to the server at base, and reads it on a goroutine until Close.
func (s *Streams) Open(ctx context.Context, base, guestToken, staffToken string) error {
	u, err := url.Parse(base)
	if err != nil {
		return err
	}
	d := net.Dialer{Timeout: 10 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", u.Host)
	if err != nil {
		return err
	}
	path := pathStaffEvents
	if guestToken != "" {
		path = pathGuestEvents + "?SessionToken=" + url.QueryEscape(guestToken)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if staffToken != "" {
		req.Header.Set("Authorization", "Bearer "+staffToken)
	}
	req.Header.Set("Accept", "text/event-stream")
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	if err := req.Write(conn); err != nil {
		conn.Close()
		return err
	}
	br := bufio.NewReaderSize(conn, 2048)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		conn.Close()
		return err
	}
	if resp.StatusCode != http.StatusOK {
		conn.Close()
		msg := path
		if resp.StatusCode == http.StatusTooManyRequests {
			msg += " (the server caps streams per session or login: start it with --event-streams-per-session 0)"
		}
		return &callError{kind: fmt.Sprintf("stream_http_%d", resp.StatusCode), msg: msg}
	}
	_ = conn.SetDeadline(time.Time{})
	s.mu.Lock()
	s.conns = append(s.conns, conn)
	s.mu.Unlock()
	s.open.Add(1)
	s.wg.Go(func() {
		defer s.open.Add(-1)
		s.read(bufio.NewReaderSize(resp.Body, 2048))
	})
	return nil
}

// read times every data line carrying a timed message of this run.
func (s *Streams) read(r *bufio.Reader) {
	marker := []byte(liveMarker + s.run + "-")
	inData := false // the previous fragment was the start of a data line longer than the buffer
	for {
		line, err := r.ReadSlice('\n')
		if err != nil && err != bufio.ErrBufferFull {
			if !strings.Contains(err.Error(), "closed") && err.Error() != "EOF" {
				s.readErrors.Add(1)
			}
			return
		}
		data := inData || bytes.HasPrefix(line, []byte("data:"))
		inData = data && err == bufio.ErrBufferFull
		if !data {
			continue
		}
		at := time.Now()
		n, ok := timedIndex(line, marker)
		if !ok {
			continue
		}
		s.mu.Lock()
		rec := s.rec
		var posted time.Time
		if n < len(s.posted) {
			posted = s.posted[n]
		}
		s.mu.Unlock()
		if posted.IsZero() {
			continue
		}
		s.delivered.Add(1)
		if rec != nil && !posted.Before(rec.start) { // posted during the warm-up: not timed
			rec.Sample("delivery", at.Sub(posted))
		}
	}
}

// timedIndex returns n of the first "<marker><n>" in line, where n is a decimal int.
func timedIndex(line, marker []byte) (int, bool) {
	i := bytes.Index(line, marker)
	if i < 0 || len(marker) == 0 {
		return 0, false
	}
	rest := line[i+len(marker):]
	j := 0
	for j < len(rest) && j < 9 && rest[j] >= '0' && rest[j] <= '9' {
		j++
	}
	n, err := strconv.Atoi(string(rest[:j]))
	return n, err == nil
}

// Count returns the number of streams open now.
func (s *Streams) Count() int { return int(s.open.Load()) }

// Close closes every stream and waits for their readers.
func (s *Streams) Close() {
	s.mu.Lock()
	for _, c := range s.conns {
		c.Close()
	}
	s.conns = nil
	s.mu.Unlock()
	s.wg.Wait()
}

// OpenStreams opens guest streams spread over the rooms (stream i belongs to room i mod
// len(rooms)) and staff streams with the staff token, from a few goroutines.
func OpenStreams(ctx context.Context, s *Streams, base string, f *Fixture, guest, staff int) error {
	return parallel(ctx, guest+staff, 32, func(i int) error {
		if i < staff {
			return s.Open(ctx, base, "", f.StaffToken)
		}
		return s.Open(ctx, base, f.Rooms[(i-staff)%len(f.Rooms)].Token, "")
	})
}
