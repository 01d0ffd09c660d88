-- Referrals, quests and loyalty rules (issue 15). Every reward they give is a
-- personal code issued once per source (`promo_codes.issued_for`) and, for a
-- grant, redeemed at once through the activation core: the ledger, events and
-- notifications follow, and a retried or raced source pays once.

-- The referral program: one row, absent until an admin saves it (no program).
CREATE TABLE referral_program (
    id                 boolean PRIMARY KEY DEFAULT true CHECK (id),
    enabled            boolean NOT NULL DEFAULT true,
    referee_reward     bigint NOT NULL CHECK (referee_reward BETWEEN 0 AND 1000000000000),
    referee_currency   text NOT NULL REFERENCES currencies (code),
    referrer_reward    bigint NOT NULL CHECK (referrer_reward BETWEEN 0 AND 1000000000000),
    referrer_currency  text NOT NULL REFERENCES currencies (code),
    -- when the referrer is paid: at the friend's sign-up or first redeem
    pay_referrer_on    text NOT NULL CHECK (pay_referrer_on IN ('sign_up', 'first_redeem')),
    -- referrers paid at most `cap` times per `cap_days` days (NULL: no cap)
    cap                integer CHECK (cap BETWEEN 1 AND 100000),
    cap_days           integer NOT NULL DEFAULT 30 CHECK (cap_days BETWEEN 1 AND 3660),
    -- more sign-ups than this from one address in a day are held for review
    review_threshold   integer NOT NULL DEFAULT 3 CHECK (review_threshold BETWEEN 1 AND 100000),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

-- Each player's invite code, made with the player (a trigger), so showing
-- it never writes: 8 characters of the series alphabet (25^8, about 37 bits).
CREATE TABLE referral_invites (
    player_id   bigint PRIMARY KEY REFERENCES players (id) ON DELETE CASCADE,
    code        text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9]{4,16}$'),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION promo_invite_code() RETURNS text
LANGUAGE sql VOLATILE AS $$
    SELECT string_agg(substr('ACDEFGHJKMNPQRTUVWXY34679', 1 + floor(random() * 25)::int, 1), '')
      FROM generate_series(1, 8)
$$;

-- A code drawn twice (about one in 10^11 a draw) is drawn again.
CREATE FUNCTION promo_player_invite() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    LOOP
        INSERT INTO referral_invites (player_id, code) VALUES (NEW.id, promo_invite_code())
        ON CONFLICT DO NOTHING;
        EXIT WHEN FOUND;
    END LOOP;
    RETURN NEW;
END
$$;

CREATE TRIGGER players_invite AFTER INSERT ON players
    FOR EACH ROW EXECUTE FUNCTION promo_player_invite();

-- The players there already.
DO $$
BEGIN
    LOOP
        INSERT INTO referral_invites (player_id, code)
        SELECT id, promo_invite_code() FROM players p
         WHERE NOT EXISTS (SELECT 1 FROM referral_invites i WHERE i.player_id = p.id)
        ON CONFLICT DO NOTHING;
        EXIT WHEN NOT EXISTS (SELECT 1 FROM players p
                               WHERE NOT EXISTS (SELECT 1 FROM referral_invites i WHERE i.player_id = p.id));
    END LOOP;
END
$$;

-- One row per invited player: a player is invited once, by someone else.
CREATE TABLE referrals (
    referee_id           bigint PRIMARY KEY REFERENCES players (id),
    referrer_id          bigint NOT NULL REFERENCES players (id),
    address              inet,
    -- held: past the address threshold, waiting for an admin
    state                text NOT NULL CHECK (state IN ('accepted', 'held', 'rejected')),
    -- the referrer's side: waiting (for the friend's first redeem or the
    -- review), paid, capped (over the cap when due), none (rejected)
    referrer_state       text NOT NULL CHECK (referrer_state IN ('waiting', 'paid', 'capped', 'none')),
    referee_activation_id  bigint REFERENCES activations (id),
    referrer_activation_id bigint REFERENCES activations (id),
    referrer_paid_at     timestamptz,
    -- the friend's first redeem (any code but a reward paid to them)
    converted_at         timestamptz,
    reviewed_at          timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    CHECK (referrer_id <> referee_id)
);
CREATE INDEX referrals_referrer_idx ON referrals (referrer_id, created_at DESC);
CREATE INDEX referrals_address_idx ON referrals (address, created_at) WHERE address IS NOT NULL;
CREATE INDEX referrals_held_idx ON referrals (created_at) WHERE state = 'held';
CREATE INDEX referrals_paid_idx ON referrals (referrer_id, referrer_paid_at) WHERE referrer_state = 'paid';

