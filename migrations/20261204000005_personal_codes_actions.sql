-- Personal codes and rewards for platform actions (issue 15).
--
-- A personal code belongs to one player (`owner_id`): only they can redeem
-- it; to anyone else it does not exist (the lookups answer "unknown" before
-- anything else, and the claim's eligibility refuses them whatever path
-- asked). `issued_for` names what issued it (an action's report; later a
-- referral, a quest, a loyalty rule) and is unique: however often a source
-- is retried it issues one code, and one activation per player and code
-- makes that code pay once.
ALTER TABLE promo_codes
    ADD COLUMN owner_id bigint REFERENCES players (id),
    ADD COLUMN issued_for text CHECK (length(issued_for) BETWEEN 1 AND 300),
    ADD CONSTRAINT promo_codes_issued_codes_are_personal CHECK (issued_for IS NULL OR owner_id IS NOT NULL);
CREATE UNIQUE INDEX promo_codes_issued_for_key ON promo_codes (issued_for);
CREATE INDEX promo_codes_owner_idx ON promo_codes (owner_id, created_at DESC) WHERE owner_id IS NOT NULL;

CREATE OR REPLACE FUNCTION promo_player_eligible(c promo_codes, p players) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT (c.owner_id IS NULL OR c.owner_id = p.id)
       AND (cardinality(c.eligible_tiers) = 0 OR p.tier = ANY (c.eligible_tiers))
       AND (cardinality(c.eligible_tags) = 0 OR p.tags && c.eligible_tags)
       AND (c.new_player_days IS NULL OR p.created_at > now() - make_interval(days => c.new_player_days))
$$;

-- What an action the platform reports earns: a grant at once, or a personal
-- code the player redeems themselves; once per player (a first purchase) or
-- once per report (a streak day).
CREATE TABLE action_rewards (
    action      text PRIMARY KEY CHECK (action ~ '^[a-z0-9][a-z0-9_.:-]{0,39}$'),
    gives       text NOT NULL CHECK (gives IN ('grant', 'code')),
    reward      bigint NOT NULL CHECK (reward BETWEEN 1 AND 1000000000000),
    currency    text NOT NULL REFERENCES currencies (code),
    once        boolean NOT NULL DEFAULT true,
    -- how long an issued code can be redeemed
    code_days   integer NOT NULL DEFAULT 30 CHECK (code_days BETWEEN 1 AND 3660),
    enabled     boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Each rewarded report, by the source that issued its code: a replay, a
-- racing duplicate or a second "first purchase" finds this row and gets the
-- first answer again.
CREATE TABLE player_actions (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source         text NOT NULL UNIQUE,
    player_id      bigint NOT NULL REFERENCES players (id),
    action         text NOT NULL,
    report_key     text NOT NULL CHECK (length(report_key) BETWEEN 1 AND 200),
    gives          text NOT NULL CHECK (gives IN ('grant', 'code')),
    code_id        bigint NOT NULL REFERENCES promo_codes (id),
    activation_id  bigint REFERENCES activations (id),
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX player_actions_player_idx ON player_actions (player_id, created_at DESC);

-- A player hears when a code is issued to them.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check,
    ADD CONSTRAINT notifications_kind_check
        CHECK (kind IN ('activation', 'new_code', 'message', 'code_issued'));
