-- The demo: one code of each type plus a few that show each refusal.
-- Dates are relative to the first start, so the temporary code runs for 30 days.
-- `normalized` must equal PromoCodeText::parse(name); a test checks it.
INSERT INTO code_groups (name, description) VALUES
    ('Demo', 'Codes seeded for the demo')
ON CONFLICT DO NOTHING;

INSERT INTO partners (name, contact, payout_per_activation, payout_currency, notes) VALUES
    ('Northwind Games', 'partners@northwind.example', 2, 'COINS', 'Seeded for the demo')
ON CONFLICT DO NOTHING;

INSERT INTO campaigns (name, channel, notes) VALUES
    ('Winter festival', 'event', 'Seeded for the demo')
ON CONFLICT DO NOTHING;

INSERT INTO campaigns (name, channel, partner_id, notes)
SELECT 'Northwind newsletter', 'partner', id, 'Seeded for the demo' FROM partners WHERE lower(name) = 'northwind games'
ON CONFLICT DO NOTHING;

WITH demo_group AS (SELECT id FROM code_groups WHERE lower(name) = 'demo'),
     winter AS (SELECT id FROM campaigns WHERE lower(name) = 'winter festival')
INSERT INTO promo_codes (name, normalized, group_id, campaign_id, priority, starts_at, ends_at,
                         activation_limit, currency, initial_reward, current_reward, min_reward,
                         decrease_step, egg_slug, eligible_tiers)
SELECT v.name, v.normalized, (SELECT id FROM demo_group), CASE WHEN v.winter THEN (SELECT id FROM winter) END,
       v.priority, v.starts_at, v.ends_at, v.activation_limit, v.currency, v.initial, v.initial,
       CASE WHEN v.step = 0 THEN v.initial ELSE v.minimum END,
       v.step, v.egg_slug, v.tiers
  FROM (VALUES
    ('WELCOME-100',  'WELCOME100',  false, 10, NULL::timestamptz,           NULL::timestamptz,           NULL::int, 'COINS', 100::bigint, 100::bigint, 0::bigint,  NULL::text,       '{}'::text[]),
    ('LUCKY-DROP',   'LUCKYDROP',   false, 20, NULL,                        NULL,                        NULL,      'COINS', 500,         50,          50,         NULL,             '{}'),
    ('FIRST-50',     'FIRST50',     false, 30, NULL,                        NULL,                        50,        'COINS', 200,         200,         0,          NULL,             '{}'),
    ('WINTER-2026',  'WINTER2026',  true,  40, now() - interval '1 day',    now() + interval '30 days',  NULL,      'GEMS',  15,          15,          0,          NULL,             '{}'),
    ('GOLDEN-LANTERN','GOLDENLANTERN', false, 50, NULL,                     NULL,                        NULL,      'COINS', 300,         300,         0,          'golden-lantern', '{}'),
    ('SILVER-KEY',   'SILVERKEY',   false, 50, NULL,                        NULL,                        NULL,      'GEMS',  5,           5,           0,          'silver-key',     '{}'),
    ('COMING-SOON',  'COMINGSOON',  false, 0,  now() + interval '30 days',  NULL,                        NULL,      'COINS', 100,         100,         0,          NULL,             '{}'),
    ('AUTUMN-2025',  'AUTUMN2025',  false, 0,  now() - interval '90 days',  now() - interval '30 days',  NULL,      'COINS', 100,         100,         0,          NULL,             '{}'),
    ('SOLD-OUT',     'SOLDOUT',     false, 0,  NULL,                        NULL,                        1,         'COINS', 100,         100,         0,          NULL,             '{}'),
    ('VIP-GOLD',     'VIPGOLD',     false, 60, NULL,                        NULL,                        NULL,      'GEMS',  50,          50,          0,          NULL,             '{vip}'),
    ('COPPER-COMPASS','COPPERCOMPASS', false, 50, NULL,                     NULL,                        NULL,      'COINS', 50,          50,          0,          'copper-compass', '{}')
  ) AS v(name, normalized, winter, priority, starts_at, ends_at, activation_limit, currency, initial, minimum, step, egg_slug, tiers)
ON CONFLICT (normalized) DO NOTHING;

-- A switched-off code: players are told the same as for a code that never existed.
INSERT INTO promo_codes (name, normalized, group_id, currency, initial_reward, current_reward, min_reward, enabled)
SELECT 'RETIRED-10', 'RETIRED10', id, 'COINS', 10, 10, 10, false FROM code_groups WHERE lower(name) = 'demo'
ON CONFLICT (normalized) DO NOTHING;

