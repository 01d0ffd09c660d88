-- Abuse protection: every wrong code is recorded (per player and per client
-- address), and enough of them in a window block code input for a while. The
-- records and blocks live here, so every server instance on this database
-- enforces the same blocks, and they outlive restarts.

CREATE TABLE code_failures (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    player_id   bigint REFERENCES players (id) ON DELETE CASCADE,
    ip          inet,
    -- what the core said (unknown, disabled, malformed): for statistics only
    kind        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX code_failures_player_idx ON code_failures (player_id, created_at) WHERE player_id IS NOT NULL;
CREATE INDEX code_failures_ip_idx ON code_failures (ip, created_at) WHERE ip IS NOT NULL;
CREATE INDEX code_failures_created_idx ON code_failures (created_at);

CREATE TABLE input_blocks (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- player: one account; ip: one client address; service: everyone without
    -- a clean record (a service-wide spike of wrong codes)
    scope       text NOT NULL CHECK (scope IN ('player', 'ip', 'service')),
    subject     text NOT NULL CHECK (length(subject) BETWEEN 1 AND 64),
    -- failures: too many wrong codes; spread: one address failing across many
    -- accounts; spike: the whole service's wrong-code rate far above normal
    reason      text NOT NULL CHECK (reason IN ('failures', 'spread', 'spike')),
    -- the n-th block of this subject in a day; the length doubles with each
    strike      integer NOT NULL CHECK (strike >= 1),
    failures    integer NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    until       timestamptz NOT NULL,
    lifted_at   timestamptz,
    lifted_by   bigint REFERENCES admins (id) ON DELETE SET NULL,
    CHECK (until > created_at)
);
CREATE INDEX input_blocks_subject_idx ON input_blocks (scope, subject, created_at DESC);
CREATE INDEX input_blocks_until_idx ON input_blocks (until DESC) WHERE lifted_at IS NULL;

-- Blocks `p_subject` unless a block is already in force, and answers with the
-- block in force. The n-th unlifted block of a subject within a day lasts
-- p_base * 2^(n-1), at most p_max. Audited (by nobody: the system) and
-- announced on the `promo_blocks` channel for every instance's cache.
CREATE FUNCTION promo_block(p_scope text, p_subject text, p_reason text, p_failures integer,
                            p_base interval, p_max interval)
RETURNS TABLE (block_scope text, block_subject text, block_until timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
    v_until timestamptz;
    v_strike integer;
    v_id bigint;
BEGIN
    SELECT b.until INTO v_until
      FROM input_blocks b
     WHERE b.scope = p_scope AND b.subject = p_subject AND b.lifted_at IS NULL AND b.until > now()
     ORDER BY b.until DESC LIMIT 1;
    IF NOT FOUND THEN
        SELECT count(*) + 1 INTO v_strike
          FROM input_blocks b
         WHERE b.scope = p_scope AND b.subject = p_subject AND b.lifted_at IS NULL
           AND b.created_at > now() - interval '24 hours';
        v_until := now() + least(p_max, p_base * power(2, least(v_strike - 1, 30)));
        INSERT INTO input_blocks (scope, subject, reason, strike, failures, until)
        VALUES (p_scope, p_subject, p_reason, v_strike, p_failures, v_until)
        RETURNING id INTO v_id;
        INSERT INTO audit_log (admin_id, action, entity, entity_id, after)
        SELECT NULL, 'abuse.block', 'block', v_id, to_jsonb(b) FROM input_blocks b WHERE b.id = v_id;
        PERFORM pg_notify('promo_blocks', json_build_object(
            'op', 'block', 'scope', p_scope, 'subject', p_subject, 'until', v_until)::text);
    END IF;
    RETURN QUERY SELECT p_scope, p_subject, v_until;
END
$$;

-- Where counting starts for a subject: the window, or the end of its last
-- block if that is later (a served block wipes the slate).
CREATE FUNCTION promo_count_since(p_scope text, p_subject text, p_window interval)
RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT greatest(now() - p_window,
                    (SELECT max(coalesce(least(b.lifted_at, b.until), b.until))
                       FROM input_blocks b
                      WHERE b.scope = p_scope AND b.subject = p_subject
                        AND coalesce(least(b.lifted_at, b.until), b.until) <= now()))
$$;

-- Records one wrong code and blocks whoever crossed a limit with it: the
-- player after p_player_limit failures in p_window, the address after
-- p_ip_limit, or after failures by p_spread different accounts. Answers with
-- the blocks in force for this player and address. Per-subject advisory locks
-- make concurrent failures count exactly and block once.
CREATE FUNCTION promo_record_failure(p_player bigint, p_ip inet, p_kind text, p_window interval,
                                     p_player_limit integer, p_ip_limit integer, p_spread integer,
                                     p_base interval, p_max interval)
RETURNS TABLE (block_scope text, block_subject text, block_until timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
    v_count integer;
    v_players integer;
BEGIN
    INSERT INTO code_failures (player_id, ip, kind) VALUES (p_player, p_ip, p_kind);
    IF p_player IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(hashtext('promo_block'), hashtext('player:' || p_player));
        SELECT count(*) INTO v_count
          FROM code_failures f
         WHERE f.player_id = p_player
           AND f.created_at >= promo_count_since('player', p_player::text, p_window);
        IF v_count >= p_player_limit THEN
            RETURN QUERY SELECT * FROM promo_block('player', p_player::text, 'failures', v_count, p_base, p_max);
        END IF;
    END IF;
    IF p_ip IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(hashtext('promo_block'), hashtext('ip:' || host(p_ip)));
        SELECT count(*), count(DISTINCT f.player_id) INTO v_count, v_players
          FROM code_failures f
         WHERE f.ip = p_ip
           AND f.created_at >= promo_count_since('ip', host(p_ip), p_window);
        IF v_count >= p_ip_limit THEN
            RETURN QUERY SELECT * FROM promo_block('ip', host(p_ip), 'failures', v_count, p_base, p_max);
        ELSIF v_players >= p_spread THEN
            RETURN QUERY SELECT * FROM promo_block('ip', host(p_ip), 'spread', v_count, p_base, p_max);
        END IF;
    END IF;
END
$$;

-- Whether this player, from this address, may enter a code now. A block of
-- the player's own account holds everyone. An established player (one who
-- has redeemed a code, or whose account is over a day old) is held by nothing
-- else: nobody can lock them out. Other accounts are also held by a block of
-- their address. During a service-wide spike, a player without a clean record
-- (not established, or with a wrong code within p_window) waits p_cooldown
-- after each wrong code. No row: free.
CREATE FUNCTION promo_input_gate(p_player bigint, p_ip inet, p_window interval, p_cooldown interval)
RETURNS TABLE (gate text, gate_until timestamptz)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_until timestamptz;
    v_last timestamptz;
    v_established boolean;
BEGIN
    SELECT max(b.until) INTO v_until
      FROM input_blocks b
     WHERE b.scope = 'player' AND b.subject = p_player::text AND b.lifted_at IS NULL AND b.until > now();
    IF v_until IS NOT NULL THEN
        RETURN QUERY SELECT 'locked'::text, v_until;
        RETURN;
    END IF;
    SELECT p.created_at < now() - interval '1 day'
           OR EXISTS (SELECT 1 FROM activations a WHERE a.player_id = p.id)
      INTO v_established
      FROM players p WHERE p.id = p_player;
    v_established := coalesce(v_established, false);
    IF NOT v_established AND p_ip IS NOT NULL THEN
        SELECT max(b.until) INTO v_until
          FROM input_blocks b
         WHERE b.scope = 'ip' AND b.subject = host(p_ip) AND b.lifted_at IS NULL AND b.until > now();
        IF v_until IS NOT NULL THEN
            RETURN QUERY SELECT 'locked'::text, v_until;
            RETURN;
        END IF;
    END IF;
    IF EXISTS (SELECT 1 FROM input_blocks b
                WHERE b.scope = 'service' AND b.lifted_at IS NULL AND b.until > now()) THEN
        SELECT max(f.created_at) INTO v_last
          FROM code_failures f
         WHERE f.player_id = p_player AND f.created_at > now() - p_window;
        IF v_last IS NOT NULL AND v_last + p_cooldown > now() THEN
            RETURN QUERY SELECT 'cooldown'::text, v_last + p_cooldown;
        END IF;
    END IF;
END
$$;

-- The service-wide alarm: when the last minute saw more than p_min wrong codes
-- and more than p_factor times the day's average minute, everyone without a
-- clean record gets a cooldown for p_duration. One instance at a time decides;
-- answers only when it starts a cooldown.
CREATE FUNCTION promo_detect_spike(p_min integer, p_factor double precision, p_duration interval)
RETURNS TABLE (block_scope text, block_subject text, block_until timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
    v_minute integer;
    v_day bigint;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('promo_block'), hashtext('service')) THEN
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM input_blocks b
                WHERE b.scope = 'service' AND b.lifted_at IS NULL AND b.until > now()) THEN
        RETURN;
    END IF;
    SELECT count(*) INTO v_minute FROM code_failures f WHERE f.created_at > now() - interval '1 minute';
    IF v_minute < p_min THEN
        RETURN;
    END IF;
    SELECT count(*) INTO v_day FROM code_failures f WHERE f.created_at > now() - interval '24 hours';
    IF v_minute > p_factor * (v_day / 1440.0) THEN
        RETURN QUERY SELECT * FROM promo_block('service', '*', 'spike', v_minute, p_duration, p_duration);
    END IF;
END
$$;
