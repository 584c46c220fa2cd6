package sqlite

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"concierge/internal/concierge"
	"concierge/internal/demo"
	"concierge/internal/password"
)

// bulkFixture opens a database with the demo data and returns it with the demo property and
// its front desk outlet.
func bulkFixture(t *testing.T) (*DB, concierge.Property, concierge.Outlet) {
	t.Helper()
	db := openTemp(t)
	if _, err := demo.Load(t.Context(), db, time.Now(), password.Params{Memory: 64, Time: 1, Threads: 1}); err != nil {
		t.Fatal(err)
	}
	prop, err := db.PropertyByCode(t.Context(), "DEMO")
	if err != nil {
		t.Fatal(err)
	}
	outlets, err := db.OutletsByProperty(t.Context(), prop.ID)
	if err != nil || len(outlets) == 0 {
		t.Fatalf("outlets: %v %v", outlets, err)
	}
	return db, prop, outlets[0]
}

func TestBulkInsert(t *testing.T) {
	t.Parallel()
	db, prop, outlet := bulkFixture(t)
	ctx := t.Context()
	stays := []concierge.Stay{
		{PropertyID: prop.ID, RoomNumber: "901", FirstName: "Bulk", LastName: "One", Language: "en",
			Arrival: "2020-01-01", Departure: "2020-01-03", BookingReference: "BULK-1"},
		{PropertyID: prop.ID, RoomNumber: "902", FirstName: "Bulk", LastName: "Two", Language: "es",
			Arrival: "2020-01-01", Departure: "2020-01-03", BookingReference: "BULK-2"},
	}
	if err := db.BulkInsertStays(ctx, stays); err != nil {
		t.Fatal(err)
	}
	for _, s := range stays {
		got, err := db.StayByID(ctx, s.ID)
		if err != nil || got.BookingReference != s.BookingReference {
			t.Fatalf("StayByID(%d) = %+v, %v", s.ID, got, err)
		}
	}
	seqBefore, err := db.LatestEventSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2020, 1, 2, 10, 0, 0, 0, time.UTC)
	var convs []BulkConversation
	for i, s := range stays {
		c := BulkConversation{Conversation: concierge.Conversation{Code: fmt.Sprintf("CBULK%d", i),
			PropertyID: prop.ID, OutletID: outlet.ID, StayID: &stays[i].ID, Subject: outlet.Name,
			Status: concierge.ConversationOpen, GuestFirstName: s.FirstName, GuestLastName: s.LastName,
			GuestLanguage: s.Language, CreatedAt: at, UpdatedAt: at}}
		for j := range 3 {
			c.Messages = append(c.Messages, concierge.Message{Code: fmt.Sprintf("MBULK%d-%d", i, j),
				Type: concierge.MessageGuest, Content: fmt.Sprintf("zanzibar towels %d", j), Language: s.Language,
				CreatedAt: at.Add(time.Duration(j) * time.Minute)})
		}
		convs = append(convs, c)
	}
	if err := db.BulkInsertConversations(ctx, convs); err != nil {
		t.Fatal(err)
	}
	for _, c := range convs {
		got, err := db.ConversationByCode(ctx, c.Conversation.Code)
		if err != nil || got.ID != c.Conversation.ID {
			t.Fatalf("ConversationByCode(%s) = %+v, %v; want id %d", c.Conversation.Code, got, err, c.Conversation.ID)
		}
		msgs, err := db.ConversationMessages(ctx, got.ID, true)
		if err != nil || len(msgs) != 3 {
			t.Fatalf("ConversationMessages = %d, %v", len(msgs), err)
		}
		for j, m := range msgs {
			want := c.Messages[j]
			if m.ID != want.ID || m.Seq != int64(j+1) || want.ConversationID != got.ID || m.Code != want.Code {
				t.Errorf("message %d = %+v; want %+v", j, m, want)
			}
		}
	}
	// The guest sees the stay's messages; the full-text index finds them; no event was appended.
	gm, total, err := db.GuestMessages(ctx, concierge.Owner{PropertyID: prop.ID, StayID: &stays[1].ID}, concierge.Page{})
	if err != nil || total != 3 || len(gm) != 3 {
		t.Fatalf("GuestMessages = %d/%d, %v", len(gm), total, err)
	}
	found, err := db.Inbox(ctx, concierge.InboxQuery{Scope: concierge.InboxScope{All: true}, Terms: []string{"zanzib"}})
	if err != nil || len(found) != 2 {
		t.Fatalf("Inbox search = %d, %v; want both bulk conversations", len(found), err)
	}
	if seq, err := db.LatestEventSeq(ctx); err != nil || seq != seqBefore {
		t.Fatalf("LatestEventSeq = %d, %v; want %d (bulk inserts append no events)", seq, err, seqBefore)
	}
	// A message continues the bulk sequence.
	next := concierge.Message{Code: "MNEXT", ConversationID: convs[0].Conversation.ID, Type: concierge.MessageStaff,
		Content: "on their way", Language: "en", CreatedAt: at.Add(time.Hour)}
	if err := concierge.NewConversations(db).AddMessage(ctx, &next, concierge.ConversationOpen, next.CreatedAt); err != nil || next.Seq != 4 {
		t.Fatalf("AddMessage after bulk: seq %d, %v; want 4", next.Seq, err)
	}
}

func TestBulkInsertConflictStoresNothing(t *testing.T) {
	t.Parallel()
	db, prop, outlet := bulkFixture(t)
	ctx := t.Context()
	at := time.Now()
	conv := func(code, msgCode string) BulkConversation {
		return BulkConversation{Conversation: concierge.Conversation{Code: code, PropertyID: prop.ID,
			OutletID: outlet.ID, Subject: "s", Status: concierge.ConversationOpen, CreatedAt: at, UpdatedAt: at},
			Messages: []concierge.Message{{Code: msgCode, Type: concierge.MessageGuest, Content: "x", Language: "en", CreatedAt: at}}}
	}
	if err := db.BulkInsertConversations(ctx, []BulkConversation{conv("CDUP", "MDUP")}); err != nil {
		t.Fatal(err)
	}
	err := db.BulkInsertConversations(ctx, []BulkConversation{conv("CNEW", "MNEW"), conv("CNEW2", "MDUP")})
	if !errors.Is(err, concierge.ErrConflict) {
		t.Fatalf("duplicate message code: %v; want ErrConflict", err)
	}
	if _, err := db.ConversationByCode(ctx, "CNEW"); !errors.Is(err, concierge.ErrNotFound) {
		t.Fatalf("CNEW after a failed batch: %v; want ErrNotFound (nothing stored)", err)
	}
	bad := conv("CBAD", "MBAD")
	bad.Conversation.OutletID = 999999
	if err := db.BulkInsertConversations(ctx, []BulkConversation{bad}); err == nil {
		t.Fatal("unknown outlet: want an error")
	}
	if err := db.BulkInsertStays(ctx, []concierge.Stay{{PropertyID: 999999, RoomNumber: "1", Arrival: "2020-01-01",
		Departure: "2020-01-02"}}); err == nil {
		t.Fatal("unknown property: want an error")
	}
	if err := db.BulkInsertStays(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.BulkInsertConversations(ctx, nil); err != nil {
		t.Fatal(err)
	}
}
