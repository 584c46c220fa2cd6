package sqlite

import (
	"database/sql"
	"testing"
)

// TestTempStoreInMemory checks that every connection keeps temporary files (the savepoints'
// statement journals, sorters) in memory: temp_store is 2 (MEMORY).
func TestTempStoreInMemory(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	var reader, writer int
	if err := db.readers.QueryRowContext(t.Context(), `PRAGMA temp_store`).Scan(&reader); err != nil {
		t.Fatal(err)
	}
	if err := db.write(t.Context(), func(tx *sql.Tx) error {
		return tx.QueryRowContext(t.Context(), `PRAGMA temp_store`).Scan(&writer)
	}); err != nil {
		t.Fatal(err)
	}
	if reader != 2 || writer != 2 {
		t.Errorf("temp_store: readers %d, writer %d; want 2 (MEMORY)", reader, writer)
	}
}
