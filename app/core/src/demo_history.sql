-- The demo's past, so that the statistics have something to show: 180
-- players who joined over the last 75 days, about 500 activations of four
-- codes (one a partner's, one a decreasing code read out on a stream 20 days
-- ago), with their ledger, balances, notices and (already published) events,
-- and the players' activity on the platform. Deterministic: the same demo
-- every time. Runs once, while no `crowd-` player exists (see demo.rs).
INSERT INTO code_groups (name, description) VALUES
    ('Partner codes', 'Codes our partners hand out')
ON CONFLICT DO NOTHING;

INSERT INTO campaigns (name, channel, starts_at, notes) VALUES
    ('Autumn stream', 'broadcast', now() - interval '20 days', 'Seeded for the demo')
ON CONFLICT DO NOTHING;

INSERT INTO promo_codes (name, normalized, group_id, campaign_id, partner_id, priority, starts_at,
                         activation_limit, currency, initial_reward, current_reward, min_reward,
                         decrease_step, created_at)
SELECT v.name, v.normalized,
       (SELECT id FROM code_groups WHERE lower(name) = v.grp),
       (SELECT id FROM campaigns WHERE lower(name) = v.campaign),
       (SELECT id FROM partners WHERE lower(name) = v.partner),
       10, v.starts_at, v.lim, v.currency, v.initial, v.initial, v.minimum, v.step, v.created_at
  FROM (VALUES
    ('NORTHWIND-GIFT', 'NORTHWINDGIFT', 'partner codes', 'northwind newsletter', 'northwind games',
     NULL::timestamptz, NULL::int, 'COINS', 150::bigint, 150::bigint, 0::bigint, now() - interval '70 days'),
    ('STREAM-RUSH', 'STREAMRUSH', 'demo', 'autumn stream', NULL,
     now() - interval '20 days', NULL, 'COINS', 400, 100, 2, now() - interval '21 days'),
    ('LOYAL-500', 'LOYAL500', 'demo', NULL, NULL,
     NULL, 500, 'GEMS', 10, 10, 0, now() - interval '60 days')
  ) AS v(name, normalized, grp, campaign, partner, starts_at, lim, currency, initial, minimum, step, created_at)
ON CONFLICT (normalized) DO NOTHING;

INSERT INTO promo_code_texts (code_id, locale, description, secret_message)
SELECT c.id, t.locale, t.description, ''
  FROM (VALUES
    ('NORTHWINDGIFT', 'en', 'A gift from Northwind Games.'),
    ('NORTHWINDGIFT', 'ru', 'Подарок от Northwind Games.'),
    ('STREAMRUSH', 'en', 'Read out on the autumn stream: the sooner, the more.'),
    ('STREAMRUSH', 'ru', 'Прозвучал на осеннем стриме: чем раньше, тем больше.'),
    ('LOYAL500', 'en', 'For our five hundred most loyal players.'),
    ('LOYAL500', 'ru', 'Для пятисот самых верных игроков.')
  ) AS t(normalized, locale, description)
  JOIN promo_codes c ON c.normalized = t.normalized
ON CONFLICT DO NOTHING;

-- The welcome code has been there from the start.
UPDATE promo_codes SET created_at = least(created_at, now() - interval '80 days')
 WHERE normalized = 'WELCOME100';

INSERT INTO players (username, created_at)
SELECT 'crowd-' || lpad(g::text, 3, '0'), now() - make_interval(hours => 75 * 24 - g * 10)
  FROM generate_series(1, 180) g;

-- Who redeemed what, when: a hash of the player's number stands in for chance.
CREATE TEMP TABLE demo_picks ON COMMIT DROP AS
WITH crowd AS (
    SELECT p.id, p.created_at, substr(p.username, 7)::int AS g FROM players p WHERE p.username LIKE 'crowd-%'
), codes AS (
    SELECT id, normalized, currency, coalesce(starts_at, created_at) AS released FROM promo_codes
     WHERE normalized IN ('WELCOME100', 'NORTHWINDGIFT', 'STREAMRUSH', 'LOYAL500')
)
SELECT c.id AS player_id, k.id AS code_id, k.currency,
       CASE WHEN (c.g * 7) % 10 = 0 THEN 'api' ELSE 'form' END AS channel,
       least(now() - interval '1 minute', CASE k.normalized
           -- most redeem the welcome code within a day of joining
           WHEN 'WELCOME100' THEN c.created_at + make_interval(mins => (c.g * 37) % 1440)
           -- the partner's code: some days after joining
           WHEN 'NORTHWINDGIFT' THEN c.created_at + make_interval(days => (c.g * 13) % 9, mins => (c.g * 53) % 600)
           -- the stream: a rush in its first hours, then a trickle
           WHEN 'STREAMRUSH' THEN k.released + make_interval(mins => ((c.g * 29) % 97) * ((c.g * 29) % 97) / 3)
           ELSE c.created_at + make_interval(days => 3 + (c.g * 11) % 30, mins => (c.g * 17) % 900)
       END) AS at
  FROM crowd c CROSS JOIN codes k
 WHERE CASE k.normalized
           WHEN 'WELCOME100' THEN c.g % 9 <> 0
           WHEN 'NORTHWINDGIFT' THEN c.g % 3 = 0
           WHEN 'STREAMRUSH' THEN c.g % 5 < 3 AND c.created_at < k.released
           ELSE c.g % 4 = 1
       END;
