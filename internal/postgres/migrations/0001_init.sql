-- 0001: the schema of the PostgreSQL store, equivalent to the SQLite store's migrations 0001 to
-- 0007. Times are timestamptz (microseconds; the zero time.Time is 0001-01-01 UTC); calendar
-- days are text 'YYYY-MM-DD' (compared as text, like the SQLite store); order forms are json
-- (validated, kept byte for byte). Codes, usernames and booking references are unique and found
-- case-insensitively through indexes on lower(...).

CREATE TABLE properties (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code             text        NOT NULL,
    name             text        NOT NULL,
    brand_code       text        NOT NULL,
    group_code       text        NOT NULL,
    time_zone        text        NOT NULL,
    default_language text        NOT NULL,
    hide_staff_names boolean     NOT NULL,
    created_at       timestamptz NOT NULL
);

CREATE UNIQUE INDEX properties_code ON properties (lower(code));

CREATE TABLE interface_tokens (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text        NOT NULL,
    hash       bytea       NOT NULL UNIQUE,
    revoked_at timestamptz,
    created_at timestamptz NOT NULL
);

CREATE TABLE interface_token_properties (
    token_id    bigint NOT NULL REFERENCES interface_tokens (id) ON DELETE CASCADE,
    property_id bigint NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    PRIMARY KEY (token_id, property_id)
);

CREATE INDEX interface_token_properties_property ON interface_token_properties (property_id);

CREATE TABLE service_centers (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    property_id    bigint NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    code           text   NOT NULL,
    name           text   NOT NULL,
    staff_language text   NOT NULL
);

CREATE UNIQUE INDEX service_centers_code ON service_centers (property_id, lower(code));

CREATE TABLE outlets (
    id                        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    property_id               bigint  NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    code                      text    NOT NULL,
    name                      text    NOT NULL,
    description               text    NOT NULL,
    service_center_id         bigint  NOT NULL REFERENCES service_centers (id),
    allow_guest_messages      boolean NOT NULL,
    allow_non_verified_guests boolean NOT NULL,
    sort_order                bigint  NOT NULL
);

CREATE UNIQUE INDEX outlets_code ON outlets (property_id, lower(code));
CREATE INDEX outlets_service_center ON outlets (service_center_id);

-- One row per opening interval, kept in the order the outlet listed them (position).
CREATE TABLE outlet_hours (
    outlet_id bigint  NOT NULL REFERENCES outlets (id) ON DELETE CASCADE,
    position  integer NOT NULL,
    day       integer NOT NULL CHECK (day BETWEEN 0 AND 6),
    open_min  integer NOT NULL,
    close_min integer NOT NULL,
    PRIMARY KEY (outlet_id, position)
);

CREATE TABLE stays (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    property_id       bigint NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    room_number       text   NOT NULL,
    first_name        text   NOT NULL,
    last_name         text   NOT NULL,
    language          text   NOT NULL,
    arrival           text   COLLATE "C" NOT NULL,
    departure         text   COLLATE "C" NOT NULL,
    booking_reference text   NOT NULL
);

-- Rooms are compared with their surrounding spaces trimmed.
CREATE INDEX stays_room ON stays (property_id, btrim(room_number, ' '), arrival);
-- A stay is upserted by its booking reference, unique per property ignoring case (stays
-- without one are left out of the rule).
CREATE UNIQUE INDEX stays_booking_reference ON stays (property_id, lower(booking_reference))
    WHERE booking_reference <> '';

CREATE TABLE guests (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    property_id bigint      NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    identifier  text        NOT NULL,
    created_at  timestamptz NOT NULL,
    UNIQUE (property_id, identifier)
);

CREATE TABLE orders (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    property_id bigint      NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    code        text        NOT NULL,
    stay_id     bigint      REFERENCES stays (id) ON DELETE SET NULL,
    outlet_id   bigint      REFERENCES outlets (id) ON DELETE SET NULL,
    status      text        NOT NULL,
    updated_at  timestamptz NOT NULL
);

CREATE UNIQUE INDEX orders_code ON orders (property_id, lower(code));
CREATE INDEX orders_stay ON orders (stay_id);
CREATE INDEX orders_outlet ON orders (outlet_id);
CREATE INDEX orders_property_status ON orders (property_id, status, id);

-- Session ids are random (they go inside guest tokens), chosen by the store.
CREATE TABLE sessions (
    id                bigint PRIMARY KEY,
    property_id       bigint      NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    stay_id           bigint      REFERENCES stays (id) ON DELETE CASCADE,
    guest_id          bigint      REFERENCES guests (id) ON DELETE CASCADE,
    language          text        NOT NULL,
    language_explicit boolean     NOT NULL,
    version           text        NOT NULL,
    issued_at         timestamptz NOT NULL,
    expires_at        timestamptz NOT NULL,
    last_seen_at      timestamptz NOT NULL,
    revoked_at        timestamptz
);

CREATE INDEX sessions_stay ON sessions (stay_id);
CREATE INDEX sessions_guest ON sessions (guest_id);

CREATE TABLE staff_users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      text        NOT NULL,
    display_name  text        NOT NULL,
    password_hash text        NOT NULL,
    role          text        NOT NULL,
    created_at    timestamptz NOT NULL,
    disabled_at   timestamptz
);

CREATE UNIQUE INDEX staff_users_username ON staff_users (lower(username));

CREATE TABLE staff_user_service_centers (
    staff_user_id     bigint NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
    service_center_id bigint NOT NULL REFERENCES service_centers (id) ON DELETE CASCADE,
    PRIMARY KEY (staff_user_id, service_center_id)
);

