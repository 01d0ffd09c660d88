-- The whole Promocodes schema: currencies, players and admins, code grouping
-- (groups, campaigns, partners), promo codes with their localized texts,
-- activations, balances and the ledger, notifications and the event outbox.
-- Invariants live here: CHECK constraints keep rewards and limits sane, unique
-- keys make "one activation per player" and "one credit per activation" hold
-- whatever the application does.

CREATE TABLE currencies (
    code        text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]{1,15}$'),
    -- display names per locale, e.g. {"en": "Coins", "ru": "Монеты"}
    names       jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(names) = 'object'),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE players (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username       text NOT NULL CHECK (length(username) BETWEEN 3 AND 40),
    password_hash  text,
    -- the player's id on the host platform (signed sign-in links carry it)
    external_id    text UNIQUE CHECK (length(external_id) BETWEEN 1 AND 128),
    locale         text NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'ru')),
    tier           text NOT NULL DEFAULT 'standard' CHECK (length(tier) BETWEEN 1 AND 32),
    tags           text[] NOT NULL DEFAULT '{}',
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX players_username_key ON players (lower(username));

CREATE TABLE admins (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username       text NOT NULL CHECK (length(username) BETWEEN 3 AND 40),
    password_hash  text NOT NULL,
    role           text NOT NULL CHECK (role IN ('admin', 'viewer')),
    locale         text NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'ru')),
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX admins_username_key ON admins (lower(username));

CREATE TABLE partners (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                   text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    contact                text NOT NULL DEFAULT '',
    payout_per_activation  bigint NOT NULL DEFAULT 0 CHECK (payout_per_activation >= 0),
    payout_currency        text NOT NULL REFERENCES currencies (code),
    notes                  text NOT NULL DEFAULT '',
    created_at             timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX partners_name_key ON partners (lower(name));

CREATE TABLE campaigns (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    channel     text NOT NULL CHECK (channel IN ('email', 'social', 'print', 'event', 'broadcast', 'partner', 'internal')),
    partner_id  bigint REFERENCES partners (id),
    starts_at   timestamptz,
    ends_at     timestamptz,
    notes       text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at)
);
CREATE UNIQUE INDEX campaigns_name_key ON campaigns (lower(name));

