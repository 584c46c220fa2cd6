package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"concierge/api"
	"concierge/client"
	"concierge/internal/concierge"
)

// TestGuestAuthorisationMatrix: every guest route that reaches a conversation, called by every
// kind of guest session on every kind of object (own, another stay's at the same property, a
// non-verified guest's, another property's, the previous occupant of the same room's), answers
// exactly as it should and leaks nothing of conversations that are not the caller's.
func TestGuestAuthorisationMatrix(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	clk := newClock(madridNoon(t))
	seedTwoProperties(t, dir, clk)

	// Room 106 was occupied until yesterday by someone who wrote a message; a new guest is in it now.
	ctx := context.Background()
	st := openTestStore(t, testDB(t, dir))
	prop, err := st.PropertyByCode(ctx, "DEMO")
	must(t, err)
	today := concierge.DateOf(clk.Now(), prop.Location())
	prev := concierge.Stay{PropertyID: prop.ID, RoomNumber: "106", FirstName: "Prev", LastName: "Occupant", Language: "en",
		Arrival: today.AddDays(-5), Departure: today.AddDays(-1), BookingReference: "PREV-106"}
	must(t, st.CreateStay(ctx, &prev))
	must(t, st.CreateStay(ctx, &concierge.Stay{PropertyID: prop.ID, RoomNumber: "106", FirstName: "Next", LastName: "Occupant",
		Language: "en", Arrival: today, Departure: today.AddDays(2), BookingReference: "NEXT-106"}))
	outlets, err := st.OutletsByProperty(ctx, prop.ID)
	must(t, err)
	prevConv := concierge.Conversation{Code: concierge.NewCode("C"), PropertyID: prop.ID, OutletID: outlets[0].ID, StayID: &prev.ID,
		Subject: "Front Desk", Status: concierge.ConversationOpen, GuestFirstName: "Prev", GuestLastName: "Occupant",
		GuestLanguage: "en", CreatedAt: clk.Now().AddDate(0, 0, -2), UpdatedAt: clk.Now().AddDate(0, 0, -2)}
	must(t, concierge.NewConversations(st).Create(ctx, &prevConv, &concierge.Message{Code: concierge.NewCode("M"), Type: concierge.MessageGuest,
		Content: "[secret of prev] my safe code is 1234", Language: "en", CreatedAt: prevConv.CreatedAt}))
	must(t, st.Close())

	s := startServer(t, serverOptions{dir: dir, clock: clk})
	identifier := func(prop, token, id string) *guestApp {
		g := s.guestApp(t)
		need(g.Initialise(ctx, api.GuestInitialiseRequest{PropertyCode: prop, InterfaceToken: token, GuestUniqueIdentifier: id}))(t)
		return g
	}
	room := func(prop, token, room, name string) *guestApp {
		g := s.guestApp(t)
		need(g.Initialise(ctx, api.GuestInitialiseRequest{PropertyCode: prop, InterfaceToken: token, RoomNumber: room, LastName: name}))(t)
		return g
	}
	anon := s.guestApp(t)
	need(anon.Initialise(ctx, api.GuestInitialiseRequest{PropertyCode: "DEMO", InterfaceToken: demoToken}))(t)
	callers := map[string]*guestApp{
		"ana":      room("DEMO", demoToken, "101", "Garcia"),
		"john":     room("DEMO", demoToken, "102", "Smith"),
		"next106":  room("DEMO", demoToken, "106", "Occupant"),
		"nv":       identifier("DEMO", demoToken, "device-A"),
		"nvOther":  identifier("DEMO", demoToken, "device-B"),
		"anaOther": room("OTHER", "other-token", "101", "Garcia"),
		"anon":     anon,
	}
	// Each owner opens one conversation whose first message is a secret only it may read.
	owned := map[string]string{} // caller → conversation code
	secrets := map[string]string{"prev": "[secret of prev]"}
	codes := map[string]string{"prev": prevConv.Code}
	for _, who := range []string{"ana", "john", "nv", "anaOther"} {
		create := callers[who].CreateConversation
		if who == "nv" {
			create = callers[who].CreateNonVerifiedConversation
		}
		secret := "[secret of " + who + "]"
		owned[who] = need(create(ctx, api.GuestCreateConversationRequest{Message: secret, ConversationType: "guest"}, ""))(t).Code
		codes[who], secrets[who] = owned[who], secret
	}

	type route struct {
		name, item string
		call       func(g *guestApp, code string) error
	}
	routes := []route{
		{"get", api.ItemGetConversation, func(g *guestApp, code string) error { _, err := g.Conversation(ctx, code); return err }},
		{"reply", api.ItemAddMessage, func(g *guestApp, code string) error {
			_, err := g.AddMessage(ctx, code, "reply by caller", "")
			return err
		}},
		{"read", api.ItemResponseStatus, func(g *guestApp, code string) error { return g.MarkRead(ctx, code, "") }},
		{"close", api.ItemResponseStatus, func(g *guestApp, code string) error { return g.Close(ctx, code) }},
	}
	for _, rt := range routes {
		for caller, g := range callers {
			for object, code := range codes {
				err := rt.call(g, code)
				if caller == object {
					if err != nil {
						t.Fatalf("%s by %s on its own conversation: %v", rt.name, caller, err)
					}
					continue
				}
				g.wantFailure(t, err, http.StatusNotFound, rt.item, "ConversationNotFound")
				r := g.answer()
				for _, secret := range secrets {
					if strings.Contains(string(r.Raw), secret) {
						t.Fatalf("%s by %s on %s's conversation leaked %q: %s", rt.name, caller, object, secret, r.Raw)
					}
				}
			}
		}
	}

	// The lists hold exactly the caller's own secrets.
	for caller, g := range callers {
		for _, list := range []struct {
			item string
			call func() error
		}{
			{api.ItemGetMessages, func() error { _, err := g.Messages(ctx, client.Page{}); return err }},
			{api.ItemGetConversations, func() error { _, err := g.Conversations(ctx, "", client.Page{}); return err }},
		} {
			err := list.call()
			if caller == "anon" {
				g.wantFailure(t, err, http.StatusForbidden, list.item, "GuestNotVerified")
				continue
			}
			if err != nil {
				t.Fatalf("%s of %s: %v", list.item, caller, err)
			}
			r := g.answer()
			for owner, secret := range secrets {
				has := strings.Contains(string(r.Raw), secret) || strings.Contains(string(r.Raw), codes[owner])
				if list.item == api.ItemGetConversations { // lists carry codes, not messages
					has = strings.Contains(string(r.Raw), codes[owner])
				}
				if has != (owner == caller) {
					t.Fatalf("%s of %s: holds %s's conversation = %v: %s", list.item, caller, owner, has, r.Raw)
				}
			}
		}
	}

	// Objects of another stay or property are unknown to the create calls and outlet settings.
	for _, c := range []struct {
		who  string
		req  api.GuestCreateConversationRequest
		code string
	}{
		{"john", api.GuestCreateConversationRequest{OrderCode: "ORD-1001"}, "OrderNotFound"},
		{"anaOther", api.GuestCreateConversationRequest{OrderCode: "ORD-1001"}, "OrderNotFound"},
		{"anaOther", api.GuestCreateConversationRequest{OutletCode: "ROOMSERVICE"}, "OutletNotFound"},
	} {
		_, err := callers[c.who].CreateConversation(ctx, c.req, "")
		callers[c.who].wantFailure(t, err, http.StatusNotFound, api.ItemCreateConversation, c.code)
	}
	_, err = callers["ana"].Outlets(ctx, "DESK")
	callers["ana"].wantFailure(t, err, http.StatusNotFound, api.ItemOutletSettings, "OutletNotFound")
	_, err = callers["nv"].CreateNonVerifiedConversation(ctx, api.GuestCreateConversationRequest{OrderCode: "ORD-1001"}, "")
	callers["nv"].wantFailure(t, err, http.StatusForbidden, api.ItemCreateConversation, "GuestNotVerified")
}
