-- 0010: retention settings per property and legal holds per conversation.
CREATE TABLE retention_settings (
    property_id INTEGER PRIMARY KEY REFERENCES properties (id) ON DELETE CASCADE,
    stay_days   INTEGER NOT NULL,
    guest_days  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE legal_holds (
    conversation_id INTEGER PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
    reason          TEXT    NOT NULL,
    set_by          TEXT    NOT NULL,
    set_at          INTEGER NOT NULL
);

-- Retention finds departed stays and inactive guests by these.
CREATE INDEX stays_departure ON stays (property_id, departure);
CREATE INDEX events_conversation ON events (conversation_id);

-- Deleting a message from the search index removes its words from the index at once (not at
-- the next merge), so erased texts leave nothing behind.
INSERT INTO message_text (message_text, rank) VALUES ('secure-delete', 1);
