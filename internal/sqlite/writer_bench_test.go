package sqlite

import (
	"concierge/internal/concierge"
	"fmt"
	"sync/atomic"
	"testing"
)

// BenchmarkStoreCreateConversation measures the store alone (no HTTP): CreateConversation with a
// first message, from 1 or 32 goroutines per GOMAXPROCS, on a real file with
// synchronous=FULL. With one writer each call pays a whole commit; with many, group commit
// shares commits between them. See docs/benchmarks.md.
func BenchmarkStoreCreateConversation(b *testing.B) {
	for _, par := range []int{1, 32} {
		b.Run(fmt.Sprintf("writers=%dxGOMAXPROCS", par), func(b *testing.B) {
			db, err := Open(b.Context(), b.TempDir()+"/bench.db", nil)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			o := batchWorld(b, db)
			var next atomic.Int64
			b.SetParallelism(par)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := next.Add(1)
					c, m := newConversation(o, fmt.Sprintf("C%d", i), fmt.Sprintf("M%d", i))
					if err := concierge.NewConversations(db).Create(b.Context(), &c, &m); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			if s := b.Elapsed().Seconds(); s > 0 {
				b.ReportMetric(float64(b.N)/s, "writes/s")
			}
		})
	}
}

// BenchmarkStoreAddMessage measures AddMessage alone (no HTTP) from 32 goroutines per
// GOMAXPROCS into 500 conversations, as the load tool's reply scenario does through the API.
func BenchmarkStoreAddMessage(b *testing.B) {
	db, err := Open(b.Context(), b.TempDir()+"/bench.db", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	o := batchWorld(b, db)
	convs := make([]int64, 500)
	for i := range convs {
		c, m := newConversation(o, fmt.Sprintf("C%d", i), fmt.Sprintf("M%d", i))
		if err := concierge.NewConversations(db).Create(b.Context(), &c, &m); err != nil {
			b.Fatal(err)
		}
		convs[i] = c.ID
	}
	var next atomic.Int64
	b.SetParallelism(32)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			_, m := newConversation(o, "", fmt.Sprintf("R%d", i))
			m.ConversationID = convs[int(i)%len(convs)]
			if err := concierge.NewConversations(db).AddMessage(b.Context(), &m, concierge.ConversationOpen, m.CreatedAt); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, "writes/s")
	}
}
