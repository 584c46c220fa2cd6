package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Scenarios returns the names of the scenarios `all` runs, in its order.
func Scenarios() []string { return []string{"trivial", "create", "reply", "read", "live", "mixed"} }

// ExtraScenarios returns the scenarios RunScenario knows that `all` does not run: history, the
// largest guest read (one guest's whole history asked for without PageLength, by every client
// at once), which measures the server's memory under big answers; and login, a flood of failed
// staff logins (login.go), which measures the server's memory under password hashing.
func ExtraScenarios() []string { return []string{"history", "login"} }

// historyMessages is how many messages the history scenario gives its guest, and
// historyMessageBytes how long each is: about 8 MB of history, the largest seen in the field.
const (
	historyMessages     = 3000
	historyMessageBytes = 2500
)

// Config is what a scenario run needs besides the server.
type Config struct {
	Creds        Credentials
	Load         Load
	Rooms        int // current stays the scenario's guests live in
	Streams      int // live, mixed: open event streams (guest and staff together)
	StaffStreams int // of which staff streams (admin: they see every event)
	Label        string
	// Progress, when not nil, is called about every 200 ms while the load runs.
	Progress func(label string, elapsed, total time.Duration, ok, failed int64)
}

// MixOp is an operation of the mixed scenario and its share of the requests, in percent.
type MixOp struct {
	Op      string
	Percent int
}

// Mixed returns the operation mix of the mixed scenario: a hotel where guests mostly look at
// their conversations and staff at their inbox (80 % reads), and a few messages are written.
func Mixed() []MixOp {
	return []MixOp{
		{"guest_messages", 25}, {"guest_conversation", 15}, {"guest_conversations", 15},
		{"staff_inbox", 15}, {"staff_conversation", 10},
		{"staff_read", 5}, {"guest_reply", 7}, {"staff_reply", 5}, {"create", 3},
	}
}