INSERT INTO promo_code_texts (code_id, locale, description, secret_message)
SELECT c.id, t.locale, t.description, t.secret
  FROM (VALUES
    ('WELCOME100', 'en', 'Welcome to the platform!', ''),
    ('WELCOME100', 'ru', 'Добро пожаловать на платформу!', ''),
    ('LUCKYDROP', 'en', 'The sooner you redeem, the more you get.', ''),
    ('LUCKYDROP', 'ru', 'Чем раньше активируете, тем больше получите.', ''),
    ('FIRST50', 'en', 'Only for the first fifty players.', ''),
    ('FIRST50', 'ru', 'Только для первых пятидесяти игроков.', ''),
    ('WINTER2026', 'en', 'Winter festival gems, for a limited time.', ''),
    ('WINTER2026', 'ru', 'Кристаллы зимнего фестиваля, ненадолго.', ''),
    ('GOLDENLANTERN', 'en', 'You found the golden lantern.', 'The lantern whispers: the silver key hides where the footer ends.'),
    ('GOLDENLANTERN', 'ru', 'Вы нашли золотой фонарь.', 'Фонарь шепчет: серебряный ключ спрятан там, где кончается подвал страницы.'),
    ('SILVERKEY', 'en', 'You found the silver key.', 'Every lock on this platform is now a little less mysterious.'),
    ('SILVERKEY', 'ru', 'Вы нашли серебряный ключ.', 'Теперь каждый замок на платформе чуть менее загадочен.'),
    ('COMINGSOON', 'en', 'Opens next month.', ''),
    ('COMINGSOON', 'ru', 'Откроется в следующем месяце.', ''),
    ('AUTUMN2025', 'en', 'Last autumn''s code.', ''),
    ('AUTUMN2025', 'ru', 'Код прошлой осени.', ''),
    ('SOLDOUT', 'en', 'A one-time code.', ''),
    ('SOLDOUT', 'ru', 'Одноразовый код.', ''),
    ('VIPGOLD', 'en', 'For VIP players only.', 'Thank you for being with us.'),
    ('VIPGOLD', 'ru', 'Только для VIP-игроков.', 'Спасибо, что вы с нами.'),
    ('COPPERCOMPASS', 'en', 'You found the copper compass.', 'The hunt is over: check your quests.'),
    ('COPPERCOMPASS', 'ru', 'Вы нашли медный компас.', 'Охота окончена: загляните в квесты.')
  ) AS t(normalized, locale, description, secret)
  JOIN promo_codes c ON c.normalized = t.normalized
ON CONFLICT DO NOTHING;

-- Rewards for platform actions (POST /api/v1/players/{id}/actions).
INSERT INTO action_rewards (action, gives, reward, currency, once, code_days) VALUES
    ('first_purchase', 'grant', 100, 'COINS', true, 30),
    ('tutorial.done', 'code', 50, 'GEMS', true, 14),
    ('streak_day', 'grant', 5, 'COINS', false, 30)
ON CONFLICT DO NOTHING;

-- The referral program: 100 coins to a friend who joins, 50 to the player who
-- invited them when the friend redeems a first code; at most 10 a month.
INSERT INTO referral_program (referee_reward, referee_currency, referrer_reward, referrer_currency,
                              pay_referrer_on, cap, cap_days, review_threshold)
VALUES (100, 'COINS', 50, 'COINS', 'first_redeem', 10, 30, 3)
ON CONFLICT DO NOTHING;

-- Quests: an egg hunt over the two hidden eggs and a third the story hints at,
-- and the winter festival's.
INSERT INTO quests (slug, reward, currency, position) VALUES
    ('egg-hunt', 500, 'COINS', 1),
    ('winter-festival', 20, 'GEMS', 2)
ON CONFLICT (slug) DO NOTHING;

INSERT INTO quest_texts (quest_id, locale, title, story)
SELECT q.id, t.locale, t.title, t.story
  FROM (VALUES
    ('egg-hunt', 'en', 'The egg hunt',
     'Three eggs are hidden on these pages. The lantern glows on the front page, the key rests at the very bottom, and the compass points to the codes that carry your name.'),
    ('egg-hunt', 'ru', 'Охота за пасхалками',
     'На этих страницах спрятаны три пасхалки. Фонарь светит на главной, ключ лежит в самом низу, а компас указывает на коды, что носят ваше имя.'),
    ('winter-festival', 'en', 'Winter festival', 'Redeem the festival''s gems and try your luck with the lucky drop.'),
    ('winter-festival', 'ru', 'Зимний фестиваль', 'Активируйте кристаллы фестиваля и попытайте удачу с LUCKY-DROP.')
  ) AS t(slug, locale, title, story)
  JOIN quests q ON q.slug = t.slug
ON CONFLICT DO NOTHING;

INSERT INTO quest_steps (quest_id, position, kind, egg_code_ids, target)
SELECT q.id, 1, 'eggs', ARRAY(SELECT id FROM promo_codes
                               WHERE egg_slug IN ('golden-lantern', 'silver-key', 'copper-compass') ORDER BY id), 3
  FROM quests q WHERE q.slug = 'egg-hunt'
ON CONFLICT DO NOTHING;

INSERT INTO quest_steps (quest_id, position, kind, campaign_id, target)
SELECT q.id, 1, 'campaign', c.id, 1
  FROM quests q, campaigns c WHERE q.slug = 'winter-festival' AND lower(c.name) = 'winter festival'
ON CONFLICT DO NOTHING;

INSERT INTO quest_steps (quest_id, position, kind, code_id, target)
SELECT q.id, 2, 'code', c.id, 1
  FROM quests q, promo_codes c WHERE q.slug = 'winter-festival' AND c.normalized = 'LUCKYDROP'
ON CONFLICT DO NOTHING;

-- Loyalty: a code every 5 redeems, and VIP gems each month.
INSERT INTO loyalty_rules (name, kind, every_n, tier, reward, currency, code_days) VALUES
    ('Every 5 redeems', 'every_n', 5, NULL, 25, 'COINS', 14),
    ('VIP monthly', 'monthly_tier', NULL, 'vip', 100, 'GEMS', 30)
ON CONFLICT DO NOTHING;
