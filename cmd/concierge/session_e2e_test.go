package main

import (
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"concierge/api"
	"concierge/client"
)

func TestInitialiseByRoomSeed(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	g := s.guestApp(t)
	sess, err := g.Initialise(t.Context(), api.GuestInitialiseRequest{PropertyCode: "DEMO", InterfaceToken: demoToken,
		RoomNumber: "101", LastName: "Garcia"})
	if err != nil {
		t.Fatal(err)
	}
	r := g.answer()
	if got, want := keysOf(t, r.Raw), []string{"sessionToken", "responsesIncluded", "responses", "status"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("envelope keys %v, want %v", got, want)
	}
	if r.Body["responsesIncluded"] != api.ItemInitialiseSession+","+api.ItemResponseStatus {
		t.Fatalf("responsesIncluded = %v", r.Body["responsesIncluded"])
	}
	want := api.GuestSession{BrandCode: "DEMOBRAND", GroupCode: "DEMOGROUP", PropertyCode: "DEMO",
		LanguageCode: "es", GuestFirstName: ptr("Ana"), GuestLastName: ptr("Garcia"), RoomNumber: ptr("101")}
	if !reflect.DeepEqual(*sess, want) {
		t.Fatalf("content %+v, want %+v", *sess, want)
	}
	got := keysOf(t, rawPath(t, r.Raw, "responses", 0, api.ItemInitialiseSession, "content"))
	if wantKeys := []string{"brandCode", "groupCode", "propertyCode", "languageCode", "guestFirstName", "guestLastName", "roomNumber"}; !reflect.DeepEqual(got, wantKeys) {
		t.Fatalf("content keys %v, want %v", got, wantKeys)
	}
	if st := string(rawPath(t, r.Raw, "responses", 1, api.ItemResponseStatus)); st != `{"succeeded":true}` {
		t.Fatalf("responseStatus %s", st)
	}
	if !regexp.MustCompile(`^[A-Za-z0-9_-]{27}\.[A-Za-z0-9_-]{43}$`).MatchString(g.Token()) || g.Token() != r.token() {
		t.Fatalf("token %q is not base64url(20 bytes).base64url(32 bytes)", g.Token())
	}
}

