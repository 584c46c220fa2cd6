package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
)

// API paths the scenarios use.
const (
	pathInitRoom      = "/API/V40/System/Session/InitialiseByRoom"
	pathCreate        = "/API/V40/Interactive/Messages/Conversations"
	pathMessages      = "/API/V40/Interactive/Messages"
	pathGuestEvents   = "/API/V40/Interactive/Messages/Events"
	pathStaffLogin    = "/api/v1/auth/login"
	pathConversations = "/api/v1/conversations"
	pathStaffEvents   = "/api/v1/events"
)

// Credentials are what the tool logs in with: the demo data's by default.
type Credentials struct {
	Property       string // property code (DEMO)
	InterfaceToken string // the integrator's interface token
	StaffUser      string // an admin: it imports the stays and sees every conversation
	StaffPassword  string
	Outlet         string // the outlet guests write to (always open in the demo: FRONTDESK)
}

// Room is a bench guest: a current stay, its verified session and its conversation.
type Room struct {
	Number       string
	LastName     string
	Token        string // guest session token
	Conversation string // code of its conversation ("" until created)
}

// Fixture is the state scenarios start from: rooms with sessions (and conversations) and a
// staff token.
type Fixture struct {
	Creds      Credentials
	StaffToken string
	Rooms      []Room
}

// Setup imports n current stays (rooms 10000…) through the admin API, opens a verified guest
// session for each, and, when withConversations, one conversation per room. It runs the calls
// from a few goroutines. Re-running against the same server updates the same stays.
func Setup(ctx context.Context, c *Client, creds Credentials, n int, withConversations bool) (*Fixture, error) {
	f := &Fixture{Creds: creds}
	raw, err := c.staff(ctx, "POST", pathStaffLogin, "", map[string]string{"username": creds.StaffUser, "password": creds.StaffPassword})
	if err != nil {
		return nil, fmt.Errorf("staff login as %s: %w", creds.StaffUser, err)
	}
	var login struct{ Token string }
	if err := json.Unmarshal(raw, &login); err != nil || login.Token == "" {
		return nil, fmt.Errorf("staff login: no token in %s", snippet(raw))
	}
	f.StaffToken = login.Token

	today := time.Now().UTC()
	type stay struct {
		BookingReference string `json:"bookingReference"`
		RoomNumber       string `json:"roomNumber"`
		FirstName        string `json:"firstName"`
		LastName         string `json:"lastName"`
		Language         string `json:"language"`
		Arrival          string `json:"arrival"`
		Departure        string `json:"departure"`
	}
	langs := []string{"en", "es", "de", "fr"}
	for start := 0; start < n; start += 2000 {
		var stays []stay
		for i := start; i < min(n, start+2000); i++ {
			r := Room{Number: fmt.Sprint(10000 + i), LastName: fmt.Sprintf("Bench%d", i)}
			f.Rooms = append(f.Rooms, r)
			stays = append(stays, stay{BookingReference: "BENCH-" + r.Number, RoomNumber: r.Number,
				FirstName: "Guest", LastName: r.LastName, Language: langs[i%len(langs)],
				Arrival:   today.AddDate(0, 0, -1).Format(time.DateOnly),
				Departure: today.AddDate(0, 0, 3).Format(time.DateOnly)})
		}
		raw, err := c.staff(ctx, "POST", "/api/v1/properties/"+creds.Property+"/stays/import", f.StaffToken, stays)
		if err != nil {
			return nil, fmt.Errorf("import stays: %w", err)
		}
		var sum struct{ Rejected []any }
		if json.Unmarshal(raw, &sum) != nil || len(sum.Rejected) > 0 {
			return nil, fmt.Errorf("import stays: %s", snippet(raw))
		}
	}
	err = parallel(ctx, len(f.Rooms), 8, func(i int) error {
		r := &f.Rooms[i]
		raw, err := c.guest(ctx, "POST", pathInitRoom, map[string]string{"PropertyCode": creds.Property,
			"InterfaceToken": creds.InterfaceToken, "RoomNumber": r.Number, "LastName": r.LastName})
		if err != nil {
			return fmt.Errorf("initialise room %s: %w", r.Number, err)
		}
		var env struct{ SessionToken string }
		if err := json.Unmarshal(raw, &env); err != nil || env.SessionToken == "" {
			return fmt.Errorf("initialise room %s: no session token", r.Number)
		}
		r.Token = env.SessionToken
		if !withConversations {
			return nil
		}
		code, err := createConversation(ctx, c, r.Token, creds.Outlet, "Hello from room "+r.Number)
		r.Conversation = code
		return err
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// createConversation creates a conversation with a first message and returns its code.
func createConversation(ctx context.Context, c *Client, token, outlet, msg string) (string, error) {
	raw, err := c.guest(ctx, "POST", pathCreate, map[string]string{"SessionToken": token,
		"OutletCode": outlet, "ConversationType": "guest", "Message": msg})
	if err != nil {
		return "", err
	}
	content, err := guestItem(raw)
	if err != nil {
		return "", err
	}
	var cc struct{ Conversation struct{ Code string } }
	if err := json.Unmarshal(content, &cc); err != nil || cc.Conversation.Code == "" {
		return "", fmt.Errorf("create conversation: no code in %s", snippet(raw))
	}
	return cc.Conversation.Code, nil
}

// createConversationOnly creates a conversation like createConversation but does not decode
// the answer: the load's own JSON decoding would take CPU time from the server it measures on
// the same machine (a fifth of the tool's time in a profile of the create scenario). The
// envelope's success was checked by Client.guest; the answer must also hold the create item
// and a conversation code.
func createConversationOnly(ctx context.Context, c *Client, token, outlet, msg string) error {
	raw, err := c.guest(ctx, "POST", pathCreate, map[string]string{"SessionToken": token,
		"OutletCode": outlet, "ConversationType": "guest", "Message": msg})
	if err != nil {
		return err
	}
	if !bytes.Contains(raw, []byte(`"createConversationResponse":{"content":{"conversation":{"code":"C`)) {
		return &callError{kind: "no_conversation", msg: snippet(raw)}
	}
	return nil
}

// parallel runs fn(0…n-1) on at most workers goroutines and returns the first error.
func parallel(ctx context.Context, n, workers int, fn func(i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				if err := fn(i); err != nil {
					cancel(err)
				}
			}
		})
	}
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(next)
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return ctx.Err()
}
