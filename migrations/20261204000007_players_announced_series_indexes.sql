-- Three changes for speed.
--
-- Each process remembers signed-in players for a moment (the session cache,
-- app/src/auth): a change to what a session checks (the name, the language,
-- the password, whose hash ends other sessions) or a deleted player is
-- announced on `promo_players` so every instance drops it at once.
CREATE FUNCTION promo_players_announce() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('promo_players', OLD.id::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER players_announce_update AFTER UPDATE OF username, locale, password_hash ON players
    FOR EACH ROW
    WHEN (OLD.username IS DISTINCT FROM NEW.username
          OR OLD.locale IS DISTINCT FROM NEW.locale
          OR OLD.password_hash IS DISTINCT FROM NEW.password_hash)
    EXECUTE FUNCTION promo_players_announce();
CREATE TRIGGER players_announce_delete AFTER DELETE ON players
    FOR EACH ROW EXECUTE FUNCTION promo_players_announce();

-- A million-code series stored a NULL in the unique index of `issued_for`
-- for every code (only personal codes have one), and a second index on the
-- same column served prefix searches. One partial unique index with the
-- pattern operator class serves both (equality and `LIKE 'prefix%'`) and
-- holds personal codes only.
DROP INDEX promo_codes_issued_for_key;
DROP INDEX promo_codes_issued_prefix_idx;
CREATE UNIQUE INDEX promo_codes_issued_for_key ON promo_codes (issued_for text_pattern_ops)
    WHERE issued_for IS NOT NULL;

-- Browser sessions in a table of our own instead of tower-sessions' store
-- (`tower_sessions.session`, whose record is opaque to SQL): the signed-in
-- player's id stands beside the record, so loading a session reads its
-- player in the same statement (one round trip a request, not two). Sessions
-- of the old table are dropped: their players sign in again.
CREATE TABLE browser_sessions (
    id          text PRIMARY KEY,
    record      jsonb NOT NULL,
    player_id   bigint,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX browser_sessions_expires_idx ON browser_sessions (expires_at);
DROP SCHEMA IF EXISTS tower_sessions CASCADE;
