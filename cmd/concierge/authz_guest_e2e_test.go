package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"concierge/internal/concierge"
)

// TestGuestAuthorisationMatrix: every guest route that reaches a conversation, called by every
// kind of guest session on every kind of object (own, another stay's at the same property, a
// non-verified guest's, another property's, the previous occupant of the same room's), answers
// exactly as it should and leaks nothing of conversations that are not the caller's.
func TestGuestAuthorisationMatrix(t *testing.T) {
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
	identifier := func(prop, token, id string) string {
		return s.post(t, pathInitGuest, map[string]any{"PropertyCode": prop, "InterfaceToken": token, "GuestUniqueIdentifier": id}).token()
	}
	room := func(prop, token, room, name string) string {
		r := s.post(t, pathInitRoom, map[string]any{"PropertyCode": prop, "InterfaceToken": token, "RoomNumber": room, "LastName": name})
		r.content(t, "initialiseSessionResponse")
		return r.token()
	}
	callers := map[string]string{
		"ana":      room("DEMO", demoToken, "101", "Garcia"),
		"john":     room("DEMO", demoToken, "102", "Smith"),
		"next106":  room("DEMO", demoToken, "106", "Occupant"),
		"nv":       identifier("DEMO", demoToken, "device-A"),
		"nvOther":  identifier("DEMO", demoToken, "device-B"),
		"anaOther": room("OTHER", "other-token", "101", "Garcia"),
		"anon":     s.post(t, pathInit, map[string]any{"PropertyCode": "DEMO", "InterfaceToken": demoToken}).token(),
	}
	// Each owner opens one conversation whose first message is a secret only it may read.
	owned := map[string]string{} // caller → conversation code
	secrets := map[string]string{"prev": "[secret of prev]"}
	codes := map[string]string{"prev": prevConv.Code}
	for _, who := range []string{"ana", "john", "nv", "anaOther"} {
		path := pathCreate
		if who == "nv" {
			path = pathCreateNV
		}
		secret := "[secret of " + who + "]"
		c := s.post(t, path, map[string]any{"SessionToken": callers[who], "Message": secret, "ConversationType": "guest"}).
			content(t, "createConversationResponse")
		owned[who] = c["conversation"].(map[string]any)["code"].(string)
		codes[who], secrets[who] = owned[who], secret
	}

	type route struct {
		name, item string
		call       func(token, code string) response
	}
	routes := []route{
		{"get", "getConversationResponse", func(tok, code string) response { return s.get(t, convPath(code, "?SessionToken="+tok)) }},
		{"reply", "addMessageResponse", func(tok, code string) response {
			return s.post(t, convPath(code, "/Messages"), map[string]any{"SessionToken": tok, "Message": "reply by caller"})
		}},
		{"read", "responseStatus", func(tok, code string) response {
			return s.post(t, convPath(code, "/Read"), map[string]any{"SessionToken": tok})
		}},
		{"close", "responseStatus", func(tok, code string) response {
			return s.post(t, convPath(code, "/Close"), map[string]any{"SessionToken": tok})
		}},
	}
	for _, rt := range routes {
		for caller, tok := range callers {
			for object, code := range codes {
				r := rt.call(tok, code)
				if caller == object {
					r.content(t, rt.item)
					continue
				}
				r.wantFailure(t, http.StatusNotFound, rt.item, "ConversationNotFound")
				for _, secret := range secrets {
					if strings.Contains(string(r.Raw), secret) {
						t.Fatalf("%s by %s on %s's conversation leaked %q: %s", rt.name, caller, object, secret, r.Raw)
					}
				}
			}
		}
	}

	// The lists hold exactly the caller's own secrets.
	for caller, tok := range callers {
		for _, list := range []struct{ path, item string }{
			{pathMessages, "getMessagesResponse"},
			{"/API/V40/Interactive/Messages/Conversations", "getConversationsResponse"},
		} {
			r := s.get(t, list.path+"?SessionToken="+tok)
			if caller == "anon" {
				r.wantFailure(t, http.StatusForbidden, list.item, "GuestNotVerified")
				continue
			}
			r.content(t, list.item)
			for owner, secret := range secrets {
				has := strings.Contains(string(r.Raw), secret) || strings.Contains(string(r.Raw), codes[owner])
				if list.item == "getConversationsResponse" { // lists carry codes, not messages
					has = strings.Contains(string(r.Raw), codes[owner])
				}
				if has != (owner == caller) {
					t.Fatalf("%s of %s: holds %s's conversation = %v: %s", list.path, caller, owner, has, r.Raw)
				}
			}
		}
	}

	// Objects of another stay or property are unknown to the create calls and outlet settings.
	s.post(t, pathCreate, map[string]any{"SessionToken": callers["john"], "OrderCode": "ORD-1001"}).
		wantFailure(t, http.StatusNotFound, "createConversationResponse", "OrderNotFound")
	s.post(t, pathCreate, map[string]any{"SessionToken": callers["anaOther"], "OrderCode": "ORD-1001"}).
		wantFailure(t, http.StatusNotFound, "createConversationResponse", "OrderNotFound")
	s.post(t, pathCreate, map[string]any{"SessionToken": callers["anaOther"], "OutletCode": "ROOMSERVICE"}).
		wantFailure(t, http.StatusNotFound, "createConversationResponse", "OutletNotFound")
	s.get(t, pathOutlets+"?SessionToken="+callers["ana"]+"&Code=DESK").
		wantFailure(t, http.StatusNotFound, "getOutletSettingsResponse", "OutletNotFound")
	s.post(t, pathCreateNV, map[string]any{"SessionToken": callers["nv"], "OrderCode": "ORD-1001"}).
		wantFailure(t, http.StatusForbidden, "createConversationResponse", "GuestNotVerified")
}
