-- The per-statement reference check of 20261204000009 spelled one block
-- six times, once per referenced table. One function now locks and checks
-- the keys of any one referenced table; the six calls name the table, its
-- key, the column of promo_codes that points there and the old foreign
-- key's name (which `core::error` maps). Same locks, same errors.

-- Locks the rows of `parent` whose `key_col` is one of `keys` (distinct,
-- non-null) FOR KEY SHARE until commit and refuses the first key that has
-- no row; a row deleted by a transaction that committed meanwhile is not
-- locked, so it counts as missing.
CREATE FUNCTION promo_codes_lock_referenced(
    parent text, key_col text, col text, constraint_name text, keys anyarray)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    locked bigint;
    missing text;
BEGIN
    IF coalesce(cardinality(keys), 0) = 0 THEN
        RETURN;
    END IF;
    EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM %I WHERE %I = ANY ($1) FOR KEY SHARE) locked',
                   parent, key_col)
       INTO locked USING keys;
    IF locked < cardinality(keys) THEN
        EXECUTE format('SELECT k::text FROM unnest($1) k WHERE NOT EXISTS (SELECT 1 FROM %I WHERE %I = k) LIMIT 1',
                       parent, key_col)
           INTO missing USING keys;
        PERFORM promo_codes_reference_missing(constraint_name, col, parent, missing);
    END IF;
END $$;

CREATE OR REPLACE FUNCTION promo_codes_lock_references(
    currency_keys text[], group_keys bigint[], campaign_keys bigint[],
    partner_keys bigint[], admin_keys bigint[], owner_keys bigint[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM promo_codes_lock_referenced('currencies', 'code', 'currency', 'promo_codes_currency_fkey', currency_keys);
    PERFORM promo_codes_lock_referenced('code_groups', 'id', 'group_id', 'promo_codes_group_id_fkey', group_keys);
    PERFORM promo_codes_lock_referenced('campaigns', 'id', 'campaign_id', 'promo_codes_campaign_id_fkey', campaign_keys);
    PERFORM promo_codes_lock_referenced('partners', 'id', 'partner_id', 'promo_codes_partner_id_fkey', partner_keys);
    PERFORM promo_codes_lock_referenced('admins', 'id', 'created_by', 'promo_codes_created_by_fkey', admin_keys);
    PERFORM promo_codes_lock_referenced('players', 'id', 'owner_id', 'promo_codes_owner_id_fkey', owner_keys);
END $$;
