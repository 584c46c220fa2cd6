package postgres

import (
	"errors"
	"fmt"

	"concierge/internal/concierge"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// isUnique reports whether err is a violation of a UNIQUE or PRIMARY KEY constraint.
func isUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// storeErr maps an engine error to the Store's: pgx.ErrNoRows (or a bare concierge.ErrNotFound)
// becomes concierge.ErrNotFound and a uniqueness violation concierge.ErrConflict, both wrapped
// with what (the object concerned); any other error is wrapped as it is. nil stays nil.
func storeErr(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, pgx.ErrNoRows), errors.Is(err, concierge.ErrNotFound):
		return fmt.Errorf("postgres: %s: %w", what, concierge.ErrNotFound)
	case isUnique(err):
		return fmt.Errorf("postgres: %s: %w (%w)", what, concierge.ErrConflict, err)
	default:
		return fmt.Errorf("postgres: %s: %w", what, err)
	}
}

// notFoundUnlessOne returns concierge.ErrNotFound unless tag reports exactly one changed row.
func notFoundUnlessOne(tag pgconn.CommandTag) error {
	if tag.RowsAffected() != 1 {
		return concierge.ErrNotFound
	}
	return nil
}