func TestInitialiseVariants(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	ctx := t.Context()
	t.Run("anonymous with language and version", func(t *testing.T) {
		r := s.post(t, pathInit, map[string]any{"propertycode": "demo", "INTERFACETOKEN": demoToken,
			"Version": "4.0.1", "LanguageCode": "es-MX"})
		// Property names in other letter cases, as V40 clients send them: raw.
		c := typedContent[api.GuestSession](t, r, api.ItemInitialiseSession)
		if c.LanguageCode != "es" || c.PropertyCode != "DEMO" || c.Version != "4.0.1" {
			t.Fatalf("content %+v", c)
		}
		if slices.Contains(keysOf(t, rawPath(t, r.Raw, "responses", 0, api.ItemInitialiseSession, "content")), "roomNumber") {
			t.Fatalf("anonymous session has room fields: %s", r.Raw)
		}
	})
	t.Run("default language is the property's", func(t *testing.T) {
		sess := need(s.guestApp(t).Initialise(ctx, api.GuestInitialiseRequest{PropertyCode: "DEMO", InterfaceToken: demoToken}))(t)
		if sess.LanguageCode != "en" {
			t.Fatalf("content %+v", sess)
		}
	})
	t.Run("accent and case insensitive last name", func(t *testing.T) {
		for _, name := range []string{"muller", "  MÜLLER ", "Müller", "mueller"} {
			g := s.guestApp(t)
			sess, err := g.Initialise(ctx, api.GuestInitialiseRequest{PropertyCode: "DEMO", InterfaceToken: demoToken,
				RoomNumber: "103", LastName: name})
			if name == "mueller" {
				g.wantFailure(t, err, http.StatusUnauthorized, api.ItemInitialiseSession, "GuestVerificationFailed")
				continue
			}
			if err != nil || sess.GuestLastName == nil || *sess.GuestLastName != "Müller" || sess.LanguageCode != "de" {
				t.Fatalf("%q: content %+v %v", name, sess, err)
			}
		}
	})
	t.Run("ended stay does not verify", func(t *testing.T) {
		g := s.guestApp(t)
		_, err := g.Initialise(ctx, api.GuestInitialiseRequest{PropertyCode: "DEMO", InterfaceToken: demoToken,
			RoomNumber: "105", LastName: "Guest"})
		g.wantFailure(t, err, http.StatusUnauthorized, api.ItemInitialiseSession, "GuestVerificationFailed")
		if r := g.answer(); r.token() != "" || g.Token() != "" {
			t.Fatalf("failure carries a token: %s", r.Raw)
		}
	})
	t.Run("guest identifier is one guest per property", func(t *testing.T) {
		a, b := s.identifiedGuest(t, "device-42", ""), s.identifiedGuest(t, "device-42", "")
		if a.Token() == b.Token() {
			t.Fatal("two sessions got the same token")
		}
		need(a.CreateNonVerifiedConversation(ctx, api.GuestCreateConversationRequest{Message: "hello from a"}, ""))(t)
		if c := need(b.Messages(ctx, client.Page{}))(t); c.TotalCount != 1 {
			t.Fatalf("same identifier does not see its message: %+v", c)
		}
	})
	t.Run("check order: shape, property, interface token, guest", func(t *testing.T) {
		cases := []struct {
			req    api.GuestInitialiseRequest
			status int
			code   string
		}{
			{api.GuestInitialiseRequest{PropertyCode: "NOPE", InterfaceToken: "wrong"}, 400, "ValidationFailed"},
			{api.GuestInitialiseRequest{PropertyCode: "NOPE", InterfaceToken: "wrong", RoomNumber: "1", LastName: "x"}, 404, "PropertyNotFound"},
			{api.GuestInitialiseRequest{PropertyCode: "DEMO", InterfaceToken: "wrong", RoomNumber: "1", LastName: "x"}, 401, "InterfaceTokenInvalid"},
			{api.GuestInitialiseRequest{PropertyCode: "DEMO", InterfaceToken: demoToken, RoomNumber: "101", LastName: "Smith"}, 401, "GuestVerificationFailed"},
			{api.GuestInitialiseRequest{PropertyCode: "DEMO", InterfaceToken: demoToken, RoomNumber: "101", LastName: "Garcia", LanguageCode: "xx-notalang"}, 400, "ValidationFailed"},
		}
		for _, c := range cases {
			if c.req.RoomNumber == "" { // InitialiseByRoom without a room: the client would call Initialise, so raw
				s.post(t, pathInitRoom, map[string]any{"PropertyCode": c.req.PropertyCode, "InterfaceToken": c.req.InterfaceToken}).
					wantFailure(t, c.status, api.ItemInitialiseSession, c.code)
				continue
			}
			g := s.guestApp(t)
			_, err := g.Initialise(ctx, c.req)
			g.wantFailure(t, err, c.status, api.ItemInitialiseSession, c.code)
		}
	})
}

func TestLoginByRoomAndLogout(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	ctx := t.Context()
	g := s.guestApp(t)
	need(g.Initialise(ctx, api.GuestInitialiseRequest{PropertyCode: "DEMO", InterfaceToken: demoToken}))(t)
	anon := g.Token()

	// An anonymous session cannot create conversations.
	_, err := g.CreateConversation(ctx, api.GuestCreateConversationRequest{Message: "hi"}, "")
	g.wantFailure(t, err, http.StatusForbidden, api.ItemCreateConversation, "GuestNotVerified")

	g.wantFailure(t, g.LoginByRoom(ctx, "104", "Smith"), http.StatusUnauthorized, api.ItemResponseStatus, "GuestVerificationFailed")

	if err := g.LoginByRoom(ctx, "104", "dubois"); err != nil {
		t.Fatalf("LoginByRoom: %v", err)
	}
	if r := g.answer(); r.Status != 200 || r.Body["responsesIncluded"] != api.ItemResponseStatus || r.Body["status"] != "Success" {
		t.Fatalf("LoginByRoom: %s", r.Raw)
	}
	verified := g.Token()
	if verified == "" || verified == anon {
		t.Fatalf("LoginByRoom did not issue a new token: %s", g.answer().Raw)
	}
	// The old token stops working; the new one creates conversations in the stay's language.
	old := s.guestWithToken(t, anon)
	_, err = old.CreateConversation(ctx, api.GuestCreateConversationRequest{Message: "hi"}, "")
	old.wantFailure(t, err, http.StatusUnauthorized, api.ItemCreateConversation, "IdentityTokenExpired")
	conv := need(g.CreateConversation(ctx, api.GuestCreateConversationRequest{Message: "bonjour"}, ""))(t)
	if conv.GuestLanguageCode != "fr" || conv.RoomNumber != "104" {
		t.Fatalf("conversation %+v", conv)
	}

	// Logout with the header form of the token.
	g.SendTokenIn(client.TokenInHeader)
	if err := g.Logout(ctx); err != nil {
		t.Fatalf("Logout: %v", err)
	}
	if r := g.answer(); r.Status != 200 || r.Body["status"] != "Success" {
		t.Fatalf("Logout: %s", r.Raw)
	}
	g.SendTokenIn(client.TokenInBody)
	_, err = g.Messages(ctx, client.Page{})
	g.wantFailure(t, err, http.StatusUnauthorized, api.ItemGetMessages, "IdentityTokenExpired")
	g.wantFailure(t, g.Logout(ctx), http.StatusUnauthorized, api.ItemResponseStatus, "IdentityTokenExpired")
}

