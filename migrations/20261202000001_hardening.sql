-- What a security review found, closed in the schema: an address block holds
-- every account that failed from that address; being "established" takes
-- time and more than one redeem; the spike detector reads a per-minute rollup
-- instead of a day of failures; sign-in failures per account slow guessing
-- down; rewards and account-age limits stay far from overflow.

-- Established: a player with a record worth protecting from someone else's
-- block of a shared address. It takes at least two redeems, the first of them
-- over a day ago; one quick redeem of a public code no longer makes a fresh
-- account established.
CREATE FUNCTION promo_player_established(p_player bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT count(*) >= 2 AND min(a.created_at) < now() - interval '1 day'
      FROM activations a
     WHERE a.player_id = p_player
$$;

-- Whether this player, from this address, may enter a code now.
--   locked:   a block holds this player (the answer says until when);
--   exempt:   the address is blocked, but this player is established and has
--             typed no wrong code from it: they may redeem, and a wrong code
--             they type is answered as a block, so the address's limit on wrong
--             answers holds whatever the number of accounts;
--   cooldown: a service-wide spike, and this player has no clean record.
-- A block of the player's own account holds everyone. An address block holds
-- every account that failed from that address in the window before the block
-- or since, and every account that is not established. No row: free.
DROP FUNCTION promo_input_gate(bigint, inet, interval, interval);
CREATE FUNCTION promo_input_gate(p_player bigint, p_ip inet, p_window interval, p_cooldown interval)
RETURNS TABLE (gate text, gate_until timestamptz)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_until timestamptz;
    v_since timestamptz;
    v_last timestamptz;
BEGIN
    SELECT max(b.until) INTO v_until
      FROM input_blocks b
     WHERE b.scope = 'player' AND b.subject = p_player::text AND b.lifted_at IS NULL AND b.until > now();
    IF v_until IS NOT NULL THEN
        RETURN QUERY SELECT 'locked'::text, v_until;
        RETURN;
    END IF;
    IF p_ip IS NOT NULL THEN
        SELECT max(b.until), min(b.created_at) INTO v_until, v_since
          FROM input_blocks b
         WHERE b.scope = 'ip' AND b.subject = host(p_ip) AND b.lifted_at IS NULL AND b.until > now();
        IF v_until IS NOT NULL THEN
            IF NOT promo_player_established(p_player)
               OR EXISTS (SELECT 1 FROM code_failures f
                           WHERE f.player_id = p_player AND f.ip = p_ip
                             AND f.created_at >= v_since - p_window) THEN
                RETURN QUERY SELECT 'locked'::text, v_until;
            ELSE
                RETURN QUERY SELECT 'exempt'::text, v_until;
            END IF;
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

-- Wrong codes per finished minute, rolled up by the spike detector, so the
-- day's baseline is a sum of at most 1,440 rows instead of a scan of a day of
-- failures every ten seconds.
CREATE TABLE failure_minutes (
    minute    timestamptz PRIMARY KEY,
    failures  integer NOT NULL CHECK (failures >= 0)
);

-- The service-wide alarm: when the last minute saw more than p_min wrong codes
-- and more than p_factor times the day's average minute, everyone without a
-- clean record gets a cooldown for p_duration. One instance at a time decides;
-- answers only when it starts a cooldown. Each run first rolls up the minutes
-- finished since the last run (reading only those), then counts the last
-- minute.
DROP FUNCTION promo_detect_spike(integer, double precision, interval);
CREATE FUNCTION promo_detect_spike(p_min integer, p_factor double precision, p_duration interval)
RETURNS TABLE (block_scope text, block_subject text, block_until timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
    v_from timestamptz;
    v_to timestamptz := date_trunc('minute', now());
    v_minute integer;
    v_day bigint;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('promo_block'), hashtext('service')) THEN
        RETURN;
    END IF;
    SELECT greatest(max(m.minute) + interval '1 minute', v_to - interval '24 hours') INTO v_from
      FROM failure_minutes m;
    v_from := coalesce(v_from, v_to - interval '24 hours');
    IF v_from < v_to THEN
        INSERT INTO failure_minutes (minute, failures)
        SELECT date_trunc('minute', f.created_at), count(*)
          FROM code_failures f
         WHERE f.created_at >= v_from AND f.created_at < v_to
         GROUP BY 1
        ON CONFLICT (minute) DO NOTHING;
        -- An empty minute is a row too: it marks how far the rollup has read.
        INSERT INTO failure_minutes (minute, failures)
        VALUES (v_to - interval '1 minute', 0)
        ON CONFLICT (minute) DO NOTHING;
    END IF;
    IF EXISTS (SELECT 1 FROM input_blocks b
                WHERE b.scope = 'service' AND b.lifted_at IS NULL AND b.until > now()) THEN
        RETURN;
    END IF;
    SELECT count(*) INTO v_minute FROM code_failures f WHERE f.created_at > now() - interval '1 minute';
    IF v_minute < p_min THEN
        RETURN;
    END IF;
    SELECT coalesce(sum(m.failures), 0) INTO v_day
      FROM failure_minutes m WHERE m.minute >= v_to - interval '24 hours';
    IF v_minute > p_factor * (v_day / 1440.0) THEN
        RETURN QUERY SELECT * FROM promo_block('service', '*', 'spike', v_minute, p_duration, p_duration);
    END IF;
END
$$;

-- Failed sign-ins per account name (players and admins apart), counted by
-- the name typed, so an unknown name behaves exactly like a known one. Each
-- attempt counts before its password is checked and a success forgives them
-- all, so parallel guesses are counted exactly too.
CREATE TABLE sign_in_failures (
    realm            text NOT NULL CHECK (realm IN ('player', 'admin')),
    -- the name as typed, trimmed and lower-cased
    username         text NOT NULL CHECK (length(username) BETWEEN 1 AND 64),
    failures         integer NOT NULL CHECK (failures >= 0),
    last_failure_at  timestamptz NOT NULL DEFAULT now(),
    locked_until     timestamptz,
    PRIMARY KEY (realm, username)
);
CREATE INDEX sign_in_failures_last_idx ON sign_in_failures (last_failure_at);

-- Counts one sign-in attempt for an account name. NULL: go ahead and check
-- the password. Otherwise the attempt is refused without a check, and the
-- answer says until when. From the p_free-th failure in a row (within
-- p_window of the last), each failure makes the next attempt wait
-- p_base * 2^(n - p_free), at most p_max.
CREATE FUNCTION promo_sign_in_attempt(p_realm text, p_username text, p_free integer,
                                      p_base interval, p_max interval, p_window interval)
RETURNS timestamptz
LANGUAGE plpgsql AS $$
DECLARE
    v sign_in_failures;
    v_failures integer;
BEGIN
    INSERT INTO sign_in_failures (realm, username, failures)
    VALUES (p_realm, p_username, 0)
    ON CONFLICT (realm, username) DO NOTHING;
    SELECT * INTO v FROM sign_in_failures
     WHERE realm = p_realm AND username = p_username FOR UPDATE;
    IF v.locked_until > now() THEN
        RETURN v.locked_until;
    END IF;
    v_failures := CASE WHEN v.last_failure_at < now() - p_window THEN 0 ELSE v.failures END + 1;
    UPDATE sign_in_failures
       SET failures = v_failures,
           last_failure_at = now(),
           locked_until = CASE WHEN v_failures >= p_free
                               THEN now() + least(p_max, p_base * power(2, least(v_failures - p_free, 30)))
                          END
     WHERE realm = p_realm AND username = p_username;
    RETURN NULL;
END
$$;

-- Far from bigint's end: a reward (and so a balance) cannot overflow, and an
-- account-age limit stays a valid interval.
-- NOT VALID: enforced on every write from now on, without failing the
-- migration over a row an earlier version let in.
ALTER TABLE promo_codes
    ADD CONSTRAINT promo_codes_reward_max CHECK (initial_reward <= 1000000000000) NOT VALID,
    ADD CONSTRAINT promo_codes_new_player_days_max CHECK (new_player_days <= 36500) NOT VALID;
