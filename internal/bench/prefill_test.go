package bench

import (
	"path/filepath"
	"testing"
)

// BenchmarkPrefill measures the bulk fill of a fresh database, per message.
func BenchmarkPrefill(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		db := filepath.Join(b.TempDir(), "p.db")
		b.StartTimer()
		if _, err := Prefill(b.Context(), db, PrefillOptions{Messages: 100000}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*100000/b.Elapsed().Seconds(), "messages/s")
}
