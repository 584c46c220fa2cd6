package live

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A client that stops reading is disconnected once a write waits longer than WriteTimeout,
// without holding up the writer of the events.
func TestServeSSEDisconnectsSlowClient(t *testing.T) {
	t.Parallel()
	hub := NewHub(0)
	big := bytes.Repeat([]byte("x"), 64<<10)
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		var seq int64
		ServeSSE(w, r, Options{Hub: hub, WriteTimeout: 200 * time.Millisecond}, "test", Start{},
			func(ctx context.Context, after int64) (Batch, error) {
				seq++
				return Batch{Items: []Item{{Seq: seq, Kind: "k", Data: big}}, Next: seq, More: true}, nil
			})
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	// Read the first event, then stop reading.
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "retry: ") {
		t.Fatalf("first line %q, %v", line, err)
	}
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the stream of a client that does not read was not ended")
	}
	hub.Notify(1) // never blocks
}

// Heartbeats go out while nothing happens; a notification delivers; closing the hub ends the
// stream.
func TestServeSSEHeartbeatAndClose(t *testing.T) {
	t.Parallel()
	hub := NewHub(0)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ServeSSE(w, r, Options{Hub: hub, Heartbeat: 20 * time.Millisecond}, "test", Start{After: 0, Reload: true},
			func(ctx context.Context, after int64) (Batch, error) {
				if n := hub.Latest(); n > after {
					return Batch{Items: []Item{{Seq: n, Kind: "k", Data: []byte(`{"a":1}`)}}, Next: n}, nil
				}
				return Batch{Next: after}, nil
			})
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	want := []string{"retry: 2000", "", "id: 0", "event: reload", `data: {"kind":"reload"}`, "", ": ping"}
	for i, w := range want {
		if !sc.Scan() || sc.Text() != w {
			t.Fatalf("line %d = %q, want %q", i, sc.Text(), w)
		}
	}
	hub.Notify(7)
	for sc.Scan() && sc.Text() != "id: 7" {
	}
	for _, w := range []string{"event: k", `data: {"a":1}`} {
		if !sc.Scan() || sc.Text() != w {
			t.Fatalf("got %q, want %q", sc.Text(), w)
		}
	}
	hub.Close()
	for sc.Scan() {
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("stream did not end cleanly: %v", err)
	}
}