DELETE FROM demo_picks d USING promo_codes k
 WHERE k.id = d.code_id AND d.at < coalesce(k.starts_at, k.created_at);

WITH numbered AS (
    SELECT d.*, (row_number() OVER (PARTITION BY d.code_id ORDER BY d.at, d.player_id) - 1 + k.activation_count)::int AS ordinal,
           k.initial_reward, k.min_reward, k.decrease_step, k.name
      FROM demo_picks d JOIN promo_codes k ON k.id = d.code_id
), act AS (
    INSERT INTO activations (code_id, player_id, ordinal, reward, currency, channel, created_at)
    SELECT n.code_id, n.player_id, n.ordinal,
           greatest(n.min_reward, n.initial_reward - n.ordinal * n.decrease_step), n.currency, n.channel, n.at
      FROM numbered n ORDER BY n.at
    RETURNING id, code_id, player_id, ordinal, reward, currency, channel, created_at
), entry AS (
    INSERT INTO ledger_entries (player_id, currency, amount, balance_after, source, activation_id, created_at)
    SELECT a.player_id, a.currency, a.reward,
           sum(a.reward) OVER (PARTITION BY a.player_id, a.currency ORDER BY a.created_at, a.id),
           'promo_activation', a.id, a.created_at
      FROM act a
), notice AS (
    INSERT INTO notifications (player_id, kind, params, read_at, created_at)
    SELECT a.player_id, 'activation', jsonb_build_object(
               'activation_id', a.id, 'code_id', a.code_id, 'code', k.name,
               'reward', a.reward, 'currency', a.currency), a.created_at, a.created_at
      FROM act a JOIN promo_codes k ON k.id = a.code_id
)
INSERT INTO outbox_events (topic, payload, created_at, available_at, published_at)
SELECT 'promo.activated', jsonb_build_object(
           'activation_id', a.id, 'code_id', a.code_id, 'code', k.name, 'player_id', a.player_id,
           'ordinal', a.ordinal, 'reward', a.reward, 'currency', a.currency, 'channel', a.channel,
           'activated_at', a.created_at),
       a.created_at, a.created_at, a.created_at
  FROM act a JOIN promo_codes k ON k.id = a.code_id;

INSERT INTO balances AS b (player_id, currency, amount)
SELECT a.player_id, a.currency, sum(a.reward)
  FROM activations a JOIN players p ON p.id = a.player_id
 WHERE p.username LIKE 'crowd-%'
 GROUP BY 1, 2;

UPDATE promo_codes k
   SET activation_count = n.count,
       current_reward = greatest(k.min_reward, k.initial_reward - n.count * k.decrease_step)
  FROM (SELECT code_id, count(*)::int AS count FROM activations GROUP BY 1) n
 WHERE n.code_id = k.id AND k.normalized IN ('WELCOME100', 'NORTHWINDGIFT', 'STREAMRUSH', 'LOYAL500');

-- Activity on the platform: everyone now and then, redeemers more often.
INSERT INTO player_activity_days (player_id, day, kind, events)
SELECT p.id, d::date, (ARRAY['login', 'match', 'purchase'])[1 + (p.id + (d::date - '2000-01-01'::date)) % 3],
       1 + (p.id + (d::date - '2000-01-01'::date)) % 4
  FROM players p
  CROSS JOIN LATERAL generate_series(p.created_at::date, now()::date, interval '1 day') d
 WHERE p.username LIKE 'crowd-%'
   AND (substr(p.username, 7)::int * 31 + (d::date - '2000-01-01'::date) * 17) % 100
       < CASE WHEN EXISTS (SELECT 1 FROM activations a WHERE a.player_id = p.id) THEN 35 ELSE 12 END;
