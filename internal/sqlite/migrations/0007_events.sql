-- 0007: the event log of live events (SPEC §6). One row per visible change, appended in the
-- transaction of the change; rows are pointers (kind, conversation, message), never payloads:
-- streams load the current state when they deliver. The single writer makes seq order commit
-- order. AUTOINCREMENT keeps seq strictly increasing even after the newest rows are pruned.
CREATE TABLE events (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT    NOT NULL,
    conversation_id INTEGER NOT NULL,
    message_id      INTEGER,
    property_id     INTEGER NOT NULL,
    created_at      INTEGER NOT NULL
);

CREATE INDEX events_created ON events (created_at);
