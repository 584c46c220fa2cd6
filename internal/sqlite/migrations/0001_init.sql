-- 0001: the first schema. Times are INTEGER unix nanoseconds (UTC), 0 for the zero time;
-- calendar days are TEXT 'YYYY-MM-DD'; booleans are INTEGER 0/1.

CREATE TABLE properties (
    id               INTEGER PRIMARY KEY,
    code             TEXT    NOT NULL COLLATE NOCASE UNIQUE,
    name             TEXT    NOT NULL,
    brand_code       TEXT    NOT NULL,
    group_code       TEXT    NOT NULL,
    time_zone        TEXT    NOT NULL,
    default_language TEXT    NOT NULL,
    hide_staff_names INTEGER NOT NULL,
    created_at       INTEGER NOT NULL
);

CREATE TABLE interface_tokens (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    hash       BLOB    NOT NULL UNIQUE,
    revoked_at INTEGER,
    created_at INTEGER NOT NULL
);

CREATE TABLE interface_token_properties (
    token_id    INTEGER NOT NULL REFERENCES interface_tokens (id) ON DELETE CASCADE,
    property_id INTEGER NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    PRIMARY KEY (token_id, property_id)
) WITHOUT ROWID;

CREATE INDEX interface_token_properties_property ON interface_token_properties (property_id);

CREATE TABLE service_centers (
    id             INTEGER PRIMARY KEY,
    property_id    INTEGER NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    code           TEXT    NOT NULL COLLATE NOCASE,
    name           TEXT    NOT NULL,
    staff_language TEXT    NOT NULL,
    UNIQUE (property_id, code)
);

CREATE TABLE outlets (
    id                        INTEGER PRIMARY KEY,
    property_id               INTEGER NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    code                      TEXT    NOT NULL COLLATE NOCASE,
    name                      TEXT    NOT NULL,
    description               TEXT    NOT NULL,
    service_center_id         INTEGER NOT NULL REFERENCES service_centers (id),
    allow_guest_messages      INTEGER NOT NULL,
    allow_non_verified_guests INTEGER NOT NULL,
    sort_order                INTEGER NOT NULL,
    UNIQUE (property_id, code)
);

CREATE INDEX outlets_service_center ON outlets (service_center_id);

-- One row per opening interval, kept in the order the outlet listed them (position).
CREATE TABLE outlet_hours (
    outlet_id INTEGER NOT NULL REFERENCES outlets (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    day       INTEGER NOT NULL CHECK (day BETWEEN 0 AND 6),
    open_min  INTEGER NOT NULL,
    close_min INTEGER NOT NULL,
    PRIMARY KEY (outlet_id, position)
) WITHOUT ROWID;

CREATE TABLE stays (
    id                INTEGER PRIMARY KEY,
    property_id       INTEGER NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    room_number       TEXT    NOT NULL,
    first_name        TEXT    NOT NULL,
    last_name         TEXT    NOT NULL,
    language          TEXT    NOT NULL,
    arrival           TEXT    NOT NULL,
    departure         TEXT    NOT NULL,
    booking_reference TEXT    NOT NULL
);

-- StaysInRoom compares trim(room_number), so the index is on that expression.
CREATE INDEX stays_room ON stays (property_id, trim(room_number), arrival);

CREATE TABLE guests (
    id          INTEGER PRIMARY KEY,
    property_id INTEGER NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    identifier  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (property_id, identifier)
);

CREATE TABLE orders (
    id          INTEGER PRIMARY KEY,
    property_id INTEGER NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    code        TEXT    NOT NULL COLLATE NOCASE,
    stay_id     INTEGER REFERENCES stays (id) ON DELETE SET NULL,
    outlet_id   INTEGER REFERENCES outlets (id) ON DELETE SET NULL,
    status      TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (property_id, code)
);

CREATE INDEX orders_stay ON orders (stay_id);
CREATE INDEX orders_outlet ON orders (outlet_id);

-- Session ids are random (they go inside guest tokens), chosen by the store.
CREATE TABLE sessions (
    id                INTEGER PRIMARY KEY,
    property_id       INTEGER NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    stay_id           INTEGER REFERENCES stays (id) ON DELETE CASCADE,
    guest_id          INTEGER REFERENCES guests (id) ON DELETE CASCADE,
    language          TEXT    NOT NULL,
    language_explicit INTEGER NOT NULL,
    version           TEXT    NOT NULL,
    issued_at         INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL,
    last_seen_at      INTEGER NOT NULL,
    revoked_at        INTEGER
);

CREATE INDEX sessions_stay ON sessions (stay_id);
CREATE INDEX sessions_guest ON sessions (guest_id);

CREATE TABLE staff_users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL COLLATE NOCASE UNIQUE,
    display_name  TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE staff_user_service_centers (
    staff_user_id     INTEGER NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
    service_center_id INTEGER NOT NULL REFERENCES service_centers (id) ON DELETE CASCADE,
    PRIMARY KEY (staff_user_id, service_center_id)
) WITHOUT ROWID;

CREATE INDEX staff_user_service_centers_center ON staff_user_service_centers (service_center_id);

CREATE TABLE staff_user_properties (
    staff_user_id INTEGER NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
    property_id   INTEGER NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    PRIMARY KEY (staff_user_id, property_id)
) WITHOUT ROWID;

CREATE INDEX staff_user_properties_property ON staff_user_properties (property_id);

-- A conversation belongs to a stay, a non-verified guest, or both. Removing a stay or guest
-- keeps its conversations for staff but takes them away from every guest.
CREATE TABLE conversations (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    code             TEXT    NOT NULL UNIQUE,
    property_id      INTEGER NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    outlet_id        INTEGER NOT NULL REFERENCES outlets (id),
    order_id         INTEGER REFERENCES orders (id) ON DELETE SET NULL,
    stay_id          INTEGER REFERENCES stays (id) ON DELETE SET NULL,
    guest_id         INTEGER REFERENCES guests (id) ON DELETE SET NULL,
    subject          TEXT    NOT NULL,
    status           TEXT    NOT NULL,
    type             TEXT    NOT NULL,
    assignee_id      INTEGER REFERENCES staff_users (id) ON DELETE SET NULL,
    guest_first_name TEXT    NOT NULL,
    guest_last_name  TEXT    NOT NULL,
    guest_language   TEXT    NOT NULL,
    order_form       TEXT CHECK (order_form IS NULL OR json_valid(order_form)),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);

CREATE INDEX conversations_stay ON conversations (stay_id);
CREATE INDEX conversations_guest ON conversations (guest_id);
CREATE INDEX conversations_outlet ON conversations (outlet_id);
CREATE INDEX conversations_order ON conversations (order_id);
CREATE INDEX conversations_assignee ON conversations (assignee_id);
CREATE INDEX conversations_property ON conversations (property_id, updated_at);

CREATE TABLE messages (
    id                INTEGER PRIMARY KEY,
    code              TEXT    NOT NULL UNIQUE,
    conversation_id   INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq               INTEGER NOT NULL,
    type              TEXT    NOT NULL,
    author_first_name TEXT    NOT NULL,
    author_last_name  TEXT    NOT NULL,
    staff_user_id     INTEGER REFERENCES staff_users (id) ON DELETE SET NULL,
    content           TEXT    NOT NULL,
    language          TEXT    NOT NULL,
    created_at        INTEGER NOT NULL,
    read_at           INTEGER,
    UNIQUE (conversation_id, seq)
);

CREATE INDEX messages_conversation_created ON messages (conversation_id, created_at, id);
CREATE INDEX messages_staff_user ON messages (staff_user_id);
