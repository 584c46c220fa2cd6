-- 0002: translation (SPEC §7), as the SQLite store's 0008. One row per message and target
-- language: the job while it is pending (the durable queue), its outcome afterwards. A done
-- translation's text is also indexed in message_texts so that inbox search finds it.
CREATE TABLE translations (
    message_id      bigint      NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    language        text        NOT NULL,
    source          text        NOT NULL,
    state           text        NOT NULL CHECK (state IN ('pending', 'done', 'failed', 'unsupported')),
    content         text        NOT NULL DEFAULT '',
    attempts        integer     NOT NULL DEFAULT 0,
    last_error      text        NOT NULL DEFAULT '',
    next_attempt_at timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (message_id, language)
);

-- The queue: due pending jobs, earliest first.
CREATE INDEX translations_due ON translations (next_attempt_at, message_id) WHERE state = 'pending';

-- Translations by (source, target, SHA-256 of the text sent to the provider).
CREATE TABLE translation_cache (
    source      text        NOT NULL,
    target      text        NOT NULL,
    text_hash   bytea       NOT NULL,
    translation text        NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (source, target, text_hash)
);

-- Terms each property keeps verbatim in translations; unique per property ignoring case
-- (term_key is the term lower-cased by the store).
CREATE TABLE glossary_terms (
    property_id bigint      NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    term        text        NOT NULL,
    term_key    text        NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (property_id, term_key)
);
