package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"concierge/internal/pgtest"
)

// Benchmarks of several nodes on one PostgreSQL database (docs/benchmarks.md): each node is
// the built binary in a child process (`serve` with the demo data, no rate limits, warn
// logging), so the client in this process does not share the nodes' CPU accounting. They
// always use PostgreSQL, whatever CONCIERGE_TEST_ENGINE says.

// benchNodeEnv is the nodes' environment: no limits, little logging.
var benchNodeEnv = []string{
	"CONCIERGE_RATE_ADDRESS=0", "CONCIERGE_RATE_SESSION=0", "CONCIERGE_RATE_INTERFACE_TOKEN=0",
	"CONCIERGE_EVENT_STREAMS_PER_SESSION=0", "CONCIERGE_LOG_LEVEL=warn",
}

// startBenchNodes starts n nodes on one fresh PostgreSQL database; the first loads the demo data.
func startBenchNodes(b *testing.B, bin string, n int) []*server {
	db := pgtest.NewDatabase(b)
	nodes := []*server{startNode(b, bin, db, benchNodeEnv, "--demo")}
	for len(nodes) < n {
		nodes = append(nodes, startNode(b, bin, db, benchNodeEnv))
	}
	return nodes
}

// BenchmarkNodesCreateConversation is BenchmarkCreateConversation on PostgreSQL with one and
// with two nodes: GOMAXPROCS client goroutines post new conversations of the four demo guests,
// spreading the requests over the nodes in turn.
func BenchmarkNodesCreateConversation(b *testing.B) {
	bin := buildBinary(b)
	for _, n := range []int{1, 2} {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			nodes := startBenchNodes(b, bin, n)
			bodies := make([][]byte, len(demoGuests))
			for i, g := range demoGuests {
				tok := nodes[i%n].loginRoom(b, g.room, g.lastName)
				body, err := json.Marshal(map[string]any{"SessionToken": tok, "ConversationType": "guest",
					"Message": "Could you bring two more towels to the room, please?"})
				if err != nil {
					b.Fatal(err)
				}
				bodies[i] = body
			}
			client := benchClient(b)
			for _, s := range nodes { // warm each node's connections, untimed
				if !postOK(b, client, s.URL+pathCreate, bodies[0]) {
					b.FailNow()
				}
			}
			var next atomic.Uint64
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := int(next.Add(1))
					if !postOK(b, client, nodes[i%n].URL+pathCreate, bodies[i%len(bodies)]) {
						return
					}
				}
			})
			b.StopTimer()
			reportRate(b)
		})
	}
}

// BenchmarkNodesPostToDelivery measures post-to-delivery latency on PostgreSQL: a guest's
// message is posted on the first node while the guest's event stream is open on the last
// node (with two nodes, the event crosses nodes through LISTEN/NOTIFY). One iteration posts
// one message and waits for it on the stream; p50 and p99 are reported.
func BenchmarkNodesPostToDelivery(b *testing.B) {
	bin := buildBinary(b)
	for _, n := range []int{1, 2} {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			nodes := startBenchNodes(b, bin, n)
			writer, reader := nodes[0], nodes[n-1]
			c := &http.Client{Timeout: 30 * time.Second}
			ana := writer.loginRoom(b, "101", "Garcia")
			env := benchPost(b, c, writer.URL+pathCreate, map[string]any{"SessionToken": ana, "OutletCode": "FRONTDESK", "Message": "start"})
			conv := env["responses"].([]any)[0].(map[string]any)["createConversationResponse"].(map[string]any)["content"].(map[string]any)["conversation"].(map[string]any)["code"].(string)

			conn, resp := openRawStream(b, strings.TrimPrefix(reader.URL, "http://"), ana)
			b.Cleanup(func() { conn.Close() })
			arrived := make(chan string, 16)
			go func() {
				sc := bufio.NewScanner(resp.Body)
				for sc.Scan() {
					line := sc.Text()
					i := strings.Index(line, `"content":"bench-`)
					if !strings.HasPrefix(line, "data: ") || i < 0 {
						continue
					}
					key := line[i+len(`"content":"`):]
					arrived <- key[:strings.IndexByte(key, '"')]
				}
				close(arrived)
			}()
			post := func(key string) time.Duration {
				start := time.Now()
				benchPost(b, c, writer.URL+pathCreate+"/"+conv+"/Messages", map[string]any{"SessionToken": ana, "Message": key})
				for {
					select {
					case got, ok := <-arrived:
						if !ok {
							b.Fatal("the stream ended")
						}
						if got == key {
							return time.Since(start)
						}
					case <-time.After(10 * time.Second):
						b.Fatalf("%s not delivered within 10 s", key)
					}
				}
			}
			post("bench-warmup") // untimed: the first delivery grows the stream's buffers
			var lat []time.Duration
			for i := 0; b.Loop(); i++ {
				lat = append(lat, post(fmt.Sprintf("bench-%d", i)))
			}
			slices.Sort(lat)
			if len(lat) > 0 {
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			}
		})
	}
}
