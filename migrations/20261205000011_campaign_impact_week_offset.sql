-- A campaign's impact counted a day in the week before a player's first
-- week in it as that first week: `(day - week) / 7` truncates toward zero,
-- so -6..-1 days gave offset 0. The offset is now taken between the two
-- weeks' Mondays, which differ by whole weeks. The function is otherwise
-- the one of 20261204000002.

CREATE OR REPLACE FUNCTION promo_stats_retention(p_weeks integer) RETURNS void
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
        SELECT f.campaign_id, f.player_id, (date_trunc('week', d.day)::date - f.week) / 7 + 4 AS k, d.events
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
