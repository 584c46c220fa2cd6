package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"strings"
	"time"

	"concierge/internal/concierge"
)

// queueTranslation writes the Pending translation job of message id (m as inserted) in tx when
// m.TranslateTo is set; nothing otherwise.
func queueTranslation(ctx context.Context, tx *sql.Tx, id int64, m *concierge.Message) error {
	if m.TranslateTo == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO translations (message_id, language, source, state,
		next_attempt_at, updated_at) VALUES (?, ?, ?, 'pending', ?, ?)`,
		id, m.TranslateTo, m.Language, timeArg(m.CreatedAt), timeArg(m.CreatedAt))
	return err
}

// ClaimTranslations returns up to limit due Pending jobs, earliest due first, counting an
// attempt for each and moving its next attempt to now+lease, in one transaction.
func (db *DB) ClaimTranslations(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]concierge.TranslationJob, error) {
	if limit <= 0 {
		return nil, nil
	}
	var out []concierge.TranslationJob
	err := db.write(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, `SELECT t.message_id, m.conversation_id, c.property_id,
			m.content, t.source, t.language, t.attempts
			FROM translations t JOIN messages m ON m.id = t.message_id
			JOIN conversations c ON c.id = m.conversation_id
			WHERE t.state = 'pending' AND t.next_attempt_at <= ?
			ORDER BY t.next_attempt_at, t.message_id LIMIT ?`, timeArg(now), limit)
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
			j.Attempts++
			out = append(out, j)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, j := range out {
			if _, err := tx.ExecContext(ctx, `UPDATE translations SET attempts = ?, next_attempt_at = ?,
				updated_at = ? WHERE message_id = ? AND language = ?`,
				j.Attempts, timeArg(now.Add(lease)), timeArg(now), j.MessageID, j.Target); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, storeErr(err, "claim translations")
	}
	return out, nil
}

// textRowsPerMessage is the number of full-text rowids each message reserves for its
// translations: those of message M are -(M*textRowsPerMessage + k), k = 0, 1, … in the order
// they were indexed, while its original text has rowid M (textIndexStatement in writer.go).
// The delete trigger of messages (migration 0012, which spells the value out) removes a
// message's rows by these rowids, a lookup in the index instead of a scan of message_text.
const textRowsPerMessage = 1024

// indexTranslation adds the translation of message messageID into language to the full-text
// index with the message's next free translation rowid. A message with textRowsPerMessage
// indexed translations already (more than there are languages) gets no further row: the
// translation is stored but not searchable; no error. It returns the database's errors.
func indexTranslation(ctx context.Context, tx *sql.Tx, messageID int64, language, text string) error {
	first := -messageID * textRowsPerMessage // k = 0; the range runs down to k = textRowsPerMessage-1
	var k int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM message_text WHERE rowid BETWEEN ? AND ?`,
		first-(textRowsPerMessage-1), first).Scan(&k); err != nil {
		return err
	}
	if k >= textRowsPerMessage {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO message_text (rowid, text, message_id, language)
		VALUES (?, ?, ?, ?)`, first-k, text, messageID, language)
	return err
}

// TranslationQueue counts the Pending translations and finds the oldest one's message time.
func (db *DB) TranslationQueue(ctx context.Context) (concierge.TranslationQueue, error) {
	var q concierge.TranslationQueue
	var oldest sql.NullInt64
	err := db.readStmts.queryRow(ctx, nil, `SELECT count(*), min(m.created_at)
		FROM translations t JOIN messages m ON m.id = t.message_id WHERE t.state = 'pending'`).Scan(&q.Pending, &oldest)
	if err != nil {
		return q, storeErr(err, "translation queue")
	}
	if oldest.Valid {
		q.Oldest = timeOf(oldest.Int64)
	}
	return q, nil
}

// Translations lists the translations of the given messages, by message id then language.
func (db *DB) Translations(ctx context.Context, messageIDs []int64) ([]concierge.Translation, error) {
	var out []concierge.Translation
	for len(messageIDs) > 0 {
		chunk := messageIDs[:min(len(messageIDs), 500)]
		messageIDs = messageIDs[len(chunk):]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := db.readers.QueryContext(ctx, `SELECT message_id, language, source, state, content,
			attempts, last_error, next_attempt_at, updated_at FROM translations
			WHERE message_id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(chunk)), ",")+`)
			ORDER BY message_id, language`, args...)
		if err != nil {
			return nil, storeErr(err, "translations")
		}
		for rows.Next() {
			var t concierge.Translation
			var state string
			var next, updated int64
			if err := rows.Scan(&t.MessageID, &t.Language, &t.Source, &state, &t.Content, &t.Attempts,
				&t.LastError, &next, &updated); err != nil {
				rows.Close()
				return nil, storeErr(err, "translations")
			}
			t.State, t.NextAttemptAt, t.UpdatedAt = concierge.TranslationState(state), timeOf(next), timeOf(updated)
			out = append(out, t)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, storeErr(err, "translations")
		}
	}
	return out, nil
}

