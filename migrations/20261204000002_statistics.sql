-- Statistics (issue 14). Reports read small rollups instead of scanning a
-- million activations. One worker at a time folds new activations into them,
-- off the activation path (which gains no trigger and no index): it waits
-- until every activation up to some id has committed or rolled back (a brief
-- table lock, see promo_stats_settled), then folds that id range in one
-- statement and moves the mark, in one transaction. So the rollups are exact
-- up to `rolled_to`, never count an activation twice, and lag the live table
-- by one worker period. Days and hours are UTC.

-- A code's one kind for statistics, where the dashboard's list filter lets a
-- code be several: an egg, else decreasing, else limited, else temporary,
-- else standard.
CREATE FUNCTION promo_code_kind(c promo_codes) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN c.egg_slug IS NOT NULL THEN 'egg'
        WHEN c.decrease_step > 0 THEN 'decreasing'
        WHEN c.activation_limit IS NOT NULL THEN 'limited'
        WHEN c.starts_at IS NOT NULL OR c.ends_at IS NOT NULL THEN 'temporary'
        ELSE 'standard'
    END
$$;

CREATE TABLE stats_rollup_state (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    -- every activation with an id up to this one is in the rollups
    rolled_to   bigint NOT NULL DEFAULT 0,
    rolled_at   timestamptz NOT NULL DEFAULT now(),
    -- when the retention figures (cohorts, campaign impact) were computed
    retention_at timestamptz
);
INSERT INTO stats_rollup_state DEFAULT VALUES;

-- Per code, hour, channel and currency (days and weeks are sums of hours).
CREATE TABLE stats_code_hours (
    code_id      bigint NOT NULL REFERENCES promo_codes (id) ON DELETE CASCADE,
    hour         timestamptz NOT NULL,
    channel      text NOT NULL,
    currency     text NOT NULL,
    activations  integer NOT NULL,
    rewards      bigint NOT NULL,
    PRIMARY KEY (code_id, hour, channel, currency)
);
-- Time from a code's release (starts_at, else creation) to each activation,
-- in buckets: 0 under an hour, 1 under 6 hours, 2 under a day, 3 under 3
-- days, 4 under a week, 5 under 30 days, 6 later.
CREATE TABLE stats_code_delays (
    code_id      bigint NOT NULL REFERENCES promo_codes (id) ON DELETE CASCADE,
    bucket       smallint NOT NULL CHECK (bucket BETWEEN 0 AND 6),
    activations  integer NOT NULL,
    PRIMARY KEY (code_id, bucket)
);

-- The whole service by the code's kind at the time of activation.
CREATE TABLE stats_kind_days (
    day          date NOT NULL,
    kind         text NOT NULL,
    channel      text NOT NULL,
    currency     text NOT NULL,
    activations  integer NOT NULL,
    rewards      bigint NOT NULL,
    PRIMARY KEY (day, kind, channel, currency)
);

-- Groups (a series is a group), campaigns and partners, by the code's
-- attribution when it was activated: a code moved to another campaign later
-- leaves its past activations where they were earned (what a partner's
-- payout needs).
CREATE TABLE stats_scope_days (
    scope        text NOT NULL CHECK (scope IN ('group', 'campaign', 'partner')),
    scope_id     bigint NOT NULL,
    day          date NOT NULL,
    channel      text NOT NULL,
    currency     text NOT NULL,
    activations  integer NOT NULL,
    rewards      bigint NOT NULL,
    PRIMARY KEY (scope, scope_id, day, channel, currency)
);
-- Who redeemed in a scope on a day. Ordered by player, so the unique
-- players of a range are counted by one index-only scan without hashing,
-- and "has this player redeemed here before" is one index probe.
CREATE TABLE stats_scope_players (
    scope        text NOT NULL,
    scope_id     bigint NOT NULL,
    player_id    bigint NOT NULL,
    day          date NOT NULL,
    PRIMARY KEY (scope, scope_id, player_id, day)
);
-- ... and by day, for a range that covers part of a scope's days.
CREATE INDEX stats_scope_players_day_idx ON stats_scope_players (scope, scope_id, day) INCLUDE (player_id);
-- Per scope in all: unique players and the first and last day with an
-- activation. A range that covers those days needs no count at all.
CREATE TABLE stats_scope_totals (
    scope        text NOT NULL,
    scope_id     bigint NOT NULL,
    players      integer NOT NULL,
    first_day    date NOT NULL,
    last_day     date NOT NULL,
    PRIMARY KEY (scope, scope_id)
);

