-- 0004: the staff inbox (SPEC §5): full-text search over message text, and the indexes the
-- inbox's filters and order use.

-- One row per searchable text of a message: its original (kept in sync by the triggers below)
-- and, later, one per translation (written by the translation code with its language). Rows
-- are found by message_id; accents and case are ignored (unicode61, remove_diacritics 2).
CREATE VIRTUAL TABLE message_text USING fts5(
    text,
    message_id UNINDEXED,
    language UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO message_text (text, message_id, language) SELECT content, id, language FROM messages;

CREATE TRIGGER messages_text_insert AFTER INSERT ON messages BEGIN
    INSERT INTO message_text (text, message_id, language) VALUES (new.content, new.id, new.language);
END;

-- Messages are never edited; a deleted one (its conversation removed) takes its texts along.
CREATE TRIGGER messages_text_delete AFTER DELETE ON messages BEGIN
    DELETE FROM message_text WHERE message_id = old.id;
END;

-- The inbox order (last activity descending, then id) and the unread counters.
CREATE INDEX conversations_updated ON conversations (updated_at, id);
CREATE INDEX messages_unread ON messages (conversation_id, type) WHERE read_at IS NULL;
