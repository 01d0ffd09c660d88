-- The platform API (issue 13): API keys an admin creates (stored hashed,
-- shown once) with scopes, and Idempotency-Key records, as Stripe defines
-- them: the same key with the same request answers the stored response.

CREATE TABLE api_keys (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    -- the key's first characters, to tell keys apart in lists and logs
    prefix        text NOT NULL CHECK (length(prefix) BETWEEN 8 AND 16),
    -- SHA-256 of the whole key, hex (keys are 192 random bits: no salt needed)
    hash          text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$'),
    scopes        text[] NOT NULL CHECK (scopes <@ ARRAY['redeem', 'players', 'codes:read',
                                                         'codes:write', 'stats']::text[]
                                         AND cardinality(scopes) >= 1),
    created_by    bigint REFERENCES admins (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz
);

CREATE TABLE idempotency_keys (
    api_key_id    bigint NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    -- what the request was (method, path, body): the same key with another
    -- request is refused
    fingerprint   text NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
    status        integer NOT NULL CHECK (status BETWEEN 100 AND 599),
    response      jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (api_key_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
