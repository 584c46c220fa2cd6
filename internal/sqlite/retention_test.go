package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"concierge/internal/concierge"
	"concierge/internal/storetest"
)

// findInEveryTable returns, for each needle found (case-insensitively) in any text or blob
// value of any table of the database (sqlite_master: shadow tables of the search index
// included), where it was found.
func findInEveryTable(t *testing.T, conn *sql.DB, needles []string) []string {
	t.Helper()
	ctx := context.Background()
	tables, err := storetest.SQLiteTables(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) < 20 {
		t.Fatalf("only %d tables: %v", len(tables), tables)
	}
	found, err := storetest.FindInTables(ctx, conn, tables, needles)
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// TestEraseLeavesNothing: after erasing a stay and a non-verified guest, no table holds their
// names, identifier or texts (nor translations of them, in the translation tables, the cache or
// the search index), while another guest's data stays.
func TestEraseLeavesNothing(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	ctx := t.Context()
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	prop := concierge.Property{Code: "ERASE", Name: "Erase Hotel", TimeZone: "UTC", DefaultLanguage: "en", CreatedAt: now}
	must(t, db.CreateProperty(ctx, &prop))
	sc := concierge.ServiceCenter{PropertyID: prop.ID, Code: "FO", Name: "Front", StaffLanguage: "en"}
	must(t, db.CreateServiceCenter(ctx, &sc))
	out := concierge.Outlet{PropertyID: prop.ID, Code: "DESK", Name: "Desk", ServiceCenterID: sc.ID, AllowGuestMessages: true}
	must(t, db.CreateOutlet(ctx, &out))
	stay := concierge.Stay{PropertyID: prop.ID, RoomNumber: "404", FirstName: "Zebulon", LastName: "Quixotefarb",
		Language: "es", Arrival: "2026-02-01", Departure: "2026-02-03", BookingReference: "BK-ZQ-1"}
	other := concierge.Stay{PropertyID: prop.ID, RoomNumber: "405", FirstName: "Keep", LastName: "Mehere",
		Language: "es", Arrival: "2026-02-01", Departure: "2026-02-03", BookingReference: "BK-KEEP"}
	must(t, db.CreateStay(ctx, &stay))
	must(t, db.CreateStay(ctx, &other))
	guest, err := db.EnsureGuest(ctx, prop.ID, "nv-guest-periquito", now)
	must(t, err)
	order := concierge.Order{PropertyID: prop.ID, Code: "ORD-ZQ", StayID: &stay.ID, OutletID: &out.ID, Status: concierge.OrderPending, UpdatedAt: now}
	must(t, db.CreateOrder(ctx, &order))
	sess := concierge.Session{PropertyID: prop.ID, StayID: &stay.ID, Language: "es", IssuedAt: now, ExpiresAt: now.Add(time.Hour), LastSeenAt: now}
	must(t, concierge.NewGuestSessions(db).Create(ctx, &sess))

	conv := func(stayID, guestID *int64, first, last, text string) (concierge.Conversation, concierge.Message) {
		c := concierge.Conversation{Code: concierge.NewCode("C"), PropertyID: prop.ID, OutletID: out.ID, StayID: stayID,
			GuestID: guestID, Subject: "Desk", Status: concierge.ConversationOpen, GuestFirstName: first, GuestLastName: last,
			GuestLanguage: "es", CreatedAt: now, UpdatedAt: now}
		m := concierge.Message{Code: concierge.NewCode("M"), Type: concierge.MessageGuest, AuthorFirstName: first,
			AuthorLastName: last, Content: text, Language: "es", CreatedAt: now}
		must(t, concierge.NewConversations(db).Create(ctx, &c, &m))
		return c, m
	}
	c1, m1 := conv(&stay.ID, nil, "Zebulon", "Quixotefarb", "Necesito un unicornio violeta")
	reply := concierge.Message{Code: concierge.NewCode("M"), ConversationID: c1.ID, Type: concierge.MessageStaff,
		AuthorFirstName: "Staff", Content: "Tenemos hipopótamos azules", Language: "en", CreatedAt: now}
	must(t, concierge.NewConversations(db).AddMessage(ctx, &reply, concierge.ConversationOpen, now))
	c2, _ := conv(nil, &guest.ID, "", "", "Soy anónimo con un periquito parlanchín")
	kept, keptMsg := conv(&other.ID, nil, "Keep", "Mehere", "Quedarse aquí tranquilamente")

	// What other parts of the server derive from those texts: translations (indexed for
	// search), the translation cache, a remembered answer, a webhook delivery.
	for _, tr := range []struct {
		msg  int64
		text string
	}{{m1.ID, "I need a purple unicorn"}, {reply.ID, "Tenemos hipopótamos azules (es)"}, {keptMsg.ID, "Staying here calmly"}} {
		_, err := db.writer.ExecContext(ctx, `INSERT INTO translations (message_id, language, source, state, content,
			next_attempt_at, updated_at) VALUES (?, 'xx', 'es', 'done', ?, 0, 0)`, tr.msg, tr.text)
		must(t, err)
		_, err = db.writer.ExecContext(ctx, `INSERT INTO message_text (rowid, text, message_id, language) VALUES (?, ?, ?, 'xx')`,
			-tr.msg*textRowsPerMessage, tr.text, tr.msg)
		must(t, err)
	}
	must(t, db.CacheTranslation(ctx, "es", "en", m1.Content, "I need a purple unicorn", now))
	must(t, db.CacheTranslation(ctx, "es", "en", keptMsg.Content, "Staying here calmly", now))
	_, _, err = db.ReserveIdempotencyKey(ctx, concierge.IdempotentRecord{Scope: "s", Key: "k1", RequestHash: []byte{1}, CreatedAt: now})
	must(t, err)
	must(t, db.CompleteIdempotencyKey(ctx, concierge.IdempotentRecord{Scope: "s", Key: "k1", Status: 200,
		ContentType: "application/json", Body: []byte(`{"conversation":{"code":"` + c1.Code + `","guestFirstName":"Zebulon"}}`),
		StayID: c1.StayID}))
	w := concierge.Webhook{PropertyID: prop.ID, URL: "https://example.com/h", Kinds: []concierge.EventKind{concierge.EventMessageCreated},
		Secret: "whsec_0123456789abcdef", Enabled: true, CreatedAt: now, UpdatedAt: now}
	w.Cursor = 0
	must(t, concierge.NewConfiguration(db).CreateWebhook(ctx, &w, nil))
	_, err = db.AdvanceWebhook(ctx, w.ID, w.Cursor, w.Cursor+1, []concierge.WebhookDelivery{{ID: "whd_zq", WebhookID: w.ID,
		EventSeq: w.Cursor + 1, Kind: concierge.EventMessageCreated, ConversationID: c1.ID,
		Body: []byte(`{"message":{"content":"Necesito un unicornio violeta"}}`), Status: concierge.DeliveryPending,
		NextAttemptAt: now, WindowStart: now, CreatedAt: now}})
	must(t, err)

	needles := []string{"Zebulon", "Quixotefarb", "unicornio", "purple unicorn", "hipopótamos", "periquito", "parlanchín",
		"nv-guest-periquito", "BK-ZQ-1", "ORD-ZQ", c1.Code, c2.Code, m1.Code}
	if found := findInEveryTable(t, db.readers, needles); len(found) < len(needles) {
		t.Fatalf("the sweep finds too little before erasure (is it searching?): %v", found)
	}

	audit := &concierge.AuditEntry{At: now, ActorKind: concierge.ActorSystem, Action: concierge.AuditGuestDataErased,
		ObjectKind: "stay", ObjectRef: fmt.Sprintf("stay:%d", stay.ID), PropertyID: &prop.ID}
	e, err := concierge.NewErasures(db, nil).Erase(ctx, concierge.Owner{PropertyID: prop.ID, StayID: &stay.ID}, audit)
	must(t, err)
	if e != (concierge.Erasure{Conversations: 1, Messages: 2, OwnerErased: true}) {
		t.Errorf("stay erasure %+v", e)
	}
	e, err = concierge.NewErasures(db, nil).Erase(ctx, concierge.Owner{PropertyID: prop.ID, GuestID: &guest.ID}, nil)
	must(t, err)
	if e != (concierge.Erasure{Conversations: 1, Messages: 1, OwnerErased: true}) {
		t.Errorf("guest erasure %+v", e)
	}
	if found := findInEveryTable(t, db.readers, needles); len(found) > 0 {
		t.Errorf("erased data is still in the database:\n%s", strings.Join(found, "\n"))
	}
	// The other stay keeps everything, search included.
	if found := findInEveryTable(t, db.readers, []string{"Mehere", "tranquilamente", "Staying here calmly", kept.Code}); len(found) < 4 {
		t.Errorf("the other stay lost data: %v", found)
	}
	var hits int
	must(t, db.readers.QueryRowContext(ctx, `SELECT count(*) FROM message_text WHERE message_text MATCH 'tranquilamente'`).Scan(&hits))
	if hits != 1 {
		t.Errorf("search finds the kept message %d times", hits)
	}
	must(t, db.readers.QueryRowContext(ctx, `SELECT count(*) FROM message_text WHERE message_text MATCH 'unicornio OR periquito OR unicorn'`).Scan(&hits))
	if hits != 0 {
		t.Errorf("search still finds erased texts %d times", hits)
	}
}
