-- The activation pipeline (issue 12): the batch claim behind the activation
-- queue, and the announcements that keep every instance's code cache current.

-- Group commit (issue 12): one call claims a code for a batch of players under
-- ONE row lock, with one statement for every write, in one round trip. Each
-- slot (a position in the arrays) gets its own outcome, exactly as one claim
-- at a time would: the k-th grant gets ordinal k and reward
-- max(min, initial - k*step); the limit and one activation per player hold;
-- the books balance. The tables' unique keys and CHECKs still guard every row.
CREATE FUNCTION promo_claim_batch(p_code bigint, p_players bigint[], p_channels text[],
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

-- Every change to what a code cache holds (its name, slug, switch and dates)
-- is announced on `promo_codes` after commit, so each instance drops what it
-- cached. The payload lists the changed codes' keys (`n:NORMALIZED`,
-- `e:SLUG`), old and new, one a line; a change too big for one
-- notification says `*` (drop everything). Statement triggers, so a series
-- of a million codes sends one notification, and an activation (which
-- changes only the counter) sends none.
CREATE FUNCTION promo_codes_announce() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    keys text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT string_agg(k, E'\n') INTO keys FROM (
            SELECT 'n:' || n.normalized AS k FROM new_rows n
            UNION SELECT 'e:' || n.egg_slug FROM new_rows n WHERE n.egg_slug IS NOT NULL
            LIMIT 201) s;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT string_agg(DISTINCT k, E'\n') INTO keys FROM (
            SELECT unnest(ARRAY['n:' || o.normalized, 'n:' || n.normalized,
                                'e:' || o.egg_slug, 'e:' || n.egg_slug]) AS k
              FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE (n.normalized, n.name, n.egg_slug, n.enabled, n.starts_at, n.ends_at)
                   IS DISTINCT FROM (o.normalized, o.name, o.egg_slug, o.enabled, o.starts_at, o.ends_at)
             LIMIT 201) s WHERE k IS NOT NULL;
    ELSE
        SELECT string_agg(k, E'\n') INTO keys FROM (
            SELECT 'n:' || o.normalized AS k FROM old_rows o
            UNION SELECT 'e:' || o.egg_slug FROM old_rows o WHERE o.egg_slug IS NOT NULL
            LIMIT 201) s;
    END IF;
    IF keys IS NULL THEN
        RETURN NULL;
    END IF;
    -- pg_notify takes at most 8000 bytes.
    IF octet_length(keys) > 7900 OR array_length(string_to_array(keys, E'\n'), 1) > 200 THEN
        keys := '*';
    END IF;
    PERFORM pg_notify('promo_codes', keys);
    RETURN NULL;
END
$$;

CREATE TRIGGER promo_codes_announce_insert AFTER INSERT ON promo_codes
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION promo_codes_announce();
CREATE TRIGGER promo_codes_announce_update AFTER UPDATE ON promo_codes
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION promo_codes_announce();
CREATE TRIGGER promo_codes_announce_delete AFTER DELETE ON promo_codes
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION promo_codes_announce();
