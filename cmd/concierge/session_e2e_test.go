package main

import (
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestInitialiseByRoomSeed(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	r := s.post(t, pathInitRoom, map[string]any{"PropertyCode": "DEMO", "InterfaceToken": demoToken,
		"RoomNumber": "101", "LastName": "Garcia"})
	if got, want := keysOf(t, r.Raw), []string{"sessionToken", "responsesIncluded", "responses", "status"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("envelope keys %v, want %v", got, want)
	}
	if r.Body["responsesIncluded"] != "initialiseSessionResponse,responseStatus" {
		t.Fatalf("responsesIncluded = %v", r.Body["responsesIncluded"])
	}
	c := r.content(t, "initialiseSessionResponse")
	want := map[string]any{"brandCode": "DEMOBRAND", "groupCode": "DEMOGROUP", "propertyCode": "DEMO",
		"languageCode": "es", "guestFirstName": "Ana", "guestLastName": "Garcia", "roomNumber": "101"}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("content %v, want %v", c, want)
	}
	got := keysOf(t, rawPath(t, r.Raw, "responses", 0, "initialiseSessionResponse", "content"))
	if wantKeys := []string{"brandCode", "groupCode", "propertyCode", "languageCode", "guestFirstName", "guestLastName", "roomNumber"}; !reflect.DeepEqual(got, wantKeys) {
		t.Fatalf("content keys %v, want %v", got, wantKeys)
	}
	if st := r.item(t, "responseStatus"); !reflect.DeepEqual(st, map[string]any{"succeeded": true}) {
		t.Fatalf("responseStatus %v", st)
	}
	if !regexp.MustCompile(`^[A-Za-z0-9_-]{27}\.[A-Za-z0-9_-]{43}$`).MatchString(r.token()) {
		t.Fatalf("token %q is not base64url(20 bytes).base64url(32 bytes)", r.token())
	}
}

func TestInitialiseVariants(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	t.Run("anonymous with language and version", func(t *testing.T) {
		r := s.post(t, pathInit, map[string]any{"propertycode": "demo", "INTERFACETOKEN": demoToken,
			"Version": "4.0.1", "LanguageCode": "es-MX"})
		c := r.content(t, "initialiseSessionResponse")
		if c["languageCode"] != "es" || c["propertyCode"] != "DEMO" || c["version"] != "4.0.1" {
			t.Fatalf("content %v", c)
		}
		if _, ok := c["roomNumber"]; ok {
			t.Fatalf("anonymous session has room fields: %v", c)
		}
	})
	t.Run("default language is the property's", func(t *testing.T) {
		r := s.post(t, pathInit, map[string]any{"PropertyCode": "DEMO", "InterfaceToken": demoToken})
		if c := r.content(t, "initialiseSessionResponse"); c["languageCode"] != "en" {
			t.Fatalf("content %v", c)
		}
	})
	t.Run("accent and case insensitive last name", func(t *testing.T) {
		for _, name := range []string{"muller", "  MÜLLER ", "Müller", "mueller"} {
			r := s.post(t, pathInitRoom, map[string]any{"PropertyCode": "DEMO", "InterfaceToken": demoToken,
				"RoomNumber": "103", "LastName": name})
			if name == "mueller" {
				r.wantFailure(t, http.StatusUnauthorized, "initialiseSessionResponse", "GuestVerificationFailed")
				continue
			}
			if c := r.content(t, "initialiseSessionResponse"); c["guestLastName"] != "Müller" || c["languageCode"] != "de" {
				t.Fatalf("%q: content %v", name, c)
			}
		}
	})
	t.Run("ended stay does not verify", func(t *testing.T) {
		r := s.post(t, pathInitRoom, map[string]any{"PropertyCode": "DEMO", "InterfaceToken": demoToken,
			"RoomNumber": "105", "LastName": "Guest"})
		r.wantFailure(t, http.StatusUnauthorized, "initialiseSessionResponse", "GuestVerificationFailed")
		if r.token() != "" {
			t.Fatalf("failure carries a token: %s", r.Raw)
		}
	})
	t.Run("guest identifier is one guest per property", func(t *testing.T) {
		open := func() string {
			r := s.post(t, pathInitGuest, map[string]any{"PropertyCode": "DEMO", "InterfaceToken": demoToken,
				"GuestUniqueIdentifier": "device-42"})
			r.content(t, "initialiseSessionResponse")
			return r.token()
		}
		a, b := open(), open()
		if a == b {
			t.Fatal("two sessions got the same token")
		}
		r := s.post(t, pathCreateNV, map[string]any{"SessionToken": a, "Message": "hello from a"})
		r.content(t, "createConversationResponse")
		m := s.get(t, pathMessages+"?SessionToken="+b)
		if c := m.content(t, "getMessagesResponse"); c["totalCount"] != float64(1) {
			t.Fatalf("same identifier does not see its message: %v", c)
		}
	})
	t.Run("check order: shape, property, interface token, guest", func(t *testing.T) {
		cases := []struct {
			body   map[string]any
			status int
			code   string
		}{
			{map[string]any{"PropertyCode": "NOPE", "InterfaceToken": "wrong"}, 400, "ValidationFailed"},
			{map[string]any{"PropertyCode": "NOPE", "InterfaceToken": "wrong", "RoomNumber": "1", "LastName": "x"}, 404, "PropertyNotFound"},
			{map[string]any{"PropertyCode": "DEMO", "InterfaceToken": "wrong", "RoomNumber": "1", "LastName": "x"}, 401, "InterfaceTokenInvalid"},
			{map[string]any{"PropertyCode": "DEMO", "InterfaceToken": demoToken, "RoomNumber": "101", "LastName": "Smith"}, 401, "GuestVerificationFailed"},
			{map[string]any{"PropertyCode": "DEMO", "InterfaceToken": demoToken, "RoomNumber": "101", "LastName": "Garcia", "LanguageCode": "xx-notalang"}, 400, "ValidationFailed"},
		}
		for _, c := range cases {
			s.post(t, pathInitRoom, c.body).wantFailure(t, c.status, "initialiseSessionResponse", c.code)
		}
	})
}

