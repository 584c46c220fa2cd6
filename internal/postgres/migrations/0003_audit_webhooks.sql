-- 0003: the audit log, and webhooks (SPEC §8), as the SQLite store's 0009.
--
-- The audit log names people by staff user or API key id and name and objects by id or code:
-- never a guest's personal data. It has no foreign keys: entries outlive what they name.
CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL,
    actor_kind  text        NOT NULL,
    actor_id    bigint,
    actor_name  text        NOT NULL,
    action      text        NOT NULL,
    object_kind text        NOT NULL,
    object_ref  text        NOT NULL,
    property_id bigint,
    client      text        NOT NULL,
    detail      text        NOT NULL
);

CREATE INDEX audit_log_property ON audit_log (property_id, id);

-- A webhook takes its deliveries from the event log (the outbox, written in each change's
-- transaction): cursor_seq is the seq of the last event it has considered.
CREATE TABLE webhooks (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    property_id bigint      NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    url         text        NOT NULL,
    kinds       text[]      NOT NULL,
    secret      text        NOT NULL,
    enabled     boolean     NOT NULL,
    cursor_seq  bigint      NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

CREATE INDEX webhooks_property ON webhooks (property_id);

-- One row per event and webhook, made when the dispatcher takes the event; the body is fixed
-- then, so every attempt sends the same bytes.
CREATE TABLE webhook_deliveries (
    id              text        PRIMARY KEY,
    webhook_id      bigint      NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_seq       bigint      NOT NULL,
    kind            text        NOT NULL,
    conversation_id bigint      NOT NULL,
    body            bytea       NOT NULL,
    status          text        NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts        integer     NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    window_start    timestamptz NOT NULL,
    last_error      text        NOT NULL,
    last_status     integer     NOT NULL,
    created_at      timestamptz NOT NULL,
    delivered_at    timestamptz,
    UNIQUE (webhook_id, event_seq)
);

CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (webhook_id, event_seq) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_conversation ON webhook_deliveries (conversation_id);
CREATE INDEX webhook_deliveries_created ON webhook_deliveries (webhook_id, created_at);
