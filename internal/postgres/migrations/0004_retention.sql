-- 0004: retention settings per property and legal holds per conversation, as the SQLite
-- store's 0010.
CREATE TABLE retention_settings (
    property_id bigint      PRIMARY KEY REFERENCES properties (id) ON DELETE CASCADE,
    stay_days   integer     NOT NULL,
    guest_days  integer     NOT NULL,
    updated_at  timestamptz NOT NULL
);

CREATE TABLE legal_holds (
    conversation_id bigint      PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
    reason          text        NOT NULL,
    set_by          text        NOT NULL,
    set_at          timestamptz NOT NULL
);

-- Retention finds departed stays and inactive guests by these.
CREATE INDEX stays_departure ON stays (property_id, departure);
CREATE INDEX events_conversation ON events (conversation_id);
CREATE INDEX sessions_guest_seen ON sessions (guest_id, last_seen_at);
