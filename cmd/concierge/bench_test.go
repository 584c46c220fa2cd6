package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// Benchmarks of the guest API over real loopback HTTP against the real program (`run` with the
// demo data and its SQLite store, synchronous=FULL). Rate limits are off so that the server,
// not the limiter, is measured. Allocation figures count the whole process: client, server
// and store. See docs/benchmarks.md for results and how to run them.

// benchServer starts the demo server with every rate limit disabled.
func benchServer(b *testing.B) *server {
	b.Helper()
	return startServer(b, serverOptions{demo: true, env: map[string]string{
		"CONCIERGE_RATE_ADDRESS":         "0",
		"CONCIERGE_RATE_SESSION":         "0",
		"CONCIERGE_RATE_INTERFACE_TOKEN": "0",
	}})
}

// benchClient is an HTTP client whose connection pool fits every goroutine of RunParallel,
// so that the benchmark measures requests, not TCP handshakes.
func benchClient(b *testing.B) *http.Client {
	conns := 4 * runtime.GOMAXPROCS(0)
	tr := &http.Transport{
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	b.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// demoGuests are the current demo stays (SPEC §11).
var demoGuests = []struct{ room, lastName string }{
	{"101", "Garcia"}, {"102", "Smith"}, {"103", "Müller"}, {"104", "Dubois"},
}

// postOK posts body to url and reports whether the answer was HTTP 200 with status Success.
func postOK(b *testing.B, c *http.Client, url string, body []byte) bool {
	resp, err := c.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		b.Error(err)
		return false
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		b.Error(err)
		return false
	}
	if resp.StatusCode != http.StatusOK || !bytes.Contains(raw, []byte(`"status":"Success"`)) {
		b.Errorf("HTTP %d: %s", resp.StatusCode, raw)
		return false
	}
	return true
}

// reportRate adds requests per second to the benchmark's results.
func reportRate(b *testing.B) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, "req/s")
	}
}

// BenchmarkCreateConversation posts `POST API/V40/Interactive/Messages/Conversations` with a
// message, from verified sessions of the four demo guests, in parallel. Each request writes a
// conversation, its first message and an event in one transaction.
func BenchmarkCreateConversation(b *testing.B) {
	s := benchServer(b)
	bodies := make([][]byte, len(demoGuests))
	for i, g := range demoGuests {
		tok := s.loginRoom(b, g.room, g.lastName)
		body, err := json.Marshal(map[string]any{
			"SessionToken":     tok,
			"Message":          "Could you bring two more towels to the room, please?",
			"ConversationType": "guest",
		})
		if err != nil {
			b.Fatal(err)
		}
		bodies[i] = body
	}
	postInParallel(b, s.URL+pathCreate, bodies)
}

// postInParallel posts the bodies in turn from GOMAXPROCS goroutines and reports the rate.
// One call is made first, untimed, to warm the connection pool and check that it works.
func postInParallel(b *testing.B, url string, bodies [][]byte) {
	client := benchClient(b)
	if !postOK(b, client, url, bodies[0]) {
		b.FailNow()
	}
	var next atomic.Uint64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(next.Add(1))
		for pb.Next() {
			if !postOK(b, client, url, bodies[i%len(bodies)]) {
				return
			}
			i++
		}
	})
	b.StopTimer()
	reportRate(b)
}

// BenchmarkInitialiseByRoom posts `POST API/V40/System/Session/InitialiseByRoom` for the four
// demo guests in turn, in parallel. Each request verifies the guest against the current stays
// and writes a new session.
func BenchmarkInitialiseByRoom(b *testing.B) {
	s := benchServer(b)
	bodies := make([][]byte, len(demoGuests))
	for i, g := range demoGuests {
		body, err := json.Marshal(map[string]any{
			"PropertyCode":   "DEMO",
			"InterfaceToken": demoToken,
			"RoomNumber":     g.room,
			"LastName":       g.lastName,
		})
		if err != nil {
			b.Fatal(err)
		}
		bodies[i] = body
	}
	postInParallel(b, s.URL+pathInitRoom, bodies)
}
