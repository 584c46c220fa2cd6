-- 0002: staff authentication (SPEC §5, §10). Staff logins and API keys are bearer secrets of
-- which only the SHA-256 is stored; the UNIQUE constraint on each hash is also its lookup index.

CREATE TABLE staff_sessions (
    id            INTEGER PRIMARY KEY,
    staff_user_id INTEGER NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
    hash          BLOB    NOT NULL UNIQUE,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    revoked_at    INTEGER
);

CREATE INDEX staff_sessions_user ON staff_sessions (staff_user_id);
CREATE INDEX staff_sessions_expires ON staff_sessions (expires_at);

-- AUTOINCREMENT: key ids are never reused, so lists paged by id stay consistent.
CREATE TABLE api_keys (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL,
    hash       BLOB    NOT NULL UNIQUE,
    role       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE TABLE api_key_properties (
    api_key_id  INTEGER NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    property_id INTEGER NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    PRIMARY KEY (api_key_id, property_id)
) WITHOUT ROWID;

CREATE INDEX api_key_properties_property ON api_key_properties (property_id);