-- Per player and day, for the most active players of a range.
CREATE TABLE stats_player_days (
    player_id    bigint NOT NULL,
    day          date NOT NULL,
    activations  integer NOT NULL,
    PRIMARY KEY (player_id, day)
);
CREATE INDEX stats_player_days_day_idx ON stats_player_days (day) INCLUDE (player_id, activations);
-- Per player in all: when they first and last redeemed, and how often.
CREATE TABLE stats_players (
    player_id    bigint PRIMARY KEY,
    first_at     timestamptz NOT NULL,
    last_at      timestamptz NOT NULL,
    activations  integer NOT NULL
);
CREATE INDEX stats_players_first_idx ON stats_players (first_at);
CREATE INDEX stats_players_busiest_idx ON stats_players (activations DESC, player_id);
-- Per day: activations, distinct redeemers, and those who redeemed for the
-- first time ever.
CREATE TABLE stats_service_days (
    day            date PRIMARY KEY,
    activations    integer NOT NULL,
    redeemers      integer NOT NULL,
    new_redeemers  integer NOT NULL
);

-- Waits until every activation up to the sequence's current value has
-- committed or rolled back, and answers that value. Inserting takes ROW
-- EXCLUSIVE on activations before it draws an id and keeps it to commit;
-- SHARE ROW EXCLUSIVE waits those out. Call it in a transaction of its own
-- (the lock lasts to its end) with a lock_timeout: new activations queue
-- behind the lock meanwhile.
CREATE FUNCTION promo_stats_settled() RETURNS bigint
LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE activations IN SHARE ROW EXCLUSIVE MODE;
    RETURN coalesce(pg_sequence_last_value(pg_get_serial_sequence('activations', 'id')::regclass), 0);
END
$$;

-- Folds activations after `rolled_to` up to `p_to` (at most p_limit of them)
-- into every rollup, in one statement, and moves the mark. The state row's
-- lock makes one caller at a time; a second waits, then finds nothing left.
-- Answers how many were folded and the new mark.
CREATE FUNCTION promo_stats_roll(p_to bigint, p_limit integer)
RETURNS TABLE (folded integer, rolled_to bigint)
LANGUAGE plpgsql AS $$
DECLARE
    v_from bigint;
    v_last bigint;
    v_count integer;
