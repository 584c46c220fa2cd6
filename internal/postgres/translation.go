package postgres

import (
	"context"
	"crypto/sha256"
	"strings"
	"time"

	"concierge/internal/concierge"
)

// The concierge.TranslationStore methods. Jobs are queued with their message, in the statement
// that inserts it (insertMessage, message.go).

// ClaimTranslations returns up to limit due Pending jobs, earliest due first, counting an
// attempt for each and moving its next attempt to now+lease, in one statement. Jobs another
// node is claiming at the same moment are skipped (SKIP LOCKED), so each is claimed once.
func (db *DB) ClaimTranslations(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]concierge.TranslationJob, error) {
	if limit <= 0 {
		return nil, nil
	}
	var out []concierge.TranslationJob
	err := db.write(ctx, func(tx *wtx) error {
		out = out[:0]
		rows, err := tx.Query(ctx, `WITH due AS (
				SELECT message_id, language, next_attempt_at FROM translations
				WHERE state = 'pending' AND next_attempt_at <= $1
				ORDER BY next_attempt_at, message_id LIMIT $2
				FOR UPDATE SKIP LOCKED),
			claimed AS (
				UPDATE translations t SET attempts = t.attempts + 1, next_attempt_at = $3, updated_at = $1
				FROM due WHERE t.message_id = due.message_id AND t.language = due.language
				RETURNING t.message_id, t.language, t.source, t.attempts, due.next_attempt_at AS due_at)
			SELECT cl.message_id, m.conversation_id, c.property_id, m.content, cl.source, cl.language,
				cl.attempts
			FROM claimed cl JOIN messages m ON m.id = cl.message_id
			JOIN conversations c ON c.id = m.conversation_id
			ORDER BY cl.due_at, cl.message_id, cl.language`, now, limit, now.Add(lease))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var j concierge.TranslationJob
			if err := rows.Scan(&j.MessageID, &j.ConversationID, &j.PropertyID, &j.Text, &j.Source,
				&j.Target, &j.Attempts); err != nil {
				return err
			}
			out = append(out, j)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, storeErr(err, "claim translations")
	}
	return out, nil
}

// TranslationQueue counts the Pending translations and finds the oldest one's message time.
func (db *DB) TranslationQueue(ctx context.Context) (concierge.TranslationQueue, error) {
	var q concierge.TranslationQueue
	var oldest *time.Time
	err := db.pool.QueryRow(ctx, `SELECT count(*), min(m.created_at)
		FROM translations t JOIN messages m ON m.id = t.message_id WHERE t.state = 'pending'`).Scan(&q.Pending, &oldest)
	if err != nil {
		return q, storeErr(err, "translation queue")
	}
	if oldest != nil {
		q.Oldest = *oldest
	}
	return q, nil
}

// Translations lists the translations of the given messages, by message id then language.
func (db *DB) Translations(ctx context.Context, messageIDs []int64) ([]concierge.Translation, error) {
	if len(messageIDs) == 0 {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT message_id, language, source, state, content,
		attempts, last_error, next_attempt_at, updated_at FROM translations
		WHERE message_id = ANY($1) ORDER BY message_id, language COLLATE "C"`, messageIDs)
	if err != nil {
		return nil, storeErr(err, "translations")
	}
	defer rows.Close()
	var out []concierge.Translation
	for rows.Next() {
		var t concierge.Translation
		var state string
		if err := rows.Scan(&t.MessageID, &t.Language, &t.Source, &state, &t.Content, &t.Attempts,
			&t.LastError, &t.NextAttemptAt, &t.UpdatedAt); err != nil {
			return nil, storeErr(err, "translations")
		}
		t.State, t.NextAttemptAt, t.UpdatedAt = concierge.TranslationState(state), utc(t.NextAttemptAt), utc(t.UpdatedAt)
		out = append(out, t)
	}
	return out, storeErr(rows.Err(), "translations")
}

// textHash is the cache's key of a text.
func textHash(text string) []byte {
	h := sha256.Sum256([]byte(text))
	return h[:]
}

// CachedTranslation returns the cached translation of text; concierge.ErrNotFound when none.
func (db *DB) CachedTranslation(ctx context.Context, source, target, text string) (string, error) {
	var tr string
	err := db.pool.QueryRow(ctx, `SELECT translation FROM translation_cache
		WHERE source = $1 AND target = $2 AND text_hash = $3`, source, target, textHash(text)).Scan(&tr)
	return tr, storeErr(err, "cached translation")
}

// CacheTranslation stores or replaces the cached translation of text.
func (db *DB) CacheTranslation(ctx context.Context, source, target, text, translation string, at time.Time) error {
	_, err := db.exec(ctx, `INSERT INTO translation_cache (source, target, text_hash, translation,
		created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (source, target, text_hash)
		DO UPDATE SET translation = excluded.translation, created_at = excluded.created_at`,
		source, target, textHash(text), translation, at)
	return storeErr(err, "cache translation")
}

// glossaryKey is the key under which a term is unique: its lower-case form.
func glossaryKey(term string) string { return strings.ToLower(term) }

// GlossaryTerms lists a property's glossary terms by term (byte-wise).
func (db *DB) GlossaryTerms(ctx context.Context, propertyID int64) ([]concierge.GlossaryTerm, error) {
	rows, err := db.pool.Query(ctx, `SELECT term, created_at FROM glossary_terms
		WHERE property_id = $1 ORDER BY term COLLATE "C", term_key COLLATE "C"`, propertyID)
	if err != nil {
		return nil, storeErr(err, "glossary terms")
	}
	defer rows.Close()
	var out []concierge.GlossaryTerm
	for rows.Next() {
		g := concierge.GlossaryTerm{PropertyID: propertyID}
		if err := rows.Scan(&g.Term, &g.CreatedAt); err != nil {
			return nil, storeErr(err, "glossary terms")
		}
		g.CreatedAt = utc(g.CreatedAt)
		out = append(out, g)
	}
	return out, storeErr(rows.Err(), "glossary terms")
}

// PutGlossaryTerm adds a term unless the property has it already (ignoring case).
func (db *DB) PutGlossaryTerm(ctx context.Context, t *concierge.GlossaryTerm) (bool, error) {
	tag, err := db.exec(ctx, `INSERT INTO glossary_terms (property_id, term, term_key, created_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (property_id, term_key) DO NOTHING`,
		t.PropertyID, t.Term, glossaryKey(t.Term), t.CreatedAt)
	return tag.RowsAffected() == 1, storeErr(err, "put glossary term")
}

// DeleteGlossaryTerm removes a term (ignoring case); concierge.ErrNotFound when absent.
func (db *DB) DeleteGlossaryTerm(ctx context.Context, propertyID int64, term string) error {
	err := db.execOne(ctx, `DELETE FROM glossary_terms WHERE property_id = $1 AND term_key = $2`,
		propertyID, glossaryKey(term))
	return storeErr(err, "delete glossary term")
}
