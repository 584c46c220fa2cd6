package sqlite

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCheckpointerCopiesTheWAL: committed pages reach the database file through the
// checkpointer, although the writer's own automatic checkpoint is far from its bound; and the
// writer connection's bound is the one configured.
func TestCheckpointerCopiesTheWAL(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "concierge.db")
	db, err := Open(t.Context(), path, testLogger(t))
	must(t, err)
	defer db.Close()

	var bound int
	must(t, db.writer.QueryRowContext(t.Context(), `PRAGMA wal_autocheckpoint`).Scan(&bound))
	if bound != writerAutoCheckpoint {
		t.Errorf("writer wal_autocheckpoint = %d, want %d", bound, writerAutoCheckpoint)
	}

	scratchTable(t, db)
	before := fileSize(t, path)
	// About 1.2 MB: ~300 pages, far below the writer's bound of 20,000.
	must(t, db.write(t.Context(), func(tx *sql.Tx) error {
		for i := range 300 {
			if _, err := tx.ExecContext(t.Context(), `INSERT INTO scratch VALUES (?, ?)`,
				strings.Repeat("x", 4000)+string(rune('a'+i%26))+time.Duration(i).String(), i); err != nil {
				return err
			}
		}
		// Stay in the transaction over a few of the checkpointer's ticks: a tick that sees a
		// transaction under way must not count it as checkpointed (it once did, and then no
		// later tick copied its pages).
		time.Sleep(3 * checkpointInterval)
		return nil
	}))
	// Wait (not a timing assertion: the deadline only ends a failing run) for the file to grow.
	deadline := time.Now().Add(30 * time.Second)
	for fileSize(t, path) < before+1<<20 {
		if time.Now().After(deadline) {
			t.Fatalf("database file still %d bytes (was %d) 30 s after the commit: nothing checkpointed", fileSize(t, path), before)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	must(t, err)
	return fi.Size()
}