-- Thematic groups of codes; a generated series is a group of kind 'series'.
CREATE TABLE code_groups (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    kind         text NOT NULL DEFAULT 'group' CHECK (kind IN ('group', 'series')),
    description  text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX code_groups_name_key ON code_groups (lower(name));

CREATE TABLE promo_codes (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- as the admin typed it, for display
    name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- the same name folded by `PromoCodeText::parse`: upper case, no spaces or dashes;
    -- redemption looks codes up by this, so case and separator tricks cannot reach another code
    normalized        text NOT NULL UNIQUE CHECK (length(normalized) BETWEEN 1 AND 64 AND normalized !~ '[[:space:]-]'),
    group_id          bigint REFERENCES code_groups (id) ON DELETE SET NULL,
    campaign_id       bigint REFERENCES campaigns (id) ON DELETE SET NULL,
    partner_id        bigint REFERENCES partners (id) ON DELETE SET NULL,
    priority          integer NOT NULL DEFAULT 0,
    starts_at         timestamptz,
    ends_at           timestamptz,
    activation_limit  integer CHECK (activation_limit > 0),
    activation_count  integer NOT NULL DEFAULT 0 CHECK (activation_count >= 0),
    currency          text NOT NULL REFERENCES currencies (code),
    initial_reward    bigint NOT NULL CHECK (initial_reward > 0),
    -- what the next activation receives: max(min_reward, initial_reward - activation_count * decrease_step)
    current_reward    bigint NOT NULL,
    min_reward        bigint NOT NULL CHECK (min_reward > 0),
    decrease_step     bigint NOT NULL DEFAULT 0 CHECK (decrease_step >= 0),
    egg_slug          text UNIQUE CHECK (egg_slug ~ '^[a-z0-9][a-z0-9-]{2,63}$'),
    enabled           boolean NOT NULL DEFAULT true,
    -- eligibility: empty arrays / NULL mean "everyone"
    eligible_tiers    text[] NOT NULL DEFAULT '{}',
    eligible_tags     text[] NOT NULL DEFAULT '{}',
    new_player_days   integer CHECK (new_player_days > 0),
    created_by        bigint REFERENCES admins (id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (min_reward <= initial_reward),
    CHECK (current_reward BETWEEN min_reward AND initial_reward),
    CHECK (decrease_step <= initial_reward),
    CHECK (activation_limit IS NULL OR activation_count <= activation_limit),
    CHECK (ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at)
);
CREATE INDEX promo_codes_group_idx ON promo_codes (group_id);
CREATE INDEX promo_codes_campaign_idx ON promo_codes (campaign_id);
CREATE INDEX promo_codes_partner_idx ON promo_codes (partner_id);

CREATE TABLE promo_code_texts (
    code_id         bigint NOT NULL REFERENCES promo_codes (id) ON DELETE CASCADE,
    locale          text NOT NULL CHECK (locale IN ('en', 'ru')),
    description     text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    secret_message  text NOT NULL DEFAULT '' CHECK (length(secret_message) <= 2000),
    PRIMARY KEY (code_id, locale)
);

CREATE TABLE activations (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code_id     bigint NOT NULL REFERENCES promo_codes (id),
    player_id   bigint NOT NULL REFERENCES players (id),
    -- k, counted from 0: the k-th activation of a code got max(min, initial - k*step)
    ordinal     integer NOT NULL CHECK (ordinal >= 0),
    reward      bigint NOT NULL CHECK (reward > 0),
    currency    text NOT NULL REFERENCES currencies (code),
    channel     text NOT NULL CHECK (channel IN ('form', 'egg', 'api', 'job')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (code_id, player_id),
    UNIQUE (code_id, ordinal)
);
CREATE INDEX activations_player_idx ON activations (player_id, created_at DESC);
CREATE INDEX activations_created_idx ON activations (created_at);

CREATE TABLE balances (
    player_id   bigint NOT NULL REFERENCES players (id),
    currency    text NOT NULL REFERENCES currencies (code),
    amount      bigint NOT NULL DEFAULT 0 CHECK (amount >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (player_id, currency)
);

CREATE TABLE ledger_entries (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    player_id      bigint NOT NULL REFERENCES players (id),
    currency       text NOT NULL REFERENCES currencies (code),
    amount         bigint NOT NULL CHECK (amount <> 0),
    balance_after  bigint NOT NULL CHECK (balance_after >= 0),
    source         text NOT NULL CHECK (source IN ('promo_activation', 'adjustment')),
    -- a promo credit names its activation; the unique key makes it exactly one credit
    activation_id  bigint UNIQUE REFERENCES activations (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((source = 'promo_activation') = (activation_id IS NOT NULL))
);
CREATE INDEX ledger_entries_player_idx ON ledger_entries (player_id, id DESC);

-- Stored as a message id with arguments and rendered in the reader's language
-- when shown, so a player who switches language sees the inbox in it.
CREATE TABLE notifications (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    player_id   bigint NOT NULL REFERENCES players (id),
    kind        text NOT NULL CHECK (kind IN ('activation', 'new_code', 'message')),
    params      jsonb NOT NULL DEFAULT '{}'::jsonb,
    read_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_player_idx ON notifications (player_id, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (player_id) WHERE read_at IS NULL;

-- Transactional outbox: written in the same transaction as the change it
-- reports; a relay delivers it to the other platform modules.
CREATE TABLE outbox_events (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    topic         text NOT NULL,
    payload       jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    available_at  timestamptz NOT NULL DEFAULT now(),
    attempts      integer NOT NULL DEFAULT 0,
    last_error    text,
    published_at  timestamptz
);
CREATE INDEX outbox_events_pending_idx ON outbox_events (available_at, id) WHERE published_at IS NULL;

-- Every admin change, with who, when, and the row before and after.
CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    admin_id    bigint REFERENCES admins (id) ON DELETE SET NULL,
    action      text NOT NULL,
    entity      text NOT NULL,
    entity_id   bigint,
    before      jsonb,
    after       jsonb,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_created_idx ON audit_log (created_at DESC);

INSERT INTO currencies (code, names) VALUES
    ('COINS', '{"en": "coins", "ru": "монет"}'),
    ('GEMS', '{"en": "gems", "ru": "кристаллов"}');

-- Whether a player may activate a code at all (tiers, tags, account age).
-- One definition, used by the diagnostic lookup and by the claiming UPDATE.
CREATE FUNCTION promo_player_eligible(c promo_codes, p players) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT (cardinality(c.eligible_tiers) = 0 OR p.tier = ANY (c.eligible_tiers))
       AND (cardinality(c.eligible_tags) = 0 OR p.tags && c.eligible_tags)
       AND (c.new_player_days IS NULL OR p.created_at > now() - make_interval(days => c.new_player_days))
$$;
