package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"concierge/internal/concierge"
	"concierge/internal/demo"
	"concierge/internal/password"
	"concierge/internal/sqlite"
)

// PrefillOptions says what Prefill writes.
type PrefillOptions struct {
	Messages         int // how many messages to add (rounded up to whole conversations)
	PerConversation  int // messages per conversation (default 10)
	ConversationsPer int // conversations per past stay (default 2)
	Batch            int // conversations per transaction (default 2000)
	Progress         io.Writer
}

// PrefillStats says what Prefill wrote.
type PrefillStats struct {
	Stays, Conversations, Messages int
	Elapsed                        time.Duration
}

// prefillTexts returns message texts with words the inbox search can look for.
func prefillTexts() []string {
	return []string{
		"Could you bring two more towels to the room, please?",
		"Of course, they are on their way.",
		"¿Pueden traer más toallas con el pedido?",
		"Is the spa open tomorrow morning?",
		"The spa opens at 9:00, shall I book a massage for you?",
		"Können Sie mir ein Taxi zum Flughafen bestellen?",
		"Le petit-déjeuner est servi jusqu'à quelle heure ?",
		"The air conditioning in my room is not working.",
		"A technician will come up in ten minutes.",
		"Thank you very much!",
	}
}

// Prefill fills the SQLite database at path (created with the demo data when new) with hotel
// history through the store's bulk inserts: past stays (departed 8 to 80 days ago: past the
// live events' retention, within the default retention of guest data), each with a few conversations of alternating guest and staff
// messages, all read. Bulk inserts write no live events (see internal/sqlite/bulk.go); the
// full-text index is filled as usual. It returns what it wrote.
func Prefill(ctx context.Context, path string, o PrefillOptions) (PrefillStats, error) {
	if o.PerConversation <= 0 {
		o.PerConversation = 10
	}
	if o.ConversationsPer <= 0 {
		o.ConversationsPer = 2
	}
	if o.Batch <= 0 {
		o.Batch = 2000
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	began := time.Now()
	db, err := sqlite.Open(ctx, path, slog.New(slog.DiscardHandler))
	if err != nil {
		return PrefillStats{}, err
	}
	defer db.Close()
	if _, err := demo.Load(ctx, db, began, password.Default); err != nil {
		return PrefillStats{}, fmt.Errorf("demo data: %w", err)
	}
	prop, err := db.PropertyByCode(ctx, "DEMO")
	if err != nil {
		return PrefillStats{}, fmt.Errorf("the database has no DEMO property: %w", err)
	}
	outlets, err := db.OutletsByProperty(ctx, prop.ID)
	if err != nil {
		return PrefillStats{}, err
	}
	var usable []concierge.Outlet
	for _, o := range outlets {
		if o.AllowGuestMessages {
			usable = append(usable, o)
		}
	}
	if len(usable) == 0 {
		return PrefillStats{}, fmt.Errorf("the DEMO property has no outlet taking guest messages")
	}
	admin, err := db.StaffUserByUsername(ctx, "admin")
	if err != nil {
		return PrefillStats{}, fmt.Errorf("the database has no admin user: %w", err)
	}

	convs := (o.Messages + o.PerConversation - 1) / o.PerConversation
	// History: conversations spread evenly over 70 days ending 9 days ago, oldest first, so
	// that the inbox and message indexes grow at their end as they would in production. Older
	// history would not survive: the server's retention job erases stays 90 days (the default)
	// after their departure, with their conversations.
	end := began.Add(-9 * 24 * time.Hour)
	span := 70 * 24 * time.Hour
	step := span / time.Duration(max(convs, 1))
	run := strconv.FormatInt(began.UnixNano()/1e6%(36*36*36*36*36), 36) // codes stay unique across runs
	langs := []string{"en", "es", "de", "fr"}
	texts := prefillTexts()
	var st PrefillStats
	lastReport := time.Now()
	for done := 0; done < convs; {
		n := min(o.Batch, convs-done)
		nStays := (n + o.ConversationsPer - 1) / o.ConversationsPer
		stays := make([]concierge.Stay, nStays)
		for i := range stays {
			k := (done + i*o.ConversationsPer)
			at := end.Add(-span + step*time.Duration(k))
			stays[i] = concierge.Stay{PropertyID: prop.ID, RoomNumber: strconv.Itoa(100 + k%400),
				FirstName: "Past", LastName: fmt.Sprintf("Guest%d", k), Language: langs[k%len(langs)],
				Arrival: concierge.DateOf(at, time.UTC).AddDays(-2), Departure: concierge.DateOf(at, time.UTC).AddDays(1),
				BookingReference: fmt.Sprintf("HIST-%s-%d", run, k)}
		}
		if err := db.BulkInsertStays(ctx, stays); err != nil {
			return st, err
		}
		batch := make([]sqlite.BulkConversation, n)
		for i := range batch {
			k := done + i
			stay := &stays[i/o.ConversationsPer]
			outlet := usable[k%len(usable)]
			at := end.Add(-span + step*time.Duration(k))
			msgs := make([]concierge.Message, o.PerConversation)
			for j := range msgs {
				created := at.Add(time.Duration(j) * 3 * time.Minute)
				read := created.Add(time.Minute)
				m := concierge.Message{Code: fmt.Sprintf("MH%s%011d%03d", run, k, j), Type: concierge.MessageGuest,
					AuthorFirstName: stay.FirstName, AuthorLastName: stay.LastName,
					Content: texts[(k+j)%len(texts)], Language: stay.Language,
					CreatedAt: created, ReadAt: &read}
				if j%2 == 1 {
					m.Type, m.StaffUserID = concierge.MessageStaff, &admin.ID
					m.AuthorFirstName, m.AuthorLastName, m.Language = "Demo", "Admin", "en"
				}
				msgs[j] = m
			}
			last := msgs[len(msgs)-1].CreatedAt
			batch[i] = sqlite.BulkConversation{Conversation: concierge.Conversation{
				Code: fmt.Sprintf("CH%s%011d", run, k), PropertyID: prop.ID, OutletID: outlet.ID,
				StayID: &stay.ID, Subject: outlet.Name, Status: concierge.ConversationClosed, Type: "guest",
				GuestFirstName: stay.FirstName, GuestLastName: stay.LastName, GuestLanguage: stay.Language,
				CreatedAt: at, UpdatedAt: last}, Messages: msgs}
		}
		if err := db.BulkInsertConversations(ctx, batch); err != nil {
			return st, err
		}
		done += n
		st.Stays += nStays
		st.Conversations += n
		st.Messages += n * o.PerConversation
		if time.Since(lastReport) > 2*time.Second || done == convs {
			lastReport = time.Now()
			el := time.Since(began)
			fmt.Fprintf(o.Progress, "prefill: %d/%d messages, %.0f messages/s\n", st.Messages, convs*o.PerConversation,
				float64(st.Messages)/el.Seconds())
		}
	}
	st.Elapsed = time.Since(began)
	return st, nil
}