// RunScenario prepares the server for the named scenario (stays, sessions, conversations,
// streams), runs the load, and returns its result. srv is the server under test: for
// "trivial", the trivial server.
func RunScenario(ctx context.Context, name string, srv *Server, cfg Config) (*Result, error) {
	conns := max(cfg.Load.Concurrency, 1)
	if cfg.Load.Rate > 0 {
		conns = max(conns, 256)
	}
	c := NewClient(srv.URL, conns)
	defer c.Close()
	res := &Result{Scenario: name, Label: cfg.Label, Concurrency: cfg.Load.Concurrency, Rate: cfg.Load.Rate,
		DurationS: cfg.Load.Duration.Seconds(), WarmupS: cfg.Load.Warmup.Seconds()}
	if res.Label == "" {
		res.Label = name
	}
	var op Op
	var streams *Streams
	switch name {
	case "login": // login.go
		var closeClients func()
		op, closeClients = loginOp(srv.URL, cfg.Creds, cfg.Load.Concurrency)
		defer closeClients()
	case "trivial":
		body := []byte(`{"SessionToken":"x.y","Message":"Could you bring two more towels to the room, please?","OutletCode":"FRONTDESK","ConversationType":"guest"}`)
		op = func(ctx context.Context, w int, rng *rand.Rand) (string, string) {
			status, _, err := c.do(ctx, "POST", trivialPath, nil, body)
			if err == nil && status != 200 {
				return "trivial", fmt.Sprintf("http_%d", status)
			}
			return "trivial", kindOf(err)
		}
	default:
		f, err := prepare(ctx, name, c, cfg)
		if err != nil {
			return nil, fmt.Errorf("%s: setup: %w", name, err)
		}
		res.Rooms = len(f.Rooms)
		if name == "live" || name == "mixed" {
			streams = NewStreams()
			defer streams.Close()
			guest := cfg.Streams - cfg.StaffStreams
			if name == "mixed" && cfg.Streams <= 0 {
				guest = len(f.Rooms)
			}
			if err := OpenStreams(ctx, streams, srv.URL, f, max(guest, 0), cfg.StaffStreams); err != nil {
				return nil, fmt.Errorf("%s: opening streams (%d open): %w", name, streams.Count(), err)
			}
			res.Streams = streams.Count()
		}
		op = scenarioOp(name, c, f, streams)
	}
	rss0, _ := srv.RSS(ctx)
	res.ServerRSSStartBytes = rss0

	var rssMax int64
	var rssMu sync.Mutex
	sampleCtx, stopSampling := context.WithCancel(ctx)
	var sampler sync.WaitGroup
	sampler.Go(func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			rss, err := srv.RSS(sampleCtx)
			if err == nil {
				rssMu.Lock()
				rssMax = max(rssMax, rss)
				rssMu.Unlock()
			}
			select {
			case <-sampleCtx.Done():
				return
			case <-t.C:
			}
		}
	})

	var tick func(time.Duration, *Recorder)
	if cfg.Progress != nil {
		total := cfg.Load.Warmup + cfg.Load.Duration
		tick = func(el time.Duration, rec *Recorder) {
			ok, failed := rec.Counts()
			cfg.Progress(res.Label, el, total, ok, failed)
		}
	}
	if streams != nil {
		// Deliveries are timed from the start of the measured window (Recorder.start).
		orig := tick
		var once sync.Once
		tick = func(el time.Duration, rec *Recorder) {
			once.Do(func() { streams.SetRecorder(rec) })
			if orig != nil {
				orig(el, rec)
			}
		}
	}
	cpuc := make(chan cpuWindow, 1)
	measuring := cfg.Load.Measuring
	cfg.Load.Measuring = func(window time.Duration) {
		if measuring != nil {
			go measuring(window)
		}
		cpuc <- measureCPU(ctx, srv, window)
	}
	rec := run(ctx, cfg.Load, op, tick)
	if streams != nil {
		time.Sleep(500 * time.Millisecond) // let the last deliveries arrive
		streams.SetRecorder(nil)
		res.Deliveries = streams.delivered.Load()
		res.StreamReadErrors = streams.readErrors.Load()
		res.StreamsAtEnd = streams.Count()
	}
	stopSampling()
	sampler.Wait()
	res.ServerRSSMaxBytes = rssMax
	res.ServerRSSEndBytes, _ = srv.RSS(ctx)
	res.ServerRSSPeakBytes, _ = srv.PeakRSS()
	// The kernel updates VmHWM lazily, so a sample of VmRSS can exceed it: the peak is at
	// least what was sampled.
	if res.ServerRSSPeakBytes > 0 {
		res.ServerRSSPeakBytes = max(res.ServerRSSPeakBytes, rssMax)
	}
	res.fill(rec, cfg.Load)
	select {
	case w := <-cpuc:
		if n := rec.InWindow(); n > 0 {
			if w.serverOK {
				res.ServerCPUPerOpUS = float64(w.server.Microseconds()) / float64(n)
			}
			res.LoadToolCPUPerOpUS = float64(w.tool.Microseconds()) / float64(n)
		}
	case <-time.After(5 * time.Second): // the window never began (ctx ended)
	}
	return res, nil
}

