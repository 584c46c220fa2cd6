package postgres

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"concierge/internal/concierge"
)

// BenchmarkCreateConversation creates conversations with a first message from parallel
// goroutines (two events each, so every commit takes the event counter).
func BenchmarkCreateConversation(b *testing.B) {
	db := openDSNTB(b, newDatabase(b))
	w := benchWorld(b, db)
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			c := concierge.Conversation{Code: fmt.Sprintf("C%d", i), PropertyID: w.p.ID, OutletID: w.o.ID,
				Status: concierge.ConversationOpen, CreatedAt: time.Now(), UpdatedAt: time.Now()}
			m := concierge.Message{Code: fmt.Sprintf("M%d", i), Type: concierge.MessageGuest,
				Content: "Could I have more towels, please?", Language: "en", CreatedAt: time.Now()}
			if err := concierge.NewConversations(db).Create(b.Context(), &c, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkTouchSession updates one session's activity from parallel goroutines (a single
// statement without events).
func BenchmarkTouchSession(b *testing.B) {
	db := openDSNTB(b, newDatabase(b))
	w := benchWorld(b, db)
	ids := make([]int64, 64)
	for i := range ids {
		s := concierge.Session{PropertyID: w.p.ID, Language: "en"}
		if err := concierge.NewGuestSessions(db).Create(b.Context(), &s); err != nil {
			b.Fatal(err)
		}
		ids[i] = s.ID
	}
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := ids[n.Add(1)%int64(len(ids))]
			if err := db.TouchSession(b.Context(), id, time.Now(), time.Now().Add(time.Hour)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchWorld is newWorld for benchmarks.
func benchWorld(b *testing.B, db *DB) world {
	b.Helper()
	ctx := b.Context()
	var w world
	w.p = concierge.Property{Code: "P", Name: "P", TimeZone: "UTC", DefaultLanguage: "en"}
	w.sc = concierge.ServiceCenter{Code: "FO", Name: "FO", StaffLanguage: "en"}
	w.o = concierge.Outlet{Code: "FD", Name: "FD"}
	if err := db.CreateProperty(ctx, &w.p); err != nil {
		b.Fatal(err)
	}
	w.sc.PropertyID = w.p.ID
	if err := db.CreateServiceCenter(ctx, &w.sc); err != nil {
		b.Fatal(err)
	}
	w.o.PropertyID, w.o.ServiceCenterID = w.p.ID, w.sc.ID
	if err := db.CreateOutlet(ctx, &w.o); err != nil {
		b.Fatal(err)
	}
	return w
}
