-- Side effects as jobs (issue 13): a queue any number of instances work
-- (FOR UPDATE SKIP LOCKED, leases, LISTEN promo_jobs), with retries and
-- backoff. A job's (kind, key) is unique, so enqueueing the same work twice
-- is one job; a job's own writes commit with its completion, so a retry
-- after a crash starts from nothing done.
CREATE TABLE jobs (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          text NOT NULL CHECK (kind ~ '^[a-z][a-z_]{0,39}$'),
    key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    payload       jsonb NOT NULL DEFAULT '{}'::jsonb,
    state         text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'done', 'dead')),
    attempts      integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts  integer NOT NULL DEFAULT 12 CHECK (max_attempts >= 1),
    run_at        timestamptz NOT NULL DEFAULT now(),
    leased_until  timestamptz,
    last_error    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    UNIQUE (kind, key)
);
CREATE INDEX jobs_due_idx ON jobs (run_at, id) WHERE state = 'queued';
CREATE INDEX jobs_finished_idx ON jobs (finished_at) WHERE state <> 'queued';

-- Workers wake on a new or rescheduled job instead of polling.
CREATE FUNCTION jobs_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('promo_jobs', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER jobs_notify AFTER INSERT ON jobs
    FOR EACH STATEMENT EXECUTE FUNCTION jobs_notify();

-- A code announced to players: one "new code" notification per player and
-- code, however often a batch runs again.
CREATE UNIQUE INDEX notifications_new_code_once
    ON notifications (player_id, ((params->>'code_id')::bigint))
    WHERE kind = 'new_code';
