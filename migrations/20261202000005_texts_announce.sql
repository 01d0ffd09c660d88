-- A code's texts (description, secret message) are cached beside its facts
-- (issue 12): every change of promo_code_texts is announced on `promo_codes`
-- as `t:CODE_ID`, one a line (`*` when too many), after commit, so every
-- instance drops those texts. Statement triggers, like promo_codes_announce.
CREATE FUNCTION promo_code_texts_announce() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    keys text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT string_agg(DISTINCT 't:' || n.code_id, E'\n') INTO keys FROM new_rows n;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT string_agg(DISTINCT 't:' || k.code_id, E'\n') INTO keys
          FROM (SELECT code_id FROM new_rows UNION SELECT code_id FROM old_rows) k;
    ELSE
        SELECT string_agg(DISTINCT 't:' || o.code_id, E'\n') INTO keys FROM old_rows o;
    END IF;
    IF keys IS NULL THEN
        RETURN NULL;
    END IF;
    -- pg_notify takes at most 8000 bytes.
    IF octet_length(keys) > 7900 THEN
        keys := '*';
    END IF;
    PERFORM pg_notify('promo_codes', keys);
    RETURN NULL;
END
$$;

CREATE TRIGGER promo_code_texts_announce_insert AFTER INSERT ON promo_code_texts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION promo_code_texts_announce();
CREATE TRIGGER promo_code_texts_announce_update AFTER UPDATE ON promo_code_texts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION promo_code_texts_announce();
CREATE TRIGGER promo_code_texts_announce_delete AFTER DELETE ON promo_code_texts
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION promo_code_texts_announce();