-- Quests: steps a player completes by redeeming codes; the reward is paid
-- once, when every step is done.
CREATE TABLE quests (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9_.:-]{0,39}$'),
    reward      bigint NOT NULL CHECK (reward BETWEEN 1 AND 1000000000000),
    currency    text NOT NULL REFERENCES currencies (code),
    starts_at   timestamptz,
    ends_at     timestamptz,
    enabled     boolean NOT NULL DEFAULT true,
    position    integer NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at)
);

CREATE TABLE quest_texts (
    quest_id  bigint NOT NULL REFERENCES quests (id) ON DELETE CASCADE,
    locale    text NOT NULL CHECK (locale IN ('en', 'ru')),
    title     text NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
    story     text NOT NULL DEFAULT '' CHECK (length(story) <= 2000),
    PRIMARY KEY (quest_id, locale)
);

-- A step: redeem a given code, any code of a group or a campaign, any
-- `target` codes, or find `target` easter eggs (any, or of `egg_code_ids`).
CREATE TABLE quest_steps (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    quest_id      bigint NOT NULL REFERENCES quests (id) ON DELETE CASCADE,
    position      integer NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('code', 'group', 'campaign', 'codes', 'eggs')),
    code_id       bigint REFERENCES promo_codes (id) ON DELETE CASCADE,
    group_id      bigint REFERENCES code_groups (id) ON DELETE CASCADE,
    campaign_id   bigint REFERENCES campaigns (id) ON DELETE CASCADE,
    egg_code_ids  bigint[] NOT NULL DEFAULT '{}',
    target        integer NOT NULL DEFAULT 1 CHECK (target BETWEEN 1 AND 1000),
    UNIQUE (quest_id, position),
    CHECK ((kind = 'code') = (code_id IS NOT NULL)
       AND (kind = 'group') = (group_id IS NOT NULL)
       AND (kind = 'campaign') = (campaign_id IS NOT NULL)
       AND (kind = 'eggs' OR cardinality(egg_code_ids) = 0))
);
CREATE INDEX quest_steps_code_idx ON quest_steps (code_id) WHERE code_id IS NOT NULL;

-- Which activation advanced which step: one row per (step, activation), so an
-- activation read twice (a replayed feed, a second worker) counts once.
CREATE TABLE quest_credits (
    step_id        bigint NOT NULL REFERENCES quest_steps (id) ON DELETE CASCADE,
    activation_id  bigint NOT NULL REFERENCES activations (id),
    player_id      bigint NOT NULL REFERENCES players (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (step_id, activation_id)
);
CREATE INDEX quest_credits_player_idx ON quest_credits (player_id, step_id);

-- A player's completed quests: the reward is paid by the row's insert.
CREATE TABLE quest_completions (
    quest_id       bigint NOT NULL REFERENCES quests (id) ON DELETE CASCADE,
    player_id      bigint NOT NULL REFERENCES players (id),
    activation_id  bigint REFERENCES activations (id),
    completed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (quest_id, player_id)
);

-- How far the activation feed (quests, referral conversions, loyalty every N)
-- has read: it never passes the statistics' settled mark, below which every
-- activation has committed, so none is skipped.
CREATE TABLE activation_feed_state (
    id       boolean PRIMARY KEY DEFAULT true CHECK (id),
    fed_to   bigint NOT NULL DEFAULT 0,
    fed_at   timestamptz NOT NULL DEFAULT now()
);
INSERT INTO activation_feed_state DEFAULT VALUES;

-- Loyalty rules: personal codes for steady activity (every N redeems), a
-- tier each month (VIP), or the members of a tagged program, once each.
CREATE TABLE loyalty_rules (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 80),
    kind        text NOT NULL CHECK (kind IN ('every_n', 'monthly_tier', 'tagged')),
    every_n     integer CHECK (every_n BETWEEN 1 AND 100000),
    tier        text CHECK (length(tier) BETWEEN 1 AND 32),
    tag         text CHECK (length(tag) BETWEEN 1 AND 32),
    reward      bigint NOT NULL CHECK (reward BETWEEN 1 AND 1000000000000),
    currency    text NOT NULL REFERENCES currencies (code),
    code_days   integer NOT NULL DEFAULT 30 CHECK (code_days BETWEEN 1 AND 3660),
    enabled     boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'every_n') = (every_n IS NOT NULL)
       AND (kind = 'monthly_tier') = (tier IS NOT NULL)
       AND (kind = 'tagged') = (tag IS NOT NULL))
);

-- Codes a rule issued, to count and list them.
CREATE INDEX promo_codes_issued_prefix_idx ON promo_codes (issued_for text_pattern_ops) WHERE issued_for IS NOT NULL;

ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check,
    ADD CONSTRAINT notifications_kind_check
        CHECK (kind IN ('activation', 'new_code', 'message', 'code_issued', 'quest_completed', 'referral_rewarded'));
