-- The statistics benchmark's fixture: 200,000 players over a year, 100,000
-- codes (three series of 20,000, the rest of every kind in 47 groups, 20
-- campaigns, 10 partners), 1,000,000 activations over 180 days (a few codes
-- and players far busier than the rest), and a year of platform activity.
-- Activations go straight into the table (their ledger is not what is
-- measured); codes' counters follow.
INSERT INTO partners (name, payout_per_activation, payout_currency)
SELECT 'Partner ' || g, 5 * g, 'COINS' FROM generate_series(1, 10) g;
INSERT INTO campaigns (name, channel, partner_id, starts_at)
SELECT 'Campaign ' || g, (ARRAY['email','social','print','event','broadcast','partner','internal'])[1 + g % 7],
       CASE WHEN g % 2 = 0 THEN 1 + g % 10 END, now() - make_interval(days => 200 - g * 8)
  FROM generate_series(1, 20) g;
INSERT INTO code_groups (name, kind) SELECT 'Group ' || g, 'group' FROM generate_series(1, 47) g;
INSERT INTO code_groups (name, kind) SELECT 'Series ' || g, 'series' FROM generate_series(1, 3) g;
INSERT INTO players (username, created_at)
SELECT 'fixture' || g, now() - make_interval(secs => 365 * 86400.0 * g / 200000)
  FROM generate_series(1, 200000) g;
INSERT INTO promo_codes (name, normalized, group_id, campaign_id, partner_id, starts_at, ends_at,
                         activation_limit, currency, initial_reward, current_reward, min_reward,
                         decrease_step, egg_slug, created_at)
SELECT 'F' || g, 'F' || g,
       (SELECT id FROM code_groups ORDER BY id OFFSET CASE WHEN g > 40000 THEN 47 + (g - 40001) / 20000 ELSE g % 47 END LIMIT 1),
       (SELECT min(id) FROM campaigns) + g % 20,
       CASE WHEN g % 3 = 0 THEN (SELECT min(id) FROM partners) + g % 10 END,
       CASE WHEN g % 5 = 1 THEN now() - make_interval(days => 190 - g % 180) END,
       CASE WHEN g % 5 = 1 THEN now() + interval '30 days' END,
       CASE WHEN g % 5 = 2 THEN 1000000 END,
       CASE WHEN g % 4 = 0 THEN 'GEMS' ELSE 'COINS' END,
       500, CASE WHEN g % 5 = 3 THEN 50 ELSE 500 END, CASE WHEN g % 5 = 3 THEN 50 ELSE 500 END,
       CASE WHEN g % 5 = 3 THEN 10 ELSE 0 END,
       CASE WHEN g % 1000 = 4 THEN 'fixture-egg-' || g END,
       now() - make_interval(days => 200 - g % 180)
  FROM generate_series(1, 100000) g;
CREATE TEMP TABLE fixture_ids AS
SELECT (SELECT min(id) FROM promo_codes WHERE name LIKE 'F%') AS code0,
       (SELECT min(id) FROM players WHERE username LIKE 'fixture%') AS player0;
INSERT INTO activations (code_id, player_id, ordinal, reward, currency, channel, created_at)
SELECT c, p, k, CASE WHEN (c - f.code0) % 5 = 2 THEN greatest(50, 500 - 10 * k) ELSE 500 END,
       CASE WHEN (c - f.code0 + 1) % 4 = 0 THEN 'GEMS' ELSE 'COINS' END,
       (ARRAY['form','form','form','form','form','form','form','api','egg','job'])[1 + (p + c) % 10],
       at
  FROM (SELECT c, p, at, (row_number() OVER (PARTITION BY c ORDER BY at) - 1)::int AS k
          FROM (SELECT DISTINCT ON (c, p) c, p, at
                  FROM (SELECT f.code0 + floor(100000 * power(random(), 3))::bigint AS c,
                               f.player0 + floor(200000 * power(random(), 1.5))::bigint AS p,
                               now() - make_interval(secs => 180 * 86400 * random()) AS at
                          FROM generate_series(1, 1035000), fixture_ids f) s) d
         LIMIT 1000000) a, fixture_ids f
 ORDER BY at;
ANALYZE activations;
UPDATE promo_codes c SET activation_count = a.n,
       current_reward = greatest(c.min_reward, c.initial_reward - a.n * c.decrease_step)
  FROM (SELECT code_id, count(*)::int AS n FROM activations GROUP BY 1) a WHERE a.code_id = c.id;
-- Activity: each player active on about a tenth of the days since they joined.
INSERT INTO player_activity_days (player_id, day, kind, events)
SELECT p.id, d::date, (ARRAY['login','match','purchase'])[1 + (p.id + (d::date - '2000-01-01'::date)) % 3], 1 + (p.id % 5)
  FROM players p
  CROSS JOIN LATERAL generate_series(p.created_at::date, now()::date, interval '1 day') d
 WHERE p.username LIKE 'fixture%' AND random() < 0.1;
ANALYZE;
