-- 0006: one index of a conversation's messages instead of two (SQLite's 0014).
--
-- messages_conversation_created (conversation_id, created_at, id) served max(created_at) per
-- conversation; the UNIQUE (conversation_id, seq) index serves every other per-conversation
-- lookup. A conversation's last-message time is now its last message's, in sequence order
-- (the inbox preview's message), read through the seq index, so the other index had no
-- reader left and only cost every new message an index entry.
DROP INDEX messages_conversation_created;
