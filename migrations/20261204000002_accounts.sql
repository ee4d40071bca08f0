-- Read models of accounts and their API keys, rebuilt from the account events
-- (`illustrator projector --rebuild accounts`), and the last use of each key, which no
-- event records.

CREATE TABLE users (
    id UUID PRIMARY KEY,
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    verified BOOLEAN NOT NULL DEFAULT false,
    disabled BOOLEAN NOT NULL DEFAULT false,
    via TEXT NOT NULL,
    plan TEXT NOT NULL,
    identities TEXT[] NOT NULL DEFAULT '{}',
    -- Per-aggregate sequence of the last event applied: events must arrive without gaps.
    version BIGINT NOT NULL,
    last_stream_seq BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE UNIQUE INDEX users_email ON users (email);
CREATE INDEX users_created ON users (created_at DESC);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    scopes TEXT[] NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);

CREATE INDEX api_keys_user ON api_keys (user_id, created_at DESC);

-- Not a read model: written at most once a minute per key and API process.
CREATE TABLE api_key_usage (
    key_id TEXT PRIMARY KEY,
    last_used_at TIMESTAMPTZ NOT NULL
);
