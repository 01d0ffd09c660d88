-- A batch locked its codes with FOR UPDATE, which also blocks every foreign
-- key check that names them (FOR KEY SHARE): the statistics fold, inserting
-- a code's rollup rows, waited for batches, and a batch that wanted a code
-- the fold had already checked waited for the fold; PostgreSQL found the
-- circle and failed one of them ("deadlock detected", seen in `bench --path
-- stats` on 1,000 codes). A batch changes no key of a code (its counter and
-- current reward only), so FOR NO KEY UPDATE is the lock it needs: batches
-- of one code still take turns on it, and foreign key checks (the fold, the
-- activation feed's quest credits) no longer wait for them. The body is the
-- function of 20261202000004_claim_many.sql with that one word changed.

CREATE OR REPLACE FUNCTION promo_claim_many(p_codes bigint[], p_players bigint[], p_channels text[],
                                 p_gated boolean[], p_ips text[],
                                 p_window interval, p_cooldown interval)
RETURNS TABLE (slot int, outcome text, at timestamptz, activation_id bigint, ordinal int,
               reward bigint, balance_after bigint, ledger_entry_id bigint,
               code_name text, currency text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    gates text[];
    gates_until timestamptz[];
BEGIN
    -- The input gate of each gated slot (jobs are not gated), before the
    -- locks: it only reads. In the common case nothing in force concerns any
    -- of these players or addresses, and one lookup says so; only otherwise
    -- does each slot go through promo_input_gate.
    IF EXISTS (
        SELECT 1 FROM input_blocks b
         WHERE b.lifted_at IS NULL AND b.until > now()
           AND (b.scope = 'service'
                OR (b.scope = 'player' AND b.subject = ANY (
                        SELECT r.player::text FROM unnest(p_players, p_gated) AS r(player, gated)
                         WHERE r.gated))
                OR (b.scope = 'ip' AND b.subject = ANY (
                        SELECT host(r.ip::inet) FROM unnest(p_ips, p_gated) AS r(ip, gated)
                         WHERE r.gated AND r.ip IS NOT NULL)))
    ) THEN
        SELECT array_agg(g.gate ORDER BY r.slot), array_agg(g.gate_until ORDER BY r.slot)
          INTO gates, gates_until
          FROM unnest(p_players, p_gated, p_ips) WITH ORDINALITY AS r(player, gated, ip, slot)
          LEFT JOIN LATERAL promo_input_gate(r.player, r.ip::inet, p_window, p_cooldown) g ON r.gated;
    END IF;
    -- The batch's code locks, in id order. The statement below takes its
    -- snapshot after them, so it sees every activation committed before
    -- (read committed).
    PERFORM 1 FROM promo_codes WHERE id = ANY (p_codes) ORDER BY id FOR NO KEY UPDATE;
    RETURN QUERY
    WITH req AS (
        SELECT r.slot::int AS slot, r.code, r.player, r.channel, r.gate, r.gate_until,
               row_number() OVER (PARTITION BY r.code, r.player ORDER BY r.slot) AS nth
          FROM unnest(p_codes, p_players, p_channels, gates, gates_until)
               WITH ORDINALITY AS r(code, player, channel, gate, gate_until, slot)
    ), judged AS (
        -- The reasons in the one-claim path's order (CodeState::refusal).
        SELECT q.slot, q.code, q.player, q.channel,
               CASE
                   WHEN q.gate = 'locked' THEN 'locked_out'
                   WHEN q.gate = 'cooldown' THEN 'cooldown'
                   WHEN c.id IS NULL THEN 'unknown'
                   WHEN p.id IS NULL THEN 'unknown_player'
                   WHEN NOT c.enabled THEN 'disabled'
                   WHEN c.starts_at > now() THEN 'not_started'
                   WHEN c.ends_at <= now() THEN 'expired'
                   WHEN q.nth > 1 OR EXISTS (SELECT 1 FROM activations a
                                              WHERE a.code_id = c.id AND a.player_id = q.player)
                       THEN 'already_activated'
                   WHEN NOT promo_player_eligible(c, p) THEN 'not_eligible'
                   -- Against the largest reward; several grants of one
                   -- currency in a batch that still overflow fail the
                   -- statement, and the queue then claims them one by one.
                   WHEN COALESCE(b.amount, 0)::numeric + c.initial_reward > 9223372036854775807
                       THEN 'balance_full'
                   ELSE 'claim'
               END AS verdict,
               CASE
                   WHEN q.gate IN ('locked', 'cooldown') THEN q.gate_until
                   WHEN c.starts_at > now() THEN c.starts_at
                   ELSE c.ends_at
               END AS at
          FROM req q
          LEFT JOIN promo_codes c ON c.id = q.code
          LEFT JOIN players p ON p.id = q.player
          LEFT JOIN balances b ON b.player_id = q.player AND b.currency = c.currency
    ), ranked AS (
        SELECT j.slot, j.code, j.player, j.channel, c.currency, c.name,
               (c.activation_count
                + row_number() OVER (PARTITION BY j.code ORDER BY j.slot) - 1)::int AS k,
               c.activation_limit, c.initial_reward, c.min_reward, c.decrease_step
          FROM judged j JOIN promo_codes c ON c.id = j.code
         WHERE j.verdict = 'claim'
    ), winners AS (
        SELECT r.slot, r.code, r.player, r.channel, r.currency, r.name, r.k,
               GREATEST(r.min_reward, r.initial_reward - r.k * r.decrease_step)::bigint AS reward
          FROM ranked r
         WHERE r.activation_limit IS NULL OR r.k < r.activation_limit
    ), paid AS (
        -- What the player's later grants of the batch in the same currency
        -- add, so each ledger entry shows the balance right after it.
        SELECT w.*, COALESCE(sum(w.reward) OVER (
                   PARTITION BY w.player, w.currency ORDER BY w.slot
                   ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), 0) AS later
          FROM winners w
    ), act AS (
        INSERT INTO activations (code_id, player_id, ordinal, reward, currency, channel)
        SELECT w.code, w.player, w.k, w.reward, w.currency, w.channel
          FROM winners w ORDER BY w.code, w.k
        RETURNING id, code_id, player_id, ordinal, reward, created_at
    ), credit AS (
        -- One row per (player, currency), in that order, so batches of
        -- different codes take balance locks alike.
        INSERT INTO balances AS b (player_id, currency, amount)
        SELECT w.player, w.currency, sum(w.reward)::bigint
          FROM winners w GROUP BY w.player, w.currency ORDER BY w.player, w.currency
        ON CONFLICT (player_id, currency)
        DO UPDATE SET amount = b.amount + EXCLUDED.amount, updated_at = now()
        RETURNING b.player_id, b.currency, b.amount
    ), granted AS (
        SELECT act.id, act.code_id, act.player_id, act.ordinal, act.reward, act.created_at,
               p.slot, p.channel, p.currency, p.name, (credit.amount - p.later)::bigint AS balance_after
          FROM act
          JOIN paid p ON p.code = act.code_id AND p.player = act.player_id
          JOIN credit ON credit.player_id = act.player_id AND credit.currency = p.currency
    ), entry AS (
        INSERT INTO ledger_entries (player_id, currency, amount, balance_after, source, activation_id)
        SELECT g.player_id, g.currency, g.reward, g.balance_after, 'promo_activation', g.id
          FROM granted g ORDER BY g.slot
        RETURNING id, activation_id
    ), notice AS (
        INSERT INTO notifications (player_id, kind, params)
        SELECT g.player_id, 'activation', jsonb_build_object(
                   'activation_id', g.id, 'code_id', g.code_id, 'code', g.name,
                   'reward', g.reward, 'currency', g.currency)
          FROM granted g ORDER BY g.slot
    ), event AS (
        INSERT INTO outbox_events (topic, payload)
        SELECT 'promo.activated', jsonb_build_object(
                   'activation_id', g.id, 'code_id', g.code_id, 'code', g.name,
                   'player_id', g.player_id, 'ordinal', g.ordinal, 'reward', g.reward,
                   'currency', g.currency, 'channel', g.channel, 'activated_at', g.created_at)
          FROM granted g ORDER BY g.slot
    ), counted AS (
        UPDATE promo_codes pc
           SET activation_count = pc.activation_count + n.n,
               current_reward = GREATEST(pc.min_reward,
                   pc.initial_reward - (pc.activation_count + n.n)::numeric * pc.decrease_step)::bigint
          FROM (SELECT w.code, count(*)::int AS n FROM winners w GROUP BY w.code) n
         WHERE pc.id = n.code
    )
    SELECT j.slot,
           CASE WHEN g.id IS NOT NULL THEN 'granted'
                WHEN j.verdict = 'claim' THEN 'exhausted'
                ELSE j.verdict END,
           COALESCE(g.created_at, j.at),
           g.id, g.ordinal, g.reward, g.balance_after, entry.id, c.name, c.currency
      FROM judged j
      LEFT JOIN promo_codes c ON c.id = j.code
      LEFT JOIN granted g ON j.verdict = 'claim' AND g.code_id = j.code AND g.player_id = j.player
      LEFT JOIN entry ON entry.activation_id = g.id
     ORDER BY j.slot;
END
$$;
