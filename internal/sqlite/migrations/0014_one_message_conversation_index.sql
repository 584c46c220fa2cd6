-- 0014: one index of a conversation's messages instead of two.
--
-- messages_conversation_created (conversation_id, created_at, id) served max(created_at) per
-- conversation; the UNIQUE (conversation_id, seq) index serves every other per-conversation
-- lookup. A conversation's last-message time is now its last message's, in sequence order
-- (the inbox preview's message), read through the seq index, so the other index had no reader
-- left: every new message wrote an entry into it at its conversation's place, a page that the
-- commit then wrote to the WAL (reply throughput +5 % in paired runs of the load tool).
DROP INDEX messages_conversation_created;
