-- The batch claim's input gate takes a fast path (issue 12): one lookup
-- finds whether any block or cooldown in force concerns the batch's players
-- or addresses; only then is each slot checked one by one. Otherwise the
-- same function as in 20261202000003 (unset gates pass, as before).

CREATE OR REPLACE FUNCTION promo_claim_batch(p_code bigint, p_players bigint[], p_channels text[],
                                  p_gated boolean[], p_ips text[],
                                  p_window interval, p_cooldown interval)
RETURNS TABLE (slot int, outcome text, at timestamptz, activation_id bigint, ordinal int,
               reward bigint, balance_after bigint, ledger_entry_id bigint,
               code_name text, currency text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    c promo_codes;
    gates text[];
    gates_until timestamptz[];
BEGIN
    -- The input gate (blocks, the spike cooldown) of each gated slot (jobs
    -- are not gated), before the lock: it only reads, and nothing under the
    -- lock should wait for it. In the common case nothing in force concerns
    -- any of these players or addresses, and one lookup says so; only
    -- otherwise does each slot go through promo_input_gate.
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
    -- The batch's one lock. The statement below takes its snapshot after it,
    -- so it sees every activation committed before (read committed).
    SELECT * INTO c FROM promo_codes WHERE id = p_code FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY
        SELECT r.slot::int, 'unknown'::text, NULL::timestamptz, NULL::bigint, NULL::int,
               NULL::bigint, NULL::bigint, NULL::bigint, NULL::text, NULL::text
          FROM unnest(p_players) WITH ORDINALITY AS r(player, slot);
        RETURN;
    END IF;
    RETURN QUERY
    WITH req AS (
        SELECT r.slot::int AS slot, r.player, r.channel, r.gate, r.gate_until,
               row_number() OVER (PARTITION BY r.player ORDER BY r.slot) AS nth
          FROM unnest(p_players, p_channels, gates, gates_until)
               WITH ORDINALITY AS r(player, channel, gate, gate_until, slot)
    ), judged AS (
        -- The reasons in the one-claim path's order (CodeState::refusal).
        SELECT q.slot, q.player, q.channel,
               CASE
                   WHEN q.gate = 'locked' THEN 'locked_out'
                   WHEN q.gate = 'cooldown' THEN 'cooldown'
                   WHEN p.id IS NULL THEN 'unknown_player'
                   WHEN NOT c.enabled THEN 'disabled'
                   WHEN c.starts_at > now() THEN 'not_started'
                   WHEN c.ends_at <= now() THEN 'expired'
                   WHEN q.nth > 1 OR EXISTS (SELECT 1 FROM activations a
                                              WHERE a.code_id = c.id AND a.player_id = q.player)
                       THEN 'already_activated'
                   WHEN NOT promo_player_eligible(c, p) THEN 'not_eligible'
                   -- Against the largest reward, so no credit below can overflow.
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
          LEFT JOIN players p ON p.id = q.player
          LEFT JOIN balances b ON b.player_id = q.player AND b.currency = c.currency
    ), winners AS (
        SELECT w.slot, w.player, w.channel, w.k::int AS k,
               GREATEST(c.min_reward, c.initial_reward - w.k * c.decrease_step)::bigint AS reward
          FROM (SELECT j.*, c.activation_count + row_number() OVER (ORDER BY j.slot) - 1 AS k
                  FROM judged j WHERE j.verdict = 'claim') w
         WHERE c.activation_limit IS NULL OR w.k < c.activation_limit
    ), act AS (
        INSERT INTO activations (code_id, player_id, ordinal, reward, currency, channel)
        SELECT c.id, w.player, w.k, w.reward, c.currency, w.channel FROM winners w ORDER BY w.k
        RETURNING id, player_id, ordinal, reward, created_at
    ), credit AS (
        -- In player order, so batches of different codes take balance locks alike.
        INSERT INTO balances AS b (player_id, currency, amount)
        SELECT w.player, c.currency, w.reward FROM winners w ORDER BY w.player
        ON CONFLICT (player_id, currency)
        DO UPDATE SET amount = b.amount + EXCLUDED.amount, updated_at = now()
        RETURNING b.player_id, b.amount
    ), entry AS (
        INSERT INTO ledger_entries (player_id, currency, amount, balance_after, source, activation_id)
        SELECT act.player_id, c.currency, act.reward, credit.amount, 'promo_activation', act.id
          FROM act JOIN credit ON credit.player_id = act.player_id
        RETURNING id, activation_id
    ), notice AS (
        INSERT INTO notifications (player_id, kind, params)
        SELECT act.player_id, 'activation', jsonb_build_object(
                   'activation_id', act.id, 'code_id', c.id, 'code', c.name,
                   'reward', act.reward, 'currency', c.currency)
          FROM act
    ), event AS (
        INSERT INTO outbox_events (topic, payload)
        SELECT 'promo.activated', jsonb_build_object(
                   'activation_id', act.id, 'code_id', c.id, 'code', c.name,
                   'player_id', act.player_id, 'ordinal', act.ordinal, 'reward', act.reward,
                   'currency', c.currency, 'channel', w.channel, 'activated_at', act.created_at)
          FROM act JOIN winners w ON w.player = act.player_id
    ), counted AS (
        UPDATE promo_codes pc
           SET activation_count = pc.activation_count + n.n,
               current_reward = GREATEST(pc.min_reward,
                   pc.initial_reward - (pc.activation_count + n.n)::numeric * pc.decrease_step)::bigint
          FROM (SELECT count(*)::int AS n FROM winners) n
         WHERE pc.id = c.id AND n.n > 0
    )
    SELECT j.slot,
           CASE WHEN act.id IS NOT NULL THEN 'granted'
                WHEN j.verdict = 'claim' THEN 'exhausted'
                ELSE j.verdict END,
           COALESCE(act.created_at, j.at),
           act.id, act.ordinal, act.reward, credit.amount, entry.id, c.name, c.currency
      FROM judged j
      LEFT JOIN act ON j.verdict = 'claim' AND act.player_id = j.player
      LEFT JOIN credit ON credit.player_id = act.player_id
      LEFT JOIN entry ON entry.activation_id = act.id
     ORDER BY j.slot;
END
$$;
