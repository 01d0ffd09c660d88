-- Event delivery (issue 13): the outbox fanned out to its destinations,
-- webhook endpoints an admin registers and the NATS JetStream stream, one
-- delivery row per (event, destination), each retried on its own until it is
-- delivered or, for a webhook, gives up after its retry period.
--
-- A worker (any number of instances) takes due rows with FOR UPDATE SKIP
-- LOCKED and leases them for the length of an attempt, so no transaction is
-- held open across the network and a killed worker's lease simply runs out:
-- at least once, never lost.

CREATE TABLE webhook_endpoints (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url          text NOT NULL CHECK (url ~ '^https?://[^\s]+$' AND length(url) <= 2000),
    description  text NOT NULL DEFAULT '' CHECK (length(description) <= 200),
    -- the topics it receives; empty: every topic
    topics       text[] NOT NULL DEFAULT '{}',
    -- the Standard Webhooks signing secret, "whsec_" + base64 (signing
    -- needs it in the clear, as every webhook sender keeps it)
    secret       text NOT NULL CHECK (secret ~ '^whsec_[A-Za-z0-9+/=]{24,}$'),
    enabled      boolean NOT NULL DEFAULT true,
    created_by   bigint REFERENCES admins (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- `outbox_events.published_at` now means "handed to its deliveries".
CREATE TABLE event_deliveries (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id         bigint NOT NULL REFERENCES outbox_events (id) ON DELETE CASCADE,
    sink             text NOT NULL CHECK (sink IN ('webhook', 'nats')),
    endpoint_id      bigint REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    -- while an attempt runs: until when no other worker may take it
    leased_until     timestamptz,
    -- retries give up this long after it (a redeliver starts it again)
    retry_from       timestamptz NOT NULL DEFAULT now(),
    last_status      integer,
    last_error       text CHECK (length(last_error) <= 500),
    delivered_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((sink = 'webhook') = (endpoint_id IS NOT NULL)),
    CHECK ((state = 'delivered') = (delivered_at IS NOT NULL))
);
CREATE UNIQUE INDEX event_deliveries_webhook_key ON event_deliveries (event_id, endpoint_id)
    WHERE sink = 'webhook';
CREATE UNIQUE INDEX event_deliveries_nats_key ON event_deliveries (event_id) WHERE sink = 'nats';
CREATE INDEX event_deliveries_due_idx ON event_deliveries (next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX event_deliveries_endpoint_idx ON event_deliveries (endpoint_id, id DESC);
CREATE INDEX outbox_events_published_idx ON outbox_events (published_at) WHERE published_at IS NOT NULL;

-- Wakes the workers of every instance: one notification per statement
-- (PostgreSQL folds a transaction's equal notifications into one).
CREATE FUNCTION promo_outbox_announce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('promo_outbox', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER outbox_events_announce AFTER INSERT ON outbox_events
    FOR EACH STATEMENT EXECUTE FUNCTION promo_outbox_announce();
CREATE TRIGGER event_deliveries_announce AFTER INSERT OR UPDATE OF next_attempt_at ON event_deliveries
    FOR EACH STATEMENT EXECUTE FUNCTION promo_outbox_announce();

-- block.created and block.lifted, in the transaction that makes or lifts the
-- block, whoever does it (the failure record in SQL, a spike, an admin).
CREATE FUNCTION promo_block_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO outbox_events (topic, payload)
        VALUES ('block.created', jsonb_build_object(
            'block_id', NEW.id, 'scope', NEW.scope, 'subject', NEW.subject,
            'reason', NEW.reason, 'strike', NEW.strike, 'failures', NEW.failures,
            'created_at', NEW.created_at, 'until', NEW.until));
    ELSIF OLD.lifted_at IS NULL AND NEW.lifted_at IS NOT NULL THEN
        INSERT INTO outbox_events (topic, payload)
        VALUES ('block.lifted', jsonb_build_object(
            'block_id', NEW.id, 'scope', NEW.scope, 'subject', NEW.subject,
            'lifted_at', NEW.lifted_at, 'lifted_by', NEW.lifted_by));
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER input_blocks_event AFTER INSERT OR UPDATE OF lifted_at ON input_blocks
    FOR EACH ROW EXECUTE FUNCTION promo_block_event();