// prepare builds the fixture a scenario needs.
func prepare(ctx context.Context, name string, c *Client, cfg Config) (*Fixture, error) {
	rooms := max(cfg.Rooms, 1)
	f, err := Setup(ctx, c, cfg.Creds, rooms, name != "create")
	if err != nil {
		return nil, err
	}
	if name == "history" {
		// One guest with a long history of long staff messages.
		r := f.Rooms[0]
		content := strings.Repeat("Your table is ready on the terrace. ", historyMessageBytes/36)
		err := parallel(ctx, historyMessages, 8, func(int) error {
			_, err := c.staff(ctx, "POST", pathConversations+"/"+r.Conversation+"/messages", f.StaffToken,
				map[string]string{"type": "Staff", "content": content})
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	if name == "read" || name == "mixed" {
		// A short history in every conversation: staff answer, the guest thanks.
		err := parallel(ctx, len(f.Rooms), 8, func(i int) error {
			r := f.Rooms[i]
			if _, err := c.staff(ctx, "POST", pathConversations+"/"+r.Conversation+"/messages", f.StaffToken,
				map[string]string{"type": "Staff", "content": "Of course, right away."}); err != nil {
				return err
			}
			_, err := c.guest(ctx, "POST", pathCreate+"/"+r.Conversation+"/Messages",
				map[string]string{"SessionToken": r.Token, "Message": "Thank you!"})
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return f, nil
}

// scenarioOp returns the operation of a scenario.
func scenarioOp(name string, c *Client, f *Fixture, streams *Streams) Op {
	room := func(rng *rand.Rand) Room { return f.Rooms[rng.IntN(len(f.Rooms))] }
	text := func() string {
		if streams != nil {
			return streams.Message()
		}
		return "Could you bring two more towels to the room, please?"
	}
	ops := map[string]func(ctx context.Context, rng *rand.Rand) error{
		"create": func(ctx context.Context, rng *rand.Rand) error {
			return createConversationOnly(ctx, c, room(rng).Token, f.Creds.Outlet, text())
		},
		"guest_reply": func(ctx context.Context, rng *rand.Rand) error {
			r := room(rng)
			_, err := c.guest(ctx, "POST", pathCreate+"/"+r.Conversation+"/Messages",
				map[string]string{"SessionToken": r.Token, "Message": text()})
			return err
		},
		"staff_reply": func(ctx context.Context, rng *rand.Rand) error {
			_, err := c.staff(ctx, "POST", pathConversations+"/"+room(rng).Conversation+"/messages", f.StaffToken,
				map[string]string{"type": "Staff", "content": text()})
			return err
		},
		"staff_read": func(ctx context.Context, rng *rand.Rand) error {
			_, err := c.staff(ctx, "POST", pathConversations+"/"+room(rng).Conversation+"/read", f.StaffToken, nil)
			return err
		},
		"guest_messages": func(ctx context.Context, rng *rand.Rand) error {
			_, err := c.guest(ctx, "GET", pathMessages+"?PageLength=20&DescendingOrder=true&SessionToken="+
				url.QueryEscape(room(rng).Token), nil)
			return err
		},
		"guest_conversations": func(ctx context.Context, rng *rand.Rand) error {
			_, err := c.guest(ctx, "GET", pathCreate+"?PageLength=20&SessionToken="+url.QueryEscape(room(rng).Token), nil)
			return err
		},
		"guest_conversation": func(ctx context.Context, rng *rand.Rand) error {
			r := room(rng)
			_, err := c.guest(ctx, "GET", pathCreate+"/"+r.Conversation+"?SessionToken="+url.QueryEscape(r.Token), nil)
			return err
		},
		"guest_history": func(ctx context.Context, rng *rand.Rand) error {
			_, err := c.guest(ctx, "GET", pathMessages+"?SessionToken="+url.QueryEscape(f.Rooms[0].Token), nil)
			return err
		},
		"staff_inbox": func(ctx context.Context, rng *rand.Rand) error {
			_, err := c.staff(ctx, "GET", pathConversations+"?limit=20", f.StaffToken, nil)
			return err
		},
		"staff_conversation": func(ctx context.Context, rng *rand.Rand) error {
			_, err := c.staff(ctx, "GET", pathConversations+"/"+room(rng).Conversation, f.StaffToken, nil)
			return err
		},
	}
	var names []string // weighted choice
	switch name {
	case "create":
		names = []string{"create"}
	case "reply":
		names = []string{"guest_reply", "staff_reply"}
	case "read":
		names = []string{"guest_messages", "guest_conversations", "guest_conversation", "staff_inbox", "staff_conversation"}
	case "live":
		names = []string{"guest_reply"}
	case "history":
		names = []string{"guest_history"}
	case "mixed":
		for _, m := range Mixed() {
			for range m.Percent {
				names = append(names, m.Op)
			}
		}
	}
	slices.Sort(names)
	return func(ctx context.Context, w int, rng *rand.Rand) (string, string) {
		n := names[rng.IntN(len(names))]
		return n, kindOf(ops[n](ctx, rng))
	}
}
