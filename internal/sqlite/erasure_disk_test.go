package sqlite

import (
	"database/sql"
	"testing"
)

// TestSecureDelete: the writer and checkpointer connections overwrite deleted content with
// zeros (PRAGMA secure_delete), and the full-text index removes deleted rows' terms at once
// (FTS5 secure-delete), so that an erasure leaves nothing in the database file.
func TestSecureDelete(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	var writer, checkpointer, fts int
	must(t, db.write(t.Context(), func(tx *sql.Tx) error {
		return tx.QueryRowContext(t.Context(), `PRAGMA secure_delete`).Scan(&writer)
	}))
	must(t, db.checkpointer.QueryRowContext(t.Context(), `PRAGMA secure_delete`).Scan(&checkpointer))
	must(t, db.readers.QueryRowContext(t.Context(), `SELECT v FROM message_text_config WHERE k = 'secure-delete'`).Scan(&fts))
	if writer != 1 || checkpointer != 1 {
		t.Errorf("secure_delete: writer %d, checkpointer %d; want 1", writer, checkpointer)
	}
	if fts != 1 {
		t.Errorf("message_text secure-delete = %d, want 1", fts)
	}
}
