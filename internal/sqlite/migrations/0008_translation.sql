-- 0008: translation (SPEC §7). One row per message and target language: the job while it is
-- pending (the durable queue), its outcome afterwards. The translated text is also indexed in
-- message_text (0004) so that inbox search finds translations; the message's delete trigger
-- takes those rows along.
CREATE TABLE translations (
    message_id      INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    language        TEXT    NOT NULL,
    source          TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'done', 'failed', 'unsupported')),
    content         TEXT    NOT NULL DEFAULT '',
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT '',
    next_attempt_at INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (message_id, language)
) WITHOUT ROWID;

-- The queue: due pending jobs, earliest first.
CREATE INDEX translations_due ON translations (next_attempt_at) WHERE state = 'pending';

-- Translations by (source, target, SHA-256 of the text sent to the provider).
CREATE TABLE translation_cache (
    source      TEXT    NOT NULL,
    target      TEXT    NOT NULL,
    text_hash   BLOB    NOT NULL,
    translation TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (source, target, text_hash)
) WITHOUT ROWID;

-- Terms each property keeps verbatim in translations; unique per property ignoring case.
CREATE TABLE glossary_terms (
    property_id INTEGER NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    term        TEXT    NOT NULL,
    term_key    TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (property_id, term_key)
) WITHOUT ROWID;
