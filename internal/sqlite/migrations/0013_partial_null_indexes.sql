-- 0013: the indexes on columns that are mostly NULL leave the NULLs out.
--
-- A guest's message has no staff author, a verified guest's conversation no non-verified
-- guest and most conversations no order: every insert still added a NULL entry to these
-- indexes, work for the single writer that no query reads (each is searched by `= ?`, which
-- implies IS NOT NULL, so SQLite still uses the partial index, foreign-key actions included).
DROP INDEX messages_staff_user;
CREATE INDEX messages_staff_user ON messages (staff_user_id) WHERE staff_user_id IS NOT NULL;
DROP INDEX conversations_order;
CREATE INDEX conversations_order ON conversations (order_id) WHERE order_id IS NOT NULL;
DROP INDEX conversations_guest;
CREATE INDEX conversations_guest ON conversations (guest_id) WHERE guest_id IS NOT NULL;
