package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkEventStreams measures live events with many open guest SSE streams on loopback:
// post-to-delivery latency (p50, p99) and the server's memory per idle stream. The server is
// the real binary in a child process (so that each process stays under the open-files limit
// and the memory figures are the server's alone); the streams are raw HTTP connections. Some
// streams belong to sessions of the guest whose conversation receives the messages and read
// every event (probes): a quarter of them in the worst case ("quarter"), 8 in the realistic
// case ("few": an event concerns one guest's few devices); the others belong to the other
// guests, stay idle and receive nothing. One iteration posts one guest message and waits until
// every probe has it. See docs/benchmarks.md.
func BenchmarkEventStreams(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "concierge")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("streams=%d/probes=quarter", n), func(b *testing.B) { benchStreams(b, bin, n, n/4) })
		b.Run(fmt.Sprintf("streams=%d/probes=few", n), func(b *testing.B) { benchStreams(b, bin, n, 8) })
	}
}

// childServer runs the built binary with the demo data and no limits, and returns its URL.
func childServer(b *testing.B, bin string) string {
	dir := b.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "serve", "--demo", "--addr", "127.0.0.1:0", "--db", testDB(b, dir) /* SQLite, or PostgreSQL with CONCIERGE_TEST_ENGINE=postgres */, "--log-level", "warn")
	cmd.Env = append(os.Environ(), "CONCIERGE_RATE_ADDRESS=0", "CONCIERGE_RATE_SESSION=0",
		"CONCIERGE_RATE_INTERFACE_TOKEN=0", "CONCIERGE_EVENT_STREAMS_PER_SESSION=0")
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 30 * time.Second
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = io.Discard // the demo warning would break the benchmark output
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cancel(); _ = cmd.Wait() })
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "Concierge listening on "); ok {
			go func() { _, _ = io.Copy(io.Discard, stdout) }()
			return rest
		}
	}
	b.Fatal("server did not start")
	return ""
}

// serverMetric sums the samples of a metric on the server's /metrics.
func serverMetric(b *testing.B, base, name string) float64 {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `(\{[^}]*\})? (\S+)$`)
	var sum float64
	for _, m := range re.FindAllStringSubmatch(string(raw), -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		sum += v
	}
	return sum
}

func benchPost(b *testing.B, c *http.Client, url string, v any) map[string]any {
	body, _ := json.Marshal(v)
	resp, err := c.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		b.Fatalf("POST %s: %d %v", url, resp.StatusCode, err)
	}
	return out
}

// openRawStream opens a guest event stream on its own connection and returns the response
// (its body is the stream).
func openRawStream(b *testing.B, addr, token string) (net.Conn, *http.Response) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+pathGuestEvents+"?SessionToken="+token, nil)
	if err := req.Write(conn); err != nil {
		b.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReaderSize(conn, 1024), req)
	if err != nil || resp.StatusCode != 200 {
		b.Fatalf("open stream: %v %v", err, resp)
	}
	return conn, resp
}

// benchStreams opens n streams, of which probes (the first ones) belong to Ana and read.
func benchStreams(b *testing.B, bin string, n, probes int) {
	base := childServer(b, bin)
	addr := strings.TrimPrefix(base, "http://")
	c := &http.Client{Timeout: 30 * time.Second}
	// 100 sessions, 25 per demo guest; Ana's conversation receives the messages.
	var tokens [4][]string
	for i := range 100 {
		g := demoGuests[i%4]
		env := benchPost(b, c, base+pathInitRoom, map[string]any{"PropertyCode": "DEMO", "InterfaceToken": demoToken,
			"RoomNumber": g.room, "LastName": g.lastName})
		tokens[i%4] = append(tokens[i%4], env["sessionToken"].(string))
	}
	ana := tokens[0][0]
	env := benchPost(b, c, base+pathCreate, map[string]any{"SessionToken": ana, "OutletCode": "FRONTDESK", "Message": "start"})
	conv := env["responses"].([]any)[0].(map[string]any)["createConversationResponse"].(map[string]any)["content"].(map[string]any)["conversation"].(map[string]any)["code"].(string)

	heap0 := serverMetric(b, base, "go_memstats_heap_inuse_bytes") + serverMetric(b, base, "go_memstats_stack_inuse_bytes")
	rss0 := serverMetric(b, base, "process_resident_memory_bytes")

	var mu sync.Mutex
	posted := map[string]time.Time{}
	var lat []time.Duration
	got := make(chan struct{}, n)
	var conns []net.Conn
	for i := range n {
		var token string
		if i < probes {
			token = tokens[0][i%25]
		} else {
			j := i - probes
			token = tokens[1+j%3][(j/3)%25]
		}
		conn, resp := openRawStream(b, addr, token)
		conns = append(conns, conn)
		if i >= probes {
			continue // another guest's: idle, never read
		}
		go func() {
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				line := sc.Text()
				if !strings.HasPrefix(line, "data: ") {
					continue
				}
				at := time.Now()
				i := strings.Index(line, `"content":"bench-`)
				if i < 0 {
					continue
				}
				key := line[i+len(`"content":"`):]
				key = key[:strings.IndexByte(key, '"')]
				mu.Lock()
				lat = append(lat, at.Sub(posted[key]))
				mu.Unlock()
				got <- struct{}{}
			}
		}()
	}
	b.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	for serverMetric(b, base, "concierge_event_streams_open") < float64(n) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(time.Second)
	heap1 := serverMetric(b, base, "go_memstats_heap_inuse_bytes") + serverMetric(b, base, "go_memstats_stack_inuse_bytes")
	rss1 := serverMetric(b, base, "process_resident_memory_bytes")
	b.Logf("%d streams: stack %.0f KiB, heap %.0f KiB, goroutines %.0f", n,
		serverMetric(b, base, "go_memstats_stack_inuse_bytes")/1024, serverMetric(b, base, "go_memstats_heap_inuse_bytes")/1024,
		serverMetric(b, base, "go_goroutines"))

	// awaitProbes waits until every probe has received the message just posted.
	awaitProbes := func() {
		for range probes {
			select {
			case <-got:
			case <-time.After(30 * time.Second):
				b.Fatal("a probe did not receive the message within 30 s")
			}
		}
	}
	// One untimed warm-up message: the first delivery to each stream grows its goroutines'
	// stacks and allocates its buffers, on the server and in this client, once per stream.
	warm := "bench-warmup"
	mu.Lock()
	posted[warm] = time.Now()
	mu.Unlock()
	benchPost(b, c, base+pathCreate+"/"+conv+"/Messages", map[string]any{"SessionToken": ana, "Message": warm})
	awaitProbes()
	mu.Lock()
	lat = lat[:0]
	mu.Unlock()

	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		key := fmt.Sprintf("bench-%d", i)
		mu.Lock()
		posted[key] = time.Now()
		mu.Unlock()
		benchPost(b, c, base+pathCreate+"/"+conv+"/Messages", map[string]any{"SessionToken": ana, "Message": key})
		awaitProbes()
	}
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	}
	b.ReportMetric((heap1-heap0)/float64(n)/1024, "heap+stack-KiB/stream")
	b.ReportMetric((rss1-rss0)/float64(n)/1024, "rss-KiB/stream")
}
