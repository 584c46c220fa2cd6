package postgres

// Shared by every node on the database: see the comment at the top of ratelimit.go.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// SessionKeys returns the guest session signing keys kept in the database, the current one
// first, then the previous ones still accepted. Every node uses them, so that a token signed by
// one node is accepted by the others. When the database keeps none yet it stores fresh as the
// current key and returns created true; when another node stores one at the same moment, that
// one is returned instead. It returns an error when fresh is empty or the database fails.
func (db *DB) SessionKeys(ctx context.Context, fresh []byte, now time.Time) (keys [][]byte, created bool, err error) {
	if len(fresh) == 0 {
		return nil, false, errors.New("postgres: session keys: no fresh key given")
	}
	tag, err := db.pool.Exec(ctx, `
		INSERT INTO session_keys (position, key, created_at)
		SELECT 0, $1, $2 WHERE NOT EXISTS (SELECT FROM session_keys)
		ON CONFLICT (position) DO NOTHING`, fresh, now)
	if err != nil {
		return nil, false, fmt.Errorf("postgres: session keys: %w", err)
	}
	rows, err := db.pool.Query(ctx, `SELECT key FROM session_keys ORDER BY position`)
	if err != nil {
		return nil, false, fmt.Errorf("postgres: session keys: %w", err)
	}
	keys, err = pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, false, fmt.Errorf("postgres: session keys: %w", err)
	}
	return keys, tag.RowsAffected() == 1, nil
}

// RotateSessionKeys makes fresh the current session signing key and the current one the only
// previous key (older previous keys are dropped), in one transaction. Running nodes sign with
// the new key once restarted. It returns an error when fresh is empty or the database fails.
func (db *DB) RotateSessionKeys(ctx context.Context, fresh []byte, now time.Time) error {
	if len(fresh) == 0 {
		return errors.New("postgres: rotate session keys: no fresh key given")
	}
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		// Rotations from two places at once take turns.
		if _, err := tx.Exec(ctx, `LOCK TABLE session_keys IN EXCLUSIVE MODE`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM session_keys WHERE position > 0`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE session_keys SET position = 1 WHERE position = 0`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO session_keys (position, key, created_at) VALUES (0, $1, $2)`, fresh, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: rotate session keys: %w", err)
	}
	return nil
}