func TestLoginByRoomAndLogout(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	r := s.post(t, pathInit, map[string]any{"PropertyCode": "DEMO", "InterfaceToken": demoToken})
	anon := r.token()

	// An anonymous session cannot create conversations.
	s.post(t, pathCreate, map[string]any{"SessionToken": anon, "Message": "hi"}).
		wantFailure(t, http.StatusForbidden, "createConversationResponse", "GuestNotVerified")

	s.post(t, pathLogin, map[string]any{"SessionToken": anon, "RoomNumber": "104", "LastName": "Smith"}).
		wantFailure(t, http.StatusUnauthorized, "responseStatus", "GuestVerificationFailed")

	r = s.post(t, pathLogin, map[string]any{"SessionToken": anon, "RoomNumber": "104", "LastName": "dubois"})
	if r.Status != 200 || r.Body["responsesIncluded"] != "responseStatus" || r.Body["status"] != "Success" {
		t.Fatalf("LoginByRoom: %s", r.Raw)
	}
	verified := r.token()
	if verified == "" || verified == anon {
		t.Fatalf("LoginByRoom did not issue a new token: %s", r.Raw)
	}
	// The old token stops working; the new one creates conversations in the stay's language.
	s.post(t, pathCreate, map[string]any{"SessionToken": anon, "Message": "hi"}).
		wantFailure(t, http.StatusUnauthorized, "createConversationResponse", "IdentityTokenExpired")
	c := s.post(t, pathCreate, map[string]any{"SessionToken": verified, "Message": "bonjour"}).content(t, "createConversationResponse")
	conv := c["conversation"].(map[string]any)
	if conv["guestLanguageCode"] != "fr" || conv["roomNumber"] != "104" {
		t.Fatalf("conversation %v", conv)
	}

	// Logout with the header form of the token.
	r = s.do(t, http.MethodPost, pathLogout, []byte(`{}`), map[string]string{"Authorization": "Session " + verified})
	if r.Status != 200 || r.Body["status"] != "Success" {
		t.Fatalf("Logout: %s", r.Raw)
	}
	s.get(t, pathMessages+"?SessionToken="+verified).
		wantFailure(t, http.StatusUnauthorized, "getMessagesResponse", "IdentityTokenExpired")
	s.post(t, pathLogout, map[string]any{"SessionToken": verified}).
		wantFailure(t, http.StatusUnauthorized, "responseStatus", "IdentityTokenExpired")
}

