package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"concierge/api"
	"concierge/client"
)

// The Go client package against a real server, decoding strictly: a field the server sends
// that package api does not know fails the test, as does one that no longer decodes.

func ptr[T any](v T) *T { return &v }

// wantCode fails t unless err is a client error with that code and HTTP status.
func wantCode(t *testing.T, what string, err error, code string, status int) {
	t.Helper()
	var ce *client.Error
	if !errors.As(err, &ce) || ce.Code != code || ce.StatusCode != status {
		t.Fatalf("%s: %v, want %s (HTTP %d)", what, err, code, status)
	}
	if !errors.Is(err, &client.Error{Code: code}) {
		t.Fatalf("%s: errors.Is does not match code %s", what, code)
	}
}

func TestClientGuestAndStaffConversation(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	ctx := t.Context()

	guest := client.NewGuest(s.URL, client.WithStrictDecoding())
	sess, err := guest.Initialise(ctx, api.GuestInitialiseRequest{PropertyCode: "DEMO", InterfaceToken: demoToken,
		RoomNumber: "101", LastName: "garcia"})
	if err != nil {
		t.Fatal(err)
	}
	if sess.PropertyCode != "DEMO" || sess.RoomNumber == nil || *sess.RoomNumber != "101" || sess.LanguageCode != "es" || guest.Token() == "" {
		t.Fatalf("session %+v token %q", sess, guest.Token())
	}
	outlets, err := guest.Outlets(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(outlets, func(o api.GuestOutlet) bool { return o.Code == "ROOMSERVICE" }); i < 0 || !outlets[i].IsOpen {
		t.Fatalf("outlets %+v", outlets)
	}
	one, err := guest.Outlets(ctx, "SPA")
	if err != nil || len(one) != 1 || one[0].Name != "Spa & Wellness" {
		t.Fatalf("outlet SPA: %+v %v", one, err)
	}
	_, err = guest.Outlets(ctx, "NOPE")
	wantCode(t, "unknown outlet", err, "OutletNotFound", http.StatusNotFound)

	conv, err := guest.CreateConversation(ctx, api.GuestCreateConversationRequest{OutletCode: "ROOMSERVICE",
		OrderCode: "ORD-1001", ConversationType: "guest", Message: "¿Pueden traer más toallas?"}, "create-1")
	if err != nil {
		t.Fatal(err)
	}
	if conv.Subject != "In-Room Dining – Order ORD-1001" || len(conv.Messages) != 1 || conv.Messages[0].FirstName != "Ana" {
		t.Fatalf("conversation %+v", conv)
	}
	again, err := guest.CreateConversation(ctx, api.GuestCreateConversationRequest{OutletCode: "ROOMSERVICE",
		OrderCode: "ORD-1001", ConversationType: "guest", Message: "¿Pueden traer más toallas?"}, "create-1")
	if err != nil || again.Code != conv.Code {
		t.Fatalf("replayed create: %+v %v, want %s", again, err, conv.Code)
	}
	_, err = guest.CreateConversation(ctx, api.GuestCreateConversationRequest{OutletCode: "SPA", Message: "other"}, "create-1")
	wantCode(t, "key reused", err, "IdempotencyKeyReused", http.StatusConflict)
	_, err = guest.Conversation(ctx, "NOPE-NOPE")
	wantCode(t, "unknown conversation", err, "ConversationNotFound", http.StatusNotFound)

	// Staff: a wrong password, then the agent of room service.
	staff := client.NewStaff(s.URL, client.WithStrictDecoding())
	_, err = staff.Login(ctx, "roomservice", "wrong-password")
	wantCode(t, "wrong password", err, "AuthenticationFailed", http.StatusUnauthorized)
	login, err := staff.Login(ctx, "roomservice", demoPassword)
	if err != nil || login.User.Username != "roomservice" || staff.Token() != login.Token {
		t.Fatalf("login %+v %v", login, err)
	}
	me, err := staff.Me(ctx)
	if err != nil || me.Kind != "user" || me.User.Role != "agent" {
		t.Fatalf("me %+v %v", me, err)
	}
	inbox, err := staff.Conversations(ctx, client.InboxQuery{Q: "toallas", Status: "Open", Limit: 5})
	if err != nil || len(inbox.Conversations) != 1 || inbox.Conversations[0].Code != conv.Code || inbox.Conversations[0].UnreadCount != 1 {
		t.Fatalf("inbox %+v %v", inbox, err)
	}
	if lm := inbox.Conversations[0].LastMessage; lm == nil || lm.Type != "Guest" || lm.Author.Username != nil {
		t.Fatalf("last message %+v", lm)
	}
	counts, err := staff.InboxCounts(ctx)
	if err != nil || len(counts.ServiceCenters) != 1 || counts.ServiceCenters[0].Code != "RS" || counts.ServiceCenters[0].Unread < 1 {
		t.Fatalf("counts %+v %v", counts, err)
	}

	// The guest listens; the agent replies (twice with one key: one message), assigns, reads.
	streamCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	events, err := guest.Events(streamCtx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer events.Close()
	reply, err := staff.AddMessage(ctx, conv.Code, api.AddMessageRequest{Type: "Staff", Content: "They are on their way."}, "reply-1")
	if err != nil || reply.Type != "Staff" || reply.Author.Username == nil || *reply.Author.Username != "roomservice" {
		t.Fatalf("reply %+v %v", reply, err)
	}
	replayed, err := staff.AddMessage(ctx, conv.Code, api.AddMessageRequest{Type: "Staff", Content: "They are on their way."}, "reply-1")
	if err != nil || replayed.Code != reply.Code {
		t.Fatalf("replayed reply %+v %v, want %s", replayed, err, reply.Code)
	}
	if _, err := staff.AddMessage(ctx, conv.Code, api.AddMessageRequest{Type: "Note", Content: "VIP guest: extra towels."}, ""); err != nil {
		t.Fatal(err)
	}
	ev, err := events.WaitFor(func(e client.Event) bool {
		g, err := e.Guest()
		return err == nil && e.Kind == "message.created" && g.Message != nil && g.Message.Code == reply.Code
	})
	if err != nil {
		t.Fatal(err)
	}
	if g, _ := ev.Guest(); g.ConversationCode != conv.Code || g.Message.MessageType != "Staff" || events.LastID() != ev.ID {
		t.Fatalf("event %+v (last id %s)", g, events.LastID())
	}
	assigned, err := staff.Assign(ctx, conv.Code, "roomservice")
	if err != nil || assigned.Assignee == nil || assigned.Assignee.Username != "roomservice" {
		t.Fatalf("assign %+v %v", assigned, err)
	}
	inbox, err = staff.Conversations(ctx, client.InboxQuery{Assignee: "me"})
	if err != nil || len(inbox.Conversations) == 0 || inbox.Conversations[0].Assignee == nil ||
		*inbox.Conversations[0].Assignee != *assigned.Assignee {
		t.Fatalf("inbox assignee %+v, conversation's %+v (%v)", inbox.Conversations, assigned.Assignee, err)
	}
	if _, err := staff.MarkRead(ctx, conv.Code, ""); err != nil {
		t.Fatal(err)
	}
	detail, err := staff.Conversation(ctx, conv.Code)
	if err != nil || len(detail.Messages) != 3 || detail.Conversation.Order == nil || detail.Conversation.Order.Code != "ORD-1001" ||
		detail.Conversation.Stay == nil || detail.Conversation.Stay.BookingReference != "DEMO-101" || !detail.Messages[0].IsRead {
		t.Fatalf("detail %+v %v", detail, err)
	}

	// The guest reads the reply (never the note), marks it read, writes again and closes.
	got, err := guest.Conversation(ctx, conv.Code)
	if err != nil || len(got.Messages) != 2 || got.Messages[1].Code != reply.Code {
		t.Fatalf("guest conversation %+v %v", got, err)
	}
	if err := guest.MarkRead(ctx, conv.Code, reply.Code); err != nil {
		t.Fatal(err)
	}
	if m, err := guest.AddMessage(ctx, conv.Code, "Gracias", ""); err != nil || m.MessageType != "Guest" {
		t.Fatalf("add message %+v %v", m, err)
	}
	page, err := guest.Messages(ctx, client.Page{Number: 1, Length: 2, Descending: true})
	if err != nil || page.TotalCount != 3 || len(page.Messages) != 2 || page.Messages[0].Content != "Gracias" || !page.Messages[1].IsRead {
		t.Fatalf("messages %+v %v", page, err)
	}
	if err := guest.Close(ctx, conv.Code); err != nil {
		t.Fatal(err)
	}
	list, err := guest.Conversations(ctx, "Closed", client.Page{})
	if err != nil || list.TotalCount != 1 || list.Conversations[0].Code != conv.Code || list.Conversations[0].ConversationStatus != "Closed" {
		t.Fatalf("closed conversations %+v %v", list, err)
	}
	if _, err := staff.Reopen(ctx, conv.Code); err != nil {
		t.Fatal(err)
	}
	if _, err := staff.Close(ctx, conv.Code); err != nil {
		t.Fatal(err)
	}

	// Logging out ends both credentials.
	if err := guest.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = guest.Conversations(ctx, "", client.Page{})
	wantCode(t, "after logout", err, "IdentityTokenExpired", http.StatusUnauthorized)
	if err := staff.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = staff.Me(ctx)
	wantCode(t, "staff after logout", err, "AuthenticationFailed", http.StatusUnauthorized)
}

func TestClientAdmin(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true, args: []string{"--webhook-allow-cidr", "127.0.0.1/32"}})
	ctx := t.Context()
	admin := client.NewStaff(s.URL, client.WithStrictDecoding())
	if _, err := admin.Login(ctx, "admin", demoPassword); err != nil {
		t.Fatal(err)
	}

	// A second hotel with a center, an outlet, an agent, an integrator token and an API key.
	prop, err := admin.CreateProperty(ctx, api.PropertyRequest{Code: ptr("SEASIDE"), Name: ptr("Seaside Resort"),
		TimeZone: ptr("Atlantic/Canary"), DefaultLanguage: ptr("es")})
	if err != nil || prop.Code != "SEASIDE" || prop.TimeZone != "Atlantic/Canary" {
		t.Fatalf("property %+v %v", prop, err)
	}
	_, err = admin.CreateProperty(ctx, api.PropertyRequest{Code: ptr("SEASIDE"), Name: ptr("Again"), TimeZone: ptr("UTC"), DefaultLanguage: ptr("en")})
	wantCode(t, "duplicate property", err, "AlreadyExists", http.StatusConflict)
	_, err = admin.CreateProperty(ctx, api.PropertyRequest{Code: ptr("X2"), Name: ptr("Bad"), TimeZone: ptr("Mars/Olympus"), DefaultLanguage: ptr("en")})
	var ce *client.Error
	if !errors.As(err, &ce) || ce.Code != "ValidationFailed" || len(ce.Fields) == 0 || ce.Fields[0].Field != "timeZone" {
		t.Fatalf("bad time zone: %#v", err)
	}
	if p, err := admin.UpdateProperty(ctx, "SEASIDE", api.PropertyRequest{HideStaffNames: ptr(true)}); err != nil || !p.HideStaffNames || p.Name != "Seaside Resort" {
		t.Fatalf("update property %+v %v", p, err)
	}
	if p, err := admin.Property(ctx, "SEASIDE"); err != nil || !p.HideStaffNames {
		t.Fatalf("property %+v %v", p, err)
	}
	if l, err := admin.Properties(ctx, client.List{Limit: 1}); err != nil || len(l.Properties) != 1 || l.NextCursor == "" {
		t.Fatalf("properties page %+v %v", l, err)
	}
	if _, err := admin.CreateServiceCenter(ctx, "SEASIDE", api.ServiceCenterRequest{Code: ptr("FO"), Name: ptr("Recepción"), StaffLanguage: ptr("en")}); err != nil {
		t.Fatal(err)
	}
	if c, err := admin.UpdateServiceCenter(ctx, "SEASIDE", "FO", api.ServiceCenterRequest{Name: ptr("Reception")}); err != nil || c.Name != "Reception" || c.StaffLanguage != "en" {
		t.Fatalf("center %+v %v", c, err)
	}
	if c, err := admin.ServiceCenter(ctx, "SEASIDE", "FO"); err != nil || c.Name != "Reception" {
		t.Fatalf("center %+v %v", c, err)
	}
	if l, err := admin.ServiceCenters(ctx, "SEASIDE", client.List{}); err != nil || len(l.ServiceCenters) != 1 {
		t.Fatalf("centers %+v %v", l, err)
	}
	outlet, err := admin.CreateOutlet(ctx, "SEASIDE", api.OutletRequest{Code: ptr("BAR"), Name: ptr("Pool Bar"), ServiceCenter: ptr("FO"),
		AllowGuestMessages: ptr(true), AllowNonVerifiedGuests: ptr(true), SortOrder: ptr(10)})
	if err != nil || outlet.ServiceCenter != "FO" || len(outlet.OpeningHours) != 0 {
		t.Fatalf("outlet %+v %v", outlet, err)
	}
	hours := []api.OpeningHours{{Day: "Saturday", Open: "10:00", Close: "02:00"}}
	if o, err := admin.UpdateOutlet(ctx, "SEASIDE", "BAR", api.OutletRequest{OpeningHours: &hours}); err != nil || len(o.OpeningHours) != 1 {
		t.Fatalf("outlet hours %+v %v", o, err)
	}
	if o, err := admin.UpdateOutlet(ctx, "SEASIDE", "BAR", api.OutletRequest{OpeningHours: &[]api.OpeningHours{}}); err != nil || len(o.OpeningHours) != 0 {
		t.Fatalf("outlet always open %+v %v", o, err)
	}
	if o, err := admin.Outlet(ctx, "SEASIDE", "BAR"); err != nil || o.Name != "Pool Bar" {
		t.Fatalf("outlet %+v %v", o, err)
	}
	if l, err := admin.Outlets(ctx, "SEASIDE", client.List{}); err != nil || len(l.Outlets) != 1 {
		t.Fatalf("outlets %+v %v", l, err)
	}
	user, err := admin.CreateStaffUser(ctx, api.StaffUserRequest{Username: ptr("sea.agent"), DisplayName: ptr("Sea Agent"),
		Password: ptr("change-me-please"), Role: ptr("agent"), ServiceCenters: &[]api.CenterRef{{Property: "SEASIDE", Code: "FO"}}})
	if err != nil || user.Role != "agent" || len(user.ServiceCenters) != 1 || user.Disabled {
		t.Fatalf("staff user %+v %v", user, err)
	}
	if u, err := admin.UpdateStaffUser(ctx, "sea.agent", api.StaffUserRequest{DisplayName: ptr("Sea Agent One")}); err != nil || u.DisplayName != "Sea Agent One" {
		t.Fatalf("update user %+v %v", u, err)
	}
	if _, err := admin.SetPassword(ctx, "sea.agent", "another-long-password"); err != nil {
		t.Fatal(err)
	}
	agent := client.NewStaff(s.URL, client.WithStrictDecoding())
	if _, err := agent.Login(ctx, "sea.agent", "another-long-password"); err != nil {
		t.Fatal(err)
	}
	if u, err := admin.DisableStaffUser(ctx, "sea.agent"); err != nil || !u.Disabled || u.DisabledAt == nil {
		t.Fatalf("disable %+v %v", u, err)
	}
	_, err = agent.Me(ctx)
	wantCode(t, "disabled user", err, "AuthenticationFailed", http.StatusUnauthorized)
	if u, err := admin.EnableStaffUser(ctx, "sea.agent"); err != nil || u.Disabled {
		t.Fatalf("enable %+v %v", u, err)
	}
	if u, err := admin.StaffUser(ctx, "sea.agent"); err != nil || u.DisplayName != "Sea Agent One" {
		t.Fatalf("user %+v %v", u, err)
	}
	if l, err := admin.StaffUsers(ctx, client.List{Limit: 200}); err != nil || len(l.StaffUsers) != 4 {
		t.Fatalf("users %+v %v", l, err)
	}

	tok, err := admin.CreateInterfaceToken(ctx, api.InterfaceTokenRequest{Name: "Seaside app", Properties: []string{"SEASIDE"}})
	if err != nil || tok.Secret == "" || tok.RevokedAt != nil {
		t.Fatalf("interface token %+v %v", tok, err)
	}
	visitor := client.NewGuest(s.URL, client.WithStrictDecoding())
	if _, err := visitor.Initialise(ctx, api.GuestInitialiseRequest{PropertyCode: "SEASIDE", InterfaceToken: tok.Secret,
		GuestUniqueIdentifier: "web-1", LanguageCode: "fr"}); err != nil {
		t.Fatal(err)
	}
	nv, err := visitor.CreateNonVerifiedConversation(ctx, api.GuestCreateConversationRequest{ConversationType: "guest",
		Message: "Une table ?", OrderFormDetailsDictionary: []byte(`{"firstName":"Zoé","partySize":2}`)}, "")
	if err != nil || nv.OutletCode != "BAR" || nv.GuestFirstName != "Zoé" {
		t.Fatalf("non-verified conversation %+v %v", nv, err)
	}
	if l, err := admin.InterfaceTokens(ctx, client.List{}); err != nil || len(l.InterfaceTokens) != 2 {
		t.Fatalf("tokens %+v %v", l, err)
	}
	if r, err := admin.RevokeInterfaceToken(ctx, tok.ID); err != nil || r.RevokedAt == nil {
		t.Fatalf("revoke %+v %v", r, err)
	}
	_, err = client.NewGuest(s.URL).Initialise(ctx, api.GuestInitialiseRequest{PropertyCode: "SEASIDE", InterfaceToken: tok.Secret})
	wantCode(t, "revoked interface token", err, "InterfaceTokenInvalid", http.StatusUnauthorized)

	key, err := admin.CreateAPIKey(ctx, api.APIKeyRequest{Name: "PMS", Role: "manager", Properties: []string{"SEASIDE"}})
	if err != nil || key.Secret == "" {
		t.Fatalf("api key %+v %v", key, err)
	}
	pms := client.NewStaff(s.URL, client.WithStrictDecoding())
	pms.SetToken(key.Secret)
	if me, err := pms.Me(ctx); err != nil || me.Kind != "apiKey" || me.APIKey.Name != "PMS" {
		t.Fatalf("api key me %+v %v", me, err)
	}

	// The PMS keeps stays and orders current; a guest of the new stay writes.
	day := s.Clock.Now().Format("2006-01-02")
	next := s.Clock.Now().AddDate(0, 0, 2).Format("2006-01-02")
	put, err := pms.PutStay(ctx, "SEASIDE", "SEA-1", api.StayRequest{RoomNumber: "12", FirstName: "Marie", LastName: "Curie",
		LanguageCode: "fr", Arrival: day, Departure: next})
	if err != nil || put.Result != "created" || put.Stay.RoomNumber != "12" {
		t.Fatalf("put stay %+v %v", put, err)
	}
	imported, err := pms.ImportStays(ctx, "SEASIDE", "text/csv",
		[]byte("bookingReference,roomNumber,lastName,arrival,departure\nSEA-2,14,Bohr,"+day+","+next+"\nSEA-3,,Nobody,"+day+","+next+"\n"))
	if err != nil || imported.Created != 1 || len(imported.Rejected) != 1 || imported.Rejected[0].Line != 3 {
		t.Fatalf("import %+v %v", imported, err)
	}
	if st, err := pms.Stay(ctx, "SEASIDE", "SEA-2"); err != nil || st.LastName != "Bohr" {
		t.Fatalf("stay %+v %v", st, err)
	}
	if l, err := pms.Stays(ctx, "SEASIDE", client.StayFilter{Room: "12"}, client.List{}); err != nil || len(l.Stays) != 1 {
		t.Fatalf("stays %+v %v", l, err)
	}
	marie := client.NewGuest(s.URL, client.WithStrictDecoding())
	if _, err := marie.Initialise(ctx, api.GuestInitialiseRequest{PropertyCode: "SEASIDE", InterfaceToken: demoToken,
		RoomNumber: "12", LastName: "Curie"}); err == nil {
		t.Fatal("the demo token opened a session at SEASIDE")
	}
	tok2, err := admin.CreateInterfaceToken(ctx, api.InterfaceTokenRequest{Name: "Seaside app 2", Properties: []string{"SEASIDE"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := marie.Initialise(ctx, api.GuestInitialiseRequest{PropertyCode: "SEASIDE", InterfaceToken: tok2.Secret,
		RoomNumber: "12", LastName: "curie"}); err != nil {
		t.Fatal(err)
	}
	if o, err := pms.PutOrder(ctx, "SEASIDE", "SO-1", api.OrderRequest{BookingReference: "SEA-1", OutletCode: "BAR", Status: "Pending"}); err != nil || o.Result != "created" {
		t.Fatalf("order %+v %v", o, err)
	}
	mc, err := marie.CreateConversation(ctx, api.GuestCreateConversationRequest{OrderCode: "SO-1", Message: "Deux mojitos"}, "")
	if err != nil {
		t.Fatal(err)
	}
	o, err := pms.PutOrder(ctx, "SEASIDE", "SO-1", api.OrderRequest{BookingReference: "SEA-1", OutletCode: "BAR", Status: "Delivering"})
	if err != nil || o.Result != "updated" || o.MessagesPosted != 1 {
		t.Fatalf("order update %+v %v", o, err)
	}
	if got, err := pms.Order(ctx, "SEASIDE", "SO-1"); err != nil || got.Status != "Delivering" {
		t.Fatalf("order %+v %v", got, err)
	}
	if l, err := pms.Orders(ctx, "SEASIDE", "Delivering", client.List{}); err != nil || len(l.Orders) != 1 {
		t.Fatalf("orders %+v %v", l, err)
	}
	if sum, err := pms.ImportOrders(ctx, "SEASIDE", "application/json",
		[]byte(`[{"code":"SO-2","bookingReference":"SEA-2","outletCode":"BAR","status":"Pending"}]`)); err != nil || sum.Created != 1 {
		t.Fatalf("import orders %+v %v", sum, err)
	}

	// Glossary, retention, legal hold, export and erasure, audit.
	if g, err := admin.PutGlossaryTerm(ctx, "SEASIDE", "Mojito"); err != nil || g.Term != "Mojito" {
		t.Fatalf("glossary term %+v %v", g, err)
	}
	if g, err := admin.Glossary(ctx, "SEASIDE"); err != nil || len(g.Terms) != 1 {
		t.Fatalf("glossary %+v %v", g, err)
	}
	if err := admin.DeleteGlossaryTerm(ctx, "SEASIDE", "Mojito"); err != nil {
		t.Fatal(err)
	}
	err = admin.DeleteGlossaryTerm(ctx, "SEASIDE", "Mojito")
	wantCode(t, "deleted term", err, "GlossaryTermNotFound", http.StatusNotFound)
	if r, err := admin.SetRetention(ctx, "SEASIDE", api.RetentionRequest{StayDays: ptr(30)}); err != nil || r.StayDays != 30 {
		t.Fatalf("retention %+v %v", r, err)
	}
	if r, err := admin.Retention(ctx, "SEASIDE"); err != nil || r.StayDays != 30 || r.GuestDays == 0 {
		t.Fatalf("retention %+v %v", r, err)
	}
	if h, err := admin.SetLegalHold(ctx, nv.Code, "dispute"); err != nil || !h.Held || h.SetAt == nil {
		t.Fatalf("hold %+v %v", h, err)
	}
	if h, err := admin.LegalHold(ctx, nv.Code); err != nil || h.Reason != "dispute" {
		t.Fatalf("hold %+v %v", h, err)
	}
	if h, err := admin.ReleaseLegalHold(ctx, nv.Code); err != nil || h.Held {
		t.Fatalf("release %+v %v", h, err)
	}
	export, err := admin.ExportGuestData(ctx, "SEASIDE", api.GuestRef{BookingReference: "SEA-1"})
	if err != nil || export.Stay == nil || len(export.Conversations) != 1 || export.Conversations[0].Code != mc.Code ||
		len(export.Conversations[0].Messages) != 2 || len(export.Orders) != 1 {
		t.Fatalf("export %+v %v", export, err)
	}
	erased, err := admin.EraseGuestData(ctx, "SEASIDE", api.GuestRef{BookingReference: "SEA-1"})
	if err != nil || erased.Conversations != 1 || erased.Messages != 2 || !erased.OwnerErased {
		t.Fatalf("erase %+v %v", erased, err)
	}
	_, err = admin.ExportGuestData(ctx, "SEASIDE", api.GuestRef{BookingReference: "SEA-1"})
	wantCode(t, "erased stay", err, "StayNotFound", http.StatusNotFound)
	audit, err := admin.Audit(ctx, client.List{Limit: 200})
	if err != nil || !slices.ContainsFunc(audit.Entries, func(e api.AuditEntry) bool {
		return e.ObjectKind == "interfaceToken" || strings.Contains(e.Action, "interface")
	}) {
		t.Fatalf("audit %+v %v", audit, err)
	}

	// A webhook to a local endpoint, its deliveries, and their redelivery.
	var mu sync.Mutex
	var bodies int
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		bodies++
		mu.Unlock()
	}))
	defer hook.Close()
	wh, err := admin.CreateWebhook(ctx, "DEMO", api.WebhookRequest{URL: ptr(hook.URL), Kinds: &[]string{"message.created"}})
	if err != nil || wh.Secret == "" || !wh.Enabled {
		t.Fatalf("webhook %+v %v", wh, err)
	}
	ana := client.NewGuest(s.URL)
	if _, err := ana.Initialise(ctx, api.GuestInitialiseRequest{PropertyCode: "DEMO", InterfaceToken: demoToken, RoomNumber: "101", LastName: "Garcia"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ana.CreateConversation(ctx, api.GuestCreateConversationRequest{OutletCode: "FRONTDESK", Message: "Hola"}, ""); err != nil {
		t.Fatal(err)
	}
	var deliveries *api.DeliveryList
	for deadline := time.Now().Add(20 * time.Second); ; {
		deliveries, err = admin.Deliveries(ctx, "DEMO", wh.ID, "delivered", client.List{})
		if err == nil && len(deliveries.Deliveries) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no delivered delivery: %+v %v", deliveries, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	d := deliveries.Deliveries[0]
	if got, err := admin.Delivery(ctx, "DEMO", wh.ID, d.ID); err != nil || got.Kind != "message.created" || got.Attempts != 1 {
		t.Fatalf("delivery %+v %v", got, err)
	}
	if re, err := admin.Redeliver(ctx, "DEMO", wh.ID, d.ID); err != nil || re.ID != d.ID {
		t.Fatalf("redeliver %+v %v", re, err)
	}
	// Deliveries are made in real time, not on the server's test clock.
	if n, err := admin.RedeliverRange(ctx, "DEMO", wh.ID, api.RedeliverRequest{From: time.Now().Add(-time.Hour).Format(time.RFC3339),
		To: time.Now().Add(time.Hour).Format(time.RFC3339)}); err != nil || n != 1 {
		t.Fatalf("redeliver range %d %v", n, err)
	}
	if w, err := admin.UpdateWebhook(ctx, "DEMO", wh.ID, api.WebhookRequest{Enabled: ptr(false)}); err != nil || w.Enabled {
		t.Fatalf("update webhook %+v %v", w, err)
	}
	if l, err := admin.Webhooks(ctx, "DEMO"); err != nil || len(l.Webhooks) != 1 {
		t.Fatalf("webhooks %+v %v", l, err)
	}
	if w, err := admin.Webhook(ctx, "DEMO", wh.ID); err != nil || w.URL != hook.URL {
		t.Fatalf("webhook %+v %v", w, err)
	}
	if err := admin.DeleteWebhook(ctx, "DEMO", wh.ID); err != nil {
		t.Fatal(err)
	}
	_, err = admin.Webhook(ctx, "DEMO", wh.ID)
	wantCode(t, "deleted webhook", err, "WebhookNotFound", http.StatusNotFound)
	if k, err := admin.RevokeAPIKey(ctx, key.ID); err != nil || k.RevokedAt == nil {
		t.Fatalf("revoke key %+v %v", k, err)
	}
	if l, err := admin.APIKeys(ctx, client.List{}); err != nil || len(l.APIKeys) != 1 {
		t.Fatalf("keys %+v %v", l, err)
	}
	_, err = pms.Me(ctx)
	wantCode(t, "revoked key", err, "AuthenticationFailed", http.StatusUnauthorized)
}

// TestClientRetriesWritesOnce puts a proxy between the client and the server that loses the
// first answer of every write (the server did the write; the client sees a 502) and refuses
// the first read with a 429: the client tries again, with the write's key, and the server
// applies each write once.
func TestClientRetriesWritesOnce(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	target, _ := url.Parse(s.URL)
	rp := httputil.NewSingleHostReverseProxy(target)
	var mu sync.Mutex
	seen := map[string][]string{} // "METHOD path" → the Idempotency-Key of each try
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		call := r.Method + " " + r.URL.Path
		seen[call] = append(seen[call], r.Header.Get("Idempotency-Key"))
		first := len(seen[call]) == 1
		mu.Unlock()
		switch {
		case first && r.Method == http.MethodPost && !strings.Contains(r.URL.Path, "Initialise"):
			rec := httptest.NewRecorder()
			rp.ServeHTTP(rec, r) // the server writes; its answer is lost on the way back
			http.Error(w, "bad gateway", http.StatusBadGateway)
		case first && r.Method == http.MethodGet:
			w.Header().Set("Retry-After", "0")
			http.Error(w, "slow down", http.StatusTooManyRequests)
		default:
			rp.ServeHTTP(w, r)
		}
	}))
	defer proxy.Close()

	ctx := t.Context()
	guest := client.NewGuest(proxy.URL, client.WithStrictDecoding(), client.WithRetries(2), client.WithMaxWait(10*time.Millisecond))
	if _, err := guest.Initialise(ctx, api.GuestInitialiseRequest{PropertyCode: "DEMO", InterfaceToken: demoToken, RoomNumber: "102", LastName: "Smith"}); err != nil {
		t.Fatal(err)
	}
	conv, err := guest.CreateConversation(ctx, api.GuestCreateConversationRequest{OutletCode: "FRONTDESK", Message: "Late checkout?"}, "")
	if err != nil {
		t.Fatal(err)
	}
	msg, err := guest.AddMessage(ctx, conv.Code, "Until 2 pm, please.", "")
	if err != nil {
		t.Fatal(err)
	}
	list, err := guest.Conversations(ctx, "", client.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if list.TotalCount != 1 || list.Conversations[0].Code != conv.Code {
		t.Fatalf("conversations after retried create: %+v", list)
	}
	got, err := guest.Conversation(ctx, conv.Code)
	if err != nil || len(got.Messages) != 2 || got.Messages[1].Code != msg.Code {
		t.Fatalf("messages after retried add: %+v %v", got, err)
	}
	mu.Lock()
	for call, keys := range seen {
		if !strings.HasPrefix(call, "POST") || strings.Contains(call, "Initialise") {
			continue
		}
		if len(keys) != 2 || keys[0] == "" || keys[0] != keys[1] {
			t.Errorf("%s: tries with keys %q, want two with one key", call, keys)
		}
	}
	mu.Unlock()

	// Without retries the lost answer is the caller's error, typed, with the proxy's status.
	once := client.NewGuest(proxy.URL, client.WithRetries(0))
	once.SetToken(guest.Token())
	err = once.MarkRead(ctx, conv.Code, "") // the first call of this route loses its answer
	var ce *client.Error
	if !errors.As(err, &ce) || ce.StatusCode != http.StatusBadGateway || ce.Code != "" {
		t.Fatalf("unretried lost answer: %#v", err)
	}
}
