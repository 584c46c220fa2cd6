-- 0012: the full-text index finds a message's rows by rowid, so deleting a message no longer
-- scans the whole index.
--
-- message_id is UNINDEXED in message_text (FTS5 cannot index it for equality), so the delete
-- trigger of 0004 (DELETE ... WHERE message_id = old.id) read every row of the index for each
-- deleted message: seconds per erased guest on a large database, with the writer held. The
-- rowid of an FTS5 table is its one indexed key, so every row now gets a rowid derived from its
-- message:
--   - the original text of message M has rowid M (the writer's textIndexStatement in writer.go);
--   - the translations of M have rowids -(M*1024 + k), k = 0..1023 in the order they were
--     indexed (FinishTranslation in translation.go; 1024 is textRowsPerMessage there).
-- The trigger then deletes by rowid equality and by a rowid range, both lookups in the index.
-- message_id and language stay filled: inbox search joins on message_id.
--
-- This rebuilds the index once: the table is dropped, re-created with the same definition as
-- 0004 and refilled from messages and the done translations (which takes a while on a large
-- database, once).
DROP TRIGGER messages_text_delete;
DROP TABLE message_text;

CREATE VIRTUAL TABLE message_text USING fts5(
    text,
    message_id UNINDEXED,
    language UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- As 0010 set on the table this replaces: deleted rows leave the index at once.
INSERT INTO message_text (message_text, rank) VALUES ('secure-delete', 1);

INSERT INTO message_text (rowid, text, message_id, language)
    SELECT id, content, id, language FROM messages ORDER BY id;

INSERT INTO message_text (rowid, text, message_id, language)
    SELECT -(message_id * 1024 + (row_number() OVER (PARTITION BY message_id ORDER BY language) - 1)),
        content, message_id, language
    FROM translations WHERE state = 'done' AND content <> '';

-- Messages are never edited; a deleted one (its conversation removed) takes its texts along:
-- its original (rowid = id) and its translations (the rowid range of its id).
CREATE TRIGGER messages_text_delete AFTER DELETE ON messages BEGIN
    DELETE FROM message_text WHERE rowid = old.id;
    DELETE FROM message_text WHERE rowid BETWEEN -(old.id * 1024 + 1023) AND -(old.id * 1024);
END;