func TestLoginByRoomKeepsExplicitLanguage(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	anon := s.post(t, pathInit, map[string]any{"PropertyCode": "DEMO", "InterfaceToken": demoToken, "LanguageCode": "en-GB"}).token()
	verified := s.post(t, pathLogin, map[string]any{"SessionToken": anon, "RoomNumber": "101", "LastName": "Garcia"}).token()
	c := s.post(t, pathCreate, map[string]any{"SessionToken": verified, "Message": "hello"}).content(t, "createConversationResponse")
	if lang := c["conversation"].(map[string]any)["guestLanguageCode"]; lang != "en" {
		t.Fatalf("explicit language lost: %v", lang)
	}
}

func TestTokens(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	tok := s.loginRoom(t, "102", "Smith")
	ok := func(token string) response {
		return s.get(t, pathMessages+"?SessionToken="+token)
	}
	if r := ok(tok); r.Status != 200 {
		t.Fatalf("valid token refused: %s", r.Raw)
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
			ok(bad).wantFailure(t, http.StatusUnauthorized, "getMessagesResponse", "IdentityTokenInvalid")
		})
	}
	s.get(t, pathMessages).wantFailure(t, http.StatusUnauthorized, "getMessagesResponse", "IdentityTokenInvalid")

	// Header, query and body placement all work; the header wins.
	r := s.do(t, http.MethodGet, pathMessages+"?SessionToken=garbage", nil, map[string]string{"Authorization": "Session " + tok})
	r.content(t, "getMessagesResponse")
	r = s.do(t, http.MethodPost, pathCreate, []byte(`{"Message":"via header"}`), map[string]string{"Authorization": "session " + tok})
	r.content(t, "createConversationResponse")
	if r.token() != tok {
		t.Fatalf("envelope token %q, want the one sent", r.token())
	}
}

func TestSessionExpiry(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	verified := s.loginRoom(t, "101", "Garcia")
	nonVerified := s.post(t, pathInitGuest, map[string]any{"PropertyCode": "DEMO", "InterfaceToken": demoToken,
		"GuestUniqueIdentifier": "phone-1"}).token()
	idle := s.post(t, pathInitGuest, map[string]any{"PropertyCode": "DEMO", "InterfaceToken": demoToken,
		"GuestUniqueIdentifier": "phone-2"}).token()

	// 20 hours later the non-verified session is used, sliding its idle expiry.
	s.Clock.Advance(20 * time.Hour)
	s.get(t, pathMessages+"?SessionToken="+nonVerified).content(t, "getMessagesResponse")
	// 5 more hours: the untouched one is past its 24 h idle time, the used one is not.
	s.Clock.Advance(5 * time.Hour)
	s.get(t, pathMessages+"?SessionToken="+idle).
		wantFailure(t, http.StatusUnauthorized, "getMessagesResponse", "IdentityTokenExpired")
	s.get(t, pathMessages+"?SessionToken="+nonVerified).content(t, "getMessagesResponse")
	s.get(t, pathMessages+"?SessionToken="+verified).content(t, "getMessagesResponse")

	// The demo stays depart three days after "today"; the session lives to the end of that day
	// plus 24 h of grace: at +4 days 11 h (Madrid 23:00 on departure+1) it works, an hour and a bit later not.
	s.Clock.Advance(3*24*time.Hour + 10*time.Hour) // now departure+1 at 23:00
	s.get(t, pathMessages+"?SessionToken="+verified).content(t, "getMessagesResponse")
	s.Clock.Advance(90 * time.Minute)
	s.get(t, pathMessages+"?SessionToken="+verified).
		wantFailure(t, http.StatusUnauthorized, "getMessagesResponse", "IdentityTokenExpired")
}