CREATE INDEX staff_user_service_centers_center ON staff_user_service_centers (service_center_id);

CREATE TABLE staff_user_properties (
    staff_user_id bigint NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
    property_id   bigint NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    PRIMARY KEY (staff_user_id, property_id)
);

CREATE INDEX staff_user_properties_property ON staff_user_properties (property_id);

-- Staff logins and API keys are bearer secrets of which only the SHA-256 is stored; the
-- UNIQUE constraint on each hash is also its lookup index.
CREATE TABLE staff_sessions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    staff_user_id bigint      NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
    hash          bytea       NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    revoked_at    timestamptz
);

CREATE INDEX staff_sessions_user ON staff_sessions (staff_user_id);
CREATE INDEX staff_sessions_expires ON staff_sessions (expires_at);

CREATE TABLE api_keys (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text        NOT NULL,
    hash       bytea       NOT NULL UNIQUE,
    role       text        NOT NULL,
    created_at timestamptz NOT NULL,
    revoked_at timestamptz
);

CREATE TABLE api_key_properties (
    api_key_id  bigint NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    property_id bigint NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    PRIMARY KEY (api_key_id, property_id)
);

CREATE INDEX api_key_properties_property ON api_key_properties (property_id);

-- Answers to writes sent with an Idempotency-Key (SPEC §10), kept at least 24 hours.
CREATE TABLE idempotency_keys (
    scope        text        NOT NULL,
    key          text        NOT NULL,
    request_hash bytea       NOT NULL,
    done         boolean     NOT NULL DEFAULT false,
    status       integer     NOT NULL DEFAULT 0,
    content_type text        NOT NULL DEFAULT '',
    body         bytea,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (scope, key)
);

CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- A conversation belongs to a stay, a non-verified guest, or both. Removing a stay or guest
-- keeps its conversations for staff but takes them away from every guest.
CREATE TABLE conversations (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code             text        NOT NULL UNIQUE,
    property_id      bigint      NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    outlet_id        bigint      NOT NULL REFERENCES outlets (id),
    order_id         bigint      REFERENCES orders (id) ON DELETE SET NULL,
    stay_id          bigint      REFERENCES stays (id) ON DELETE SET NULL,
    guest_id         bigint      REFERENCES guests (id) ON DELETE SET NULL,
    subject          text        NOT NULL,
    status           text        NOT NULL,
    type             text        NOT NULL,
    assignee_id      bigint      REFERENCES staff_users (id) ON DELETE SET NULL,
    guest_first_name text        NOT NULL,
    guest_last_name  text        NOT NULL,
    guest_language   text        NOT NULL,
    order_form       json,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);

CREATE INDEX conversations_stay ON conversations (stay_id);
CREATE INDEX conversations_guest ON conversations (guest_id);
CREATE INDEX conversations_outlet ON conversations (outlet_id);
CREATE INDEX conversations_order ON conversations (order_id);
CREATE INDEX conversations_assignee ON conversations (assignee_id);
CREATE INDEX conversations_property ON conversations (property_id, updated_at);
-- The inbox order: last activity descending, then id.
CREATE INDEX conversations_updated ON conversations (updated_at DESC, id DESC);

CREATE TABLE messages (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code              text        NOT NULL UNIQUE,
    conversation_id   bigint      NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq               bigint      NOT NULL,
    type              text        NOT NULL,
    author_first_name text        NOT NULL,
    author_last_name  text        NOT NULL,
    staff_user_id     bigint      REFERENCES staff_users (id) ON DELETE SET NULL,
    content           text        NOT NULL,
    language          text        NOT NULL,
    created_at        timestamptz NOT NULL,
    read_at           timestamptz,
    UNIQUE (conversation_id, seq)
);

CREATE INDEX messages_conversation_created ON messages (conversation_id, created_at, id);
CREATE INDEX messages_staff_user ON messages (staff_user_id);
-- The unread counters.
CREATE INDEX messages_unread ON messages (conversation_id, type) WHERE read_at IS NULL;

-- One row per searchable text of a message: its original (written with the message) and one per
-- translation. terms is the text's words, accents removed and lower-cased by the store (see
-- search.go), as a tsvector of 'simple' lexemes with positions; the GIN index answers the
-- inbox's prefix searches.
CREATE TABLE message_texts (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id bigint   NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    language   text     NOT NULL,
    terms      tsvector NOT NULL
);

CREATE INDEX message_texts_message ON message_texts (message_id);
CREATE INDEX message_texts_terms ON message_texts USING gin (terms);

-- The event log of live events (SPEC §6). One row per visible change, appended in the
-- transaction of the change; rows are pointers (kind, conversation, message), never payloads.
-- seq is drawn from event_counter, whose single row every appending transaction updates just
-- before it commits: the row lock serialises appenders until commit, so seq order is commit
-- order, and the counter keeps the latest seq even when every event is pruned.
CREATE TABLE events (
    seq             bigint PRIMARY KEY,
    kind            text        NOT NULL,
    conversation_id bigint      NOT NULL,
    message_id      bigint,
    property_id     bigint      NOT NULL,
    created_at      timestamptz NOT NULL
);

CREATE INDEX events_created ON events (created_at);

CREATE TABLE event_counter (
    id  boolean PRIMARY KEY DEFAULT true CHECK (id),
    seq bigint  NOT NULL
);

INSERT INTO event_counter (id, seq) VALUES (true, 0);
