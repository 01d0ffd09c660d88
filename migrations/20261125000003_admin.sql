-- The admin dashboard: background jobs that generate code series, and
-- indexes for the code list's filters and sorts.

CREATE TABLE series_jobs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- the group the series becomes; NULL until the job has stored it
    group_id     bigint REFERENCES code_groups (id) ON DELETE SET NULL,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    requested    integer NOT NULL CHECK (requested BETWEEN 1 AND 10000000),
    done         integer NOT NULL DEFAULT 0 CHECK (done >= 0),
    -- running -> done | cancelled | failed; cancel_requested is read by the worker between chunks
    status       text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'cancelled', 'failed')),
    cancel_requested boolean NOT NULL DEFAULT false,
    error        text,
    -- the pattern and shared parameters, as submitted
    params       jsonb NOT NULL,
    created_by   bigint REFERENCES admins (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz
);
CREATE INDEX series_jobs_created_idx ON series_jobs (created_at DESC);

-- Most codes have no egg slug, campaign or partner: partial indexes keep
-- bulk inserts (a million-code series) from maintaining entries for NULLs.
ALTER TABLE promo_codes DROP CONSTRAINT promo_codes_egg_slug_key;
CREATE UNIQUE INDEX promo_codes_egg_slug_key ON promo_codes (egg_slug) WHERE egg_slug IS NOT NULL;
DROP INDEX promo_codes_campaign_idx;
CREATE INDEX promo_codes_campaign_idx ON promo_codes (campaign_id) WHERE campaign_id IS NOT NULL;
DROP INDEX promo_codes_partner_idx;
CREATE INDEX promo_codes_partner_idx ON promo_codes (partner_id) WHERE partner_id IS NOT NULL;
CREATE INDEX promo_codes_created_idx ON promo_codes (created_at DESC, id DESC);

CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id, id DESC);
