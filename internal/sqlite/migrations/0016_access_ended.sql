-- 0016: streams end when their right ends (issue 17).
--
-- events.subject names whose right an internal access.ended event ended (a session, stay,
-- guest, interface token, staff login, staff user or API key; NULL for every other event):
-- the event log carries it to every stream, on every node and from every process, like any
-- other event, and is never delivered to clients.
--
-- sessions.interface_token_id is the interface token a guest session was opened with, so that
-- revoking the token revokes its sessions (NULL for the sessions stored before).
ALTER TABLE events ADD COLUMN subject TEXT;
ALTER TABLE sessions ADD COLUMN interface_token_id INTEGER REFERENCES interface_tokens (id);
CREATE INDEX sessions_interface_token ON sessions (interface_token_id)
    WHERE interface_token_id IS NOT NULL AND revoked_at IS NULL;
