-- 0050: what several nodes on one database must share besides the data (ratelimit.go,
-- guard.go, sessionkeys.go). Numbered apart from the store's own migrations on purpose.

-- Request rate limits (GCRA): one row per limiter scope and key; tat is the theoretical
-- arrival time in Unix nanoseconds. A row whose tat is past is the same as no row. Unlogged:
-- losing the limits in a crash is harmless and saves the WAL writes.
CREATE UNLOGGED TABLE rate_limits (
    scope text   NOT NULL,
    key   bytea  NOT NULL, -- bytes: keys may hold any byte, NUL included
    tat   bigint NOT NULL,
    PRIMARY KEY (scope, key)
);

-- Back-off after failed guest verifications and staff logins: failures counted per scope and
-- key, the latest one and the end of the current block, in Unix nanoseconds.
CREATE UNLOGGED TABLE guard_failures (
    scope    text    NOT NULL,
    key      bytea   NOT NULL,
    failures integer NOT NULL,
    last_ns  bigint  NOT NULL,
    until_ns bigint  NOT NULL,
    PRIMARY KEY (scope, key)
);

-- The guest session signing keys every node signs and verifies with: position 0 is the
-- current key, higher positions previous keys still accepted.
CREATE TABLE session_keys (
    position   integer     PRIMARY KEY CHECK (position >= 0),
    key        bytea       NOT NULL,
    created_at timestamptz NOT NULL
);
