package sqlite

import (
	"database/sql"
	"errors"
	"fmt"

	"concierge/internal/concierge"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// isUnique reports whether err is a violation of a UNIQUE or PRIMARY KEY constraint.
func isUnique(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// storeErr maps an engine error to the Store's: sql.ErrNoRows (or a bare concierge.ErrNotFound)
// becomes concierge.ErrNotFound and a uniqueness violation concierge.ErrConflict, both wrapped
// with what (the object concerned); any other error is wrapped as it is. nil stays nil.
func storeErr(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows), errors.Is(err, concierge.ErrNotFound):
		return fmt.Errorf("sqlite: %s: %w", what, concierge.ErrNotFound)
	case isUnique(err):
		return fmt.Errorf("sqlite: %s: %w (%w)", what, concierge.ErrConflict, err)
	default:
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
}

// notFoundUnlessOne returns concierge.ErrNotFound unless res changed exactly one row.
func notFoundUnlessOne(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return concierge.ErrNotFound
	}
	return nil
}
