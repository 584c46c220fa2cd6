package postgres

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"concierge/internal/concierge"
)

func TestBulkInsert(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	ctx := t.Context()
	w := newWorld(t, db)
	stays := []concierge.Stay{
		{PropertyID: w.p.ID, RoomNumber: "901", FirstName: "Bulk", LastName: "One", Language: "en",
			Arrival: "2020-01-01", Departure: "2020-01-03", BookingReference: "BULK-1"},
		{PropertyID: w.p.ID, RoomNumber: "902", FirstName: "Bulk", LastName: "Two", Language: "es",
			Arrival: "2020-01-01", Departure: "2020-01-03", BookingReference: "BULK-2"},
	}
	must(t, db.BulkInsertStays(ctx, stays))
	for _, s := range stays {
		got, err := db.StayByID(ctx, s.ID)
		if err != nil || got != s {
			t.Fatalf("StayByID(%d) = %+v, %v; want %+v", s.ID, got, err, s)
		}
	}
	seqBefore, err := db.LatestEventSeq(ctx)
	must(t, err)
	at := time.Date(2020, 1, 2, 10, 0, 0, 0, time.UTC)
	var convs []BulkConversation
	for i, s := range stays {
		c := BulkConversation{Conversation: concierge.Conversation{Code: fmt.Sprintf("CBULK%d", i),
			PropertyID: w.p.ID, OutletID: w.o.ID, StayID: &stays[i].ID, Subject: "FD",
			Status: concierge.ConversationOpen, GuestFirstName: s.FirstName, GuestLastName: s.LastName,
			GuestLanguage: s.Language, OrderForm: []byte(`{"a": 1}`), CreatedAt: at, UpdatedAt: at}}
		for j := range 3 {
			c.Messages = append(c.Messages, concierge.Message{Code: fmt.Sprintf("MBULK%d-%d", i, j),
				Type: concierge.MessageGuest, Content: fmt.Sprintf("zanzíbar towels %d", j), Language: s.Language,
				CreatedAt: at.Add(time.Duration(j) * time.Minute)})
		}
		convs = append(convs, c)
	}
	convs = append(convs, BulkConversation{Conversation: concierge.Conversation{Code: "CBULK-EMPTY",
		PropertyID: w.p.ID, OutletID: w.o.ID, Status: concierge.ConversationClosed, CreatedAt: at, UpdatedAt: at}})
	must(t, db.BulkInsertConversations(ctx, convs))
	for _, c := range convs {
		got, err := db.ConversationByCode(ctx, c.Conversation.Code)
		must(t, err)
		wantConv := c.Conversation
		if got.ID != wantConv.ID || got.Code != wantConv.Code || string(got.OrderForm) != string(wantConv.OrderForm) ||
			!got.CreatedAt.Equal(at) {
			t.Errorf("ConversationByCode(%s) = %+v, want %+v", c.Conversation.Code, got, wantConv)
		}
		msgs, err := db.ConversationMessages(ctx, got.ID, true)
		must(t, err)
		if len(msgs) != len(c.Messages) {
			t.Fatalf("%s: %d messages, want %d", c.Conversation.Code, len(msgs), len(c.Messages))
		}
		for j, m := range msgs {
			want := c.Messages[j]
			if m.ID != want.ID || m.Seq != int64(j+1) || want.Seq != m.Seq || m.ConversationID != got.ID ||
				m.Content != want.Content || !m.CreatedAt.Equal(want.CreatedAt) {
				t.Errorf("message %d: %+v, want %+v", j, m, want)
			}
		}
	}
	items, err := db.Inbox(ctx, concierge.InboxQuery{Scope: concierge.InboxScope{All: true}, Terms: []string{"zanzibar"}})
	must(t, err)
	if len(items) != 2 {
		t.Errorf("search finds %d bulk conversations, want 2", len(items))
	}
	seqAfter, err := db.LatestEventSeq(ctx)
	must(t, err)
	if seqAfter != seqBefore {
		t.Errorf("bulk inserts appended events: seq %d → %d", seqBefore, seqAfter)
	}
	// The next message of a bulk conversation continues its sequence.
	m := concierge.Message{Code: "MBULK-NEXT", ConversationID: convs[0].Conversation.ID, Type: concierge.MessageStaff}
	must(t, concierge.NewConversations(db).AddMessage(ctx, &m, concierge.ConversationOpen, at))
	if m.Seq != 4 {
		t.Errorf("next seq %d, want 4", m.Seq)
	}

	// Failures store nothing.
	dup := []BulkConversation{{Conversation: concierge.Conversation{Code: "CBULK-NEW", PropertyID: w.p.ID,
		OutletID: w.o.ID, CreatedAt: at, UpdatedAt: at}}, {Conversation: concierge.Conversation{Code: "CBULK0",
		PropertyID: w.p.ID, OutletID: w.o.ID, CreatedAt: at, UpdatedAt: at}}}
	if err := db.BulkInsertConversations(ctx, dup); !errors.Is(err, concierge.ErrConflict) {
		t.Errorf("bulk insert with a taken code: %v, want a conflict", err)
	}
	if _, err := db.ConversationByCode(ctx, "CBULK-NEW"); !errors.Is(err, concierge.ErrNotFound) {
		t.Errorf("a failed bulk insert stored a conversation: %v", err)
	}
	bad := []concierge.Stay{{PropertyID: w.p.ID, BookingReference: "BULK-3"}, {PropertyID: w.p.ID + 1000}}
	if err := db.BulkInsertStays(ctx, bad); err == nil {
		t.Error("bulk insert of a stay at a missing property succeeded")
	}
	if _, err := db.StayByReference(ctx, w.p.ID, "BULK-3"); !errors.Is(err, concierge.ErrNotFound) {
		t.Errorf("a failed bulk insert stored a stay: %v", err)
	}
	must(t, db.BulkInsertStays(ctx, nil))
	must(t, db.BulkInsertConversations(ctx, nil))
}