func TestLoginByRoomKeepsExplicitLanguage(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	ctx := t.Context()
	g := s.guestApp(t)
	need(g.Initialise(ctx, api.GuestInitialiseRequest{PropertyCode: "DEMO", InterfaceToken: demoToken, LanguageCode: "en-GB"}))(t)
	if err := g.LoginByRoom(ctx, "101", "Garcia"); err != nil {
		t.Fatal(err)
	}
	conv := need(g.CreateConversation(ctx, api.GuestCreateConversationRequest{Message: "hello"}, ""))(t)
	if lang := conv.GuestLanguageCode; lang != "en" {
		t.Fatalf("explicit language lost: %v", lang)
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	tok := s.roomGuest(t, "102", "Smith").Token()
	ok := func(token string) (*guestApp, error) {
		g := s.guestWithToken(t, token)
		_, err := g.Messages(t.Context(), client.Page{})
		return g, err
	}
	if _, err := ok(tok); err != nil {
		t.Fatalf("valid token refused: %v", err)
	}
	payload, mac, _ := strings.Cut(tok, ".")
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	for name, bad := range map[string]string{
		"payload changed": flip(payload, 20) + "." + mac,
		"mac changed":     payload + "." + flip(mac, 5),
		"no mac":          payload,
		"empty mac":       payload + ".",
		"padded":          tok + "=",
		"garbage":         "not-a-token",
		"swapped":         mac + "." + payload,
		"other key":       "AAAAAGkmY0AAAAABAAAAAAAAAAE.r1nGFvQ-0ZzCTb3Yq7ZlwCxTuA4g6v0LsUGC5FjvT5U",
		"unicode":         "ö" + tok,
		"huge":            strings.Repeat("A", 5000) + "." + mac,
		"extra dot":       payload + "." + mac + ".x",
	} {
		t.Run(name, func(t *testing.T) {
			g, err := ok(bad)
			g.wantFailure(t, err, http.StatusUnauthorized, api.ItemGetMessages, "IdentityTokenInvalid")
		})
	}
	g, err := ok("")
	g.wantFailure(t, err, http.StatusUnauthorized, api.ItemGetMessages, "IdentityTokenInvalid")

	// Header, query and body placement all work; the header wins (two tokens and a lower-case
	// scheme, sent raw).
	r := s.do(t, http.MethodGet, pathMessages+"?SessionToken=garbage", nil, map[string]string{"Authorization": "Session " + tok})
	r.content(t, "getMessagesResponse")
	r = s.do(t, http.MethodPost, pathCreate, []byte(`{"Message":"via header"}`), map[string]string{"Authorization": "session " + tok})
	r.content(t, "createConversationResponse")
	if r.token() != tok {
		t.Fatalf("envelope token %q, want the one sent", r.token())
	}
}

func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	ctx := t.Context()
	verified := s.roomGuest(t, "101", "Garcia")
	nonVerified := s.identifiedGuest(t, "phone-1", "")
	idle := s.identifiedGuest(t, "phone-2", "")
	works := func(g *guestApp) {
		t.Helper()
		need(g.Messages(ctx, client.Page{}))(t)
	}

	// 20 hours later the non-verified session is used, sliding its idle expiry.
	s.Clock.Advance(20 * time.Hour)
	works(nonVerified)
	// 5 more hours: the untouched one is past its 24 h idle time, the used one is not.
	s.Clock.Advance(5 * time.Hour)
	_, err := idle.Messages(ctx, client.Page{})
	idle.wantFailure(t, err, http.StatusUnauthorized, api.ItemGetMessages, "IdentityTokenExpired")
	works(nonVerified)
	works(verified)

	// The demo stays depart three days after "today"; the session lives to the end of that day
	// plus 24 h of grace: at +4 days 11 h (Madrid 23:00 on departure+1) it works, an hour and a bit later not.
	s.Clock.Advance(3*24*time.Hour + 10*time.Hour) // now departure+1 at 23:00
	works(verified)
	s.Clock.Advance(90 * time.Minute)
	_, err = verified.Messages(ctx, client.Page{})
	verified.wantFailure(t, err, http.StatusUnauthorized, api.ItemGetMessages, "IdentityTokenExpired")
}