// textHash is the cache's key of a text.
func textHash(text string) []byte {
	h := sha256.Sum256([]byte(text))
	return h[:]
}

// CachedTranslation returns the cached translation of text; concierge.ErrNotFound when none.
func (db *DB) CachedTranslation(ctx context.Context, source, target, text string) (string, error) {
	var tr string
	err := db.readers.QueryRowContext(ctx, `SELECT translation FROM translation_cache
		WHERE source = ? AND target = ? AND text_hash = ?`, source, target, textHash(text)).Scan(&tr)
	return tr, storeErr(err, "cached translation")
}

// CacheTranslation stores or replaces the cached translation of text.
func (db *DB) CacheTranslation(ctx context.Context, source, target, text, translation string, at time.Time) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO translation_cache (source, target, text_hash, translation,
			created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (source, target, text_hash)
			DO UPDATE SET translation = excluded.translation, created_at = excluded.created_at`,
			source, target, textHash(text), translation, timeArg(at))
		return err
	})
	return storeErr(err, "cache translation")
}

// glossaryKey is the key under which a term is unique: its lower-case form.
func glossaryKey(term string) string { return strings.ToLower(term) }

// GlossaryTerms lists a property's glossary terms by term.
func (db *DB) GlossaryTerms(ctx context.Context, propertyID int64) ([]concierge.GlossaryTerm, error) {
	rows, err := db.readers.QueryContext(ctx, `SELECT term, created_at FROM glossary_terms
		WHERE property_id = ? ORDER BY term, term_key`, propertyID)
	if err != nil {
		return nil, storeErr(err, "glossary terms")
	}
	defer rows.Close()
	var out []concierge.GlossaryTerm
	for rows.Next() {
		g := concierge.GlossaryTerm{PropertyID: propertyID}
		var created int64
		if err := rows.Scan(&g.Term, &created); err != nil {
			return nil, storeErr(err, "glossary terms")
		}
		g.CreatedAt = timeOf(created)
		out = append(out, g)
	}
	return out, storeErr(rows.Err(), "glossary terms")
}

// PutGlossaryTerm adds a term unless the property has it already (ignoring case).
func (db *DB) PutGlossaryTerm(ctx context.Context, t *concierge.GlossaryTerm) (bool, error) {
	var created bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO glossary_terms (property_id, term, term_key, created_at)
			VALUES (?, ?, ?, ?) ON CONFLICT (property_id, term_key) DO NOTHING`,
			t.PropertyID, t.Term, glossaryKey(t.Term), timeArg(t.CreatedAt))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		created = n == 1
		return err
	})
	return created, storeErr(err, "put glossary term")
}

// DeleteGlossaryTerm removes a term (ignoring case); concierge.ErrNotFound when absent.
func (db *DB) DeleteGlossaryTerm(ctx context.Context, propertyID int64, term string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM glossary_terms WHERE property_id = ? AND term_key = ?`,
			propertyID, glossaryKey(term))
		if err != nil {
			return err
		}
		return notFoundUnlessOne(res)
	})
	return storeErr(err, "delete glossary term")
}