BEGIN
    SELECT s.rolled_to INTO v_from FROM stats_rollup_state s WHERE s.singleton FOR UPDATE;
    IF p_to <= v_from THEN
        RETURN QUERY SELECT 0, v_from;
        RETURN;
    END IF;
    WITH w AS MATERIALIZED (
        SELECT a.id, a.code_id, a.player_id, a.reward, a.currency, a.channel, a.created_at,
               (a.created_at AT TIME ZONE 'UTC')::date AS day,
               date_trunc('hour', a.created_at, 'UTC') AS hour,
               c.group_id, c.campaign_id, c.partner_id, promo_code_kind(c) AS kind,
               CASE
                   WHEN a.created_at - coalesce(c.starts_at, c.created_at) < interval '1 hour' THEN 0
                   WHEN a.created_at - coalesce(c.starts_at, c.created_at) < interval '6 hours' THEN 1
                   WHEN a.created_at - coalesce(c.starts_at, c.created_at) < interval '1 day' THEN 2
                   WHEN a.created_at - coalesce(c.starts_at, c.created_at) < interval '3 days' THEN 3
                   WHEN a.created_at - coalesce(c.starts_at, c.created_at) < interval '7 days' THEN 4
                   WHEN a.created_at - coalesce(c.starts_at, c.created_at) < interval '30 days' THEN 5
                   ELSE 6
               END AS delay
          FROM activations a JOIN promo_codes c ON c.id = a.code_id
         WHERE a.id > v_from AND a.id <= p_to
         ORDER BY a.id
         LIMIT p_limit
    ), code_hours AS (
        INSERT INTO stats_code_hours AS t (code_id, hour, channel, currency, activations, rewards)
        SELECT w.code_id, w.hour, w.channel, w.currency, count(*), sum(w.reward)
          FROM w GROUP BY 1, 2, 3, 4
        ON CONFLICT (code_id, hour, channel, currency) DO UPDATE
           SET activations = t.activations + EXCLUDED.activations, rewards = t.rewards + EXCLUDED.rewards
    ), code_delays AS (
        INSERT INTO stats_code_delays AS t (code_id, bucket, activations)
        SELECT w.code_id, w.delay, count(*) FROM w GROUP BY 1, 2
        ON CONFLICT (code_id, bucket) DO UPDATE SET activations = t.activations + EXCLUDED.activations
    ), kind_days AS (
        INSERT INTO stats_kind_days AS t (day, kind, channel, currency, activations, rewards)
        SELECT w.day, w.kind, w.channel, w.currency, count(*), sum(w.reward)
          FROM w GROUP BY 1, 2, 3, 4
        ON CONFLICT (day, kind, channel, currency) DO UPDATE
           SET activations = t.activations + EXCLUDED.activations, rewards = t.rewards + EXCLUDED.rewards
    ), scoped AS (
        SELECT s.scope, s.scope_id, w.day, w.channel, w.currency, w.reward, w.player_id
          FROM w CROSS JOIN LATERAL (VALUES ('group', w.group_id), ('campaign', w.campaign_id),
                                            ('partner', w.partner_id)) s (scope, scope_id)
         WHERE s.scope_id IS NOT NULL
    ), scope_days AS (
        INSERT INTO stats_scope_days AS t (scope, scope_id, day, channel, currency, activations, rewards)
        SELECT s.scope, s.scope_id, s.day, s.channel, s.currency, count(*), sum(s.reward)
          FROM scoped s GROUP BY 1, 2, 3, 4, 5
        ON CONFLICT (scope, scope_id, day, channel, currency) DO UPDATE
           SET activations = t.activations + EXCLUDED.activations, rewards = t.rewards + EXCLUDED.rewards
    ), scope_players AS (
        INSERT INTO stats_scope_players (scope, scope_id, player_id, day)
        SELECT DISTINCT s.scope, s.scope_id, s.player_id, s.day FROM scoped s
        ON CONFLICT DO NOTHING
    ), scope_newcomers AS (
        -- Players new to a scope: the statement sees the table as it was
        -- before its own inserts.
        SELECT n.scope, n.scope_id, count(*) AS players
          FROM (SELECT DISTINCT s.scope, s.scope_id, s.player_id FROM scoped s) n
         WHERE NOT EXISTS (SELECT 1 FROM stats_scope_players x
                            WHERE x.scope = n.scope AND x.scope_id = n.scope_id AND x.player_id = n.player_id)
         GROUP BY 1, 2
    ), scope_totals AS (
        INSERT INTO stats_scope_totals AS t (scope, scope_id, players, first_day, last_day)
        SELECT s.scope, s.scope_id, coalesce(max(n.players), 0), min(s.day), max(s.day)
          FROM scoped s LEFT JOIN scope_newcomers n ON n.scope = s.scope AND n.scope_id = s.scope_id
         GROUP BY 1, 2
        ON CONFLICT (scope, scope_id) DO UPDATE
           SET players = t.players + EXCLUDED.players,
               first_day = least(t.first_day, EXCLUDED.first_day),
               last_day = greatest(t.last_day, EXCLUDED.last_day)
    ), player_days AS (
        -- xmax = 0 marks a row this statement inserted: the player's first
        -- activation of that day.
        INSERT INTO stats_player_days AS t (player_id, day, activations)
        SELECT w.player_id, w.day, count(*) FROM w GROUP BY 1, 2
        ON CONFLICT (player_id, day) DO UPDATE SET activations = t.activations + EXCLUDED.activations
        RETURNING t.day, (t.xmax = 0) AS fresh
    ), redeemers AS (
        INSERT INTO stats_players AS t (player_id, first_at, last_at, activations)
        SELECT w.player_id, min(w.created_at), max(w.created_at), count(*) FROM w GROUP BY 1
        ON CONFLICT (player_id) DO UPDATE
           SET first_at = least(t.first_at, EXCLUDED.first_at),
               last_at = greatest(t.last_at, EXCLUDED.last_at),
               activations = t.activations + EXCLUDED.activations
        RETURNING (t.first_at AT TIME ZONE 'UTC')::date AS day, (t.xmax = 0) AS fresh
    ), service_days AS (
        INSERT INTO stats_service_days AS t (day, activations, redeemers, new_redeemers)
        SELECT d.day, sum(d.activations), sum(d.redeemers), sum(d.new_redeemers)
          FROM (SELECT w.day, count(*) AS activations, 0 AS redeemers, 0 AS new_redeemers FROM w GROUP BY 1
                UNION ALL
                SELECT pd.day, 0, count(*), 0 FROM player_days pd WHERE pd.fresh GROUP BY 1
                UNION ALL
                SELECT r.day, 0, 0, count(*) FROM redeemers r WHERE r.fresh GROUP BY 1) d
         GROUP BY 1
        ON CONFLICT (day) DO UPDATE
           SET activations = t.activations + EXCLUDED.activations,
               redeemers = t.redeemers + EXCLUDED.redeemers,
               new_redeemers = t.new_redeemers + EXCLUDED.new_redeemers
    )
    SELECT count(*)::integer, max(w.id) INTO v_count, v_last FROM w;
    -- A short chunk read everything up to p_to (ids of rolled-back
    -- activations are gaps that never fill); a full one stops at its last id.
    IF v_count < p_limit THEN
        v_last := p_to;
    END IF;
    UPDATE stats_rollup_state s SET rolled_to = v_last, rolled_at = now() WHERE s.singleton;
    RETURN QUERY SELECT v_count, v_last;
