-- 0011: messages enter the full-text index once per write transaction, not once per row.
--
-- FTS5 flushes its pending terms to a new index segment at every statement of a transaction
-- (each statement is a savepoint), so the row trigger of 0004 wrote one tiny segment per
-- message and spent the writer's time merging them. The writer now indexes every message a
-- transaction inserted in one statement just before it commits (textIndexStatement in
-- writer.go): search still sees exactly the committed messages.
DROP TRIGGER messages_text_insert;
