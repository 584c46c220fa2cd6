-- 0009: the audit log, and webhooks (SPEC §8).
--
-- The audit log names people by staff user or API key id and name and objects by id or code:
-- never a guest's personal data. It has no foreign keys: entries outlive what they name.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    actor_kind  TEXT    NOT NULL,
    actor_id    INTEGER,
    actor_name  TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    object_kind TEXT    NOT NULL,
    object_ref  TEXT    NOT NULL,
    property_id INTEGER,
    client      TEXT    NOT NULL,
    detail      TEXT    NOT NULL
);

CREATE INDEX audit_log_property ON audit_log (property_id, id);

-- A webhook takes its deliveries from the event log (the outbox, written in each change's
-- transaction): cursor is the seq of the last event it has considered.
CREATE TABLE webhooks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    property_id INTEGER NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    url         TEXT    NOT NULL,
    kinds       TEXT    NOT NULL,
    secret      TEXT    NOT NULL,
    enabled     INTEGER NOT NULL,
    cursor_seq  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE INDEX webhooks_property ON webhooks (property_id);

-- One row per event and webhook, made when the dispatcher takes the event; the body is fixed
-- then, so every attempt sends the same bytes.
CREATE TABLE webhook_deliveries (
    id              TEXT    PRIMARY KEY,
    webhook_id      INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_seq       INTEGER NOT NULL,
    kind            TEXT    NOT NULL,
    conversation_id INTEGER NOT NULL,
    body            BLOB    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts        INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    window_start    INTEGER NOT NULL,
    last_error      TEXT    NOT NULL,
    last_status     INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    delivered_at    INTEGER,
    UNIQUE (webhook_id, event_seq)
) WITHOUT ROWID;

CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (webhook_id, event_seq) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_conversation ON webhook_deliveries (conversation_id);
CREATE INDEX webhook_deliveries_created ON webhook_deliveries (webhook_id, created_at);