END
$$;

-- Player activity reported by the platform (POST /api/v1/activity), kept as
-- events per player, day and kind: retention asks "was this player active
-- that week", and a day's count answers it at a fraction of the rows.
CREATE TABLE player_activity_days (
    player_id  bigint NOT NULL REFERENCES players (id) ON DELETE CASCADE,
    day        date NOT NULL,
    kind       text NOT NULL CHECK (kind ~ '^[a-z0-9][a-z0-9_.:-]{0,39}$'),
    events     integer NOT NULL CHECK (events > 0),
    PRIMARY KEY (player_id, day, kind)
);
CREATE INDEX player_activity_days_day_idx ON player_activity_days (day);

-- Weekly cohorts (weeks start on Monday, UTC): players who first redeemed in
-- a week ('redeemers'), and players who signed up in a week and have redeemed
-- nothing ('others'); active[k] counts those active in week k after (k = 0..7).
-- Computed whole by promo_stats_retention every few minutes.
CREATE TABLE stats_cohorts (
    cohort   text NOT NULL CHECK (cohort IN ('redeemers', 'others')),
    week     date NOT NULL,
    players  integer NOT NULL,
    active   integer[] NOT NULL,
    PRIMARY KEY (cohort, week)
);
-- Per campaign, its redeemers' activity in the four weeks before the week
-- of their first redeem in it and the four from it: active[k] players and
-- events[k] events in week k - 4 (k = 0..7).
CREATE TABLE stats_campaign_impact (
    campaign_id  bigint PRIMARY KEY,
    players      integer NOT NULL,
    active       integer[] NOT NULL,
    events       bigint[] NOT NULL
);

CREATE FUNCTION promo_stats_retention(p_weeks integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_since date := (date_trunc('week', now() AT TIME ZONE 'UTC') - make_interval(weeks => p_weeks))::date;
    v_since_at timestamptz := v_since::timestamp AT TIME ZONE 'UTC';
BEGIN
    -- One instance at a time; another finds the lock taken and leaves it.
    IF NOT pg_try_advisory_xact_lock(hashtext('promo_stats'), hashtext('retention')) THEN
        RETURN;
    END IF;
    DELETE FROM stats_cohorts;
    WITH members AS (
        SELECT 'redeemers' AS cohort, s.player_id, date_trunc('week', s.first_at AT TIME ZONE 'UTC')::date AS week
          FROM stats_players s
         WHERE s.first_at >= v_since_at
        UNION ALL
        SELECT 'others', p.id, date_trunc('week', p.created_at AT TIME ZONE 'UTC')::date
          FROM players p
         WHERE p.created_at >= v_since_at
           AND NOT EXISTS (SELECT 1 FROM stats_players s WHERE s.player_id = p.id)
    ), active AS (
        SELECT DISTINCT m.cohort, m.week, m.player_id, (d.day - m.week) / 7 AS k
          FROM members m
          JOIN player_activity_days d ON d.player_id = m.player_id AND d.day >= m.week AND d.day < m.week + 56
    ), sizes AS (
        SELECT m.cohort, m.week, count(*)::integer AS players FROM members m GROUP BY 1, 2
    ), counts AS (
        SELECT a.cohort, a.week, a.k, count(*)::integer AS n FROM active a GROUP BY 1, 2, 3
    )
    INSERT INTO stats_cohorts (cohort, week, players, active)
    SELECT s.cohort, s.week, s.players,
           ARRAY(SELECT coalesce(c.n, 0) FROM generate_series(0, 7) k
                   LEFT JOIN counts c ON c.cohort = s.cohort AND c.week = s.week AND c.k = k.k ORDER BY k.k)
      FROM sizes s;

    DELETE FROM stats_campaign_impact;
    WITH firsts AS (
        SELECT sp.scope_id AS campaign_id, sp.player_id, date_trunc('week', min(sp.day)::timestamp)::date AS week
          FROM stats_scope_players sp
         WHERE sp.scope = 'campaign'
         GROUP BY 1, 2
    ), around AS (
        SELECT f.campaign_id, f.player_id, (d.day - f.week) / 7 + 4 AS k, d.events
          FROM firsts f
          JOIN player_activity_days d ON d.player_id = f.player_id
                                     AND d.day >= f.week - 28 AND d.day < f.week + 28
    ), counts AS (
        SELECT a.campaign_id, a.k, count(DISTINCT a.player_id)::integer AS n, sum(a.events)::bigint AS events
          FROM around a GROUP BY 1, 2
    ), sizes AS (
        SELECT f.campaign_id, count(*)::integer AS players FROM firsts f GROUP BY 1
    )
    INSERT INTO stats_campaign_impact (campaign_id, players, active, events)
    SELECT s.campaign_id, s.players,
           ARRAY(SELECT coalesce(c.n, 0) FROM generate_series(0, 7) k
                   LEFT JOIN counts c ON c.campaign_id = s.campaign_id AND c.k = k.k ORDER BY k.k),
           ARRAY(SELECT coalesce(c.events, 0) FROM generate_series(0, 7) k
                   LEFT JOIN counts c ON c.campaign_id = s.campaign_id AND c.k = k.k ORDER BY k.k)
      FROM sizes s;

    UPDATE stats_rollup_state SET retention_at = now() WHERE singleton;
END
$$;
