-- A code's six references (currency, group, campaign, partner, creator,
-- owner) were foreign keys, and a foreign key checks each inserted row with
-- a query of its own: a series of a million codes spent more than half its
-- time there, and only a superuser could switch that off. Now the codes a
-- statement inserts are checked together, once per statement (a transition
-- table), and a changed reference row by row; the referenced tables' side
-- (ON DELETE SET NULL, or refusing to drop a row still referenced) is done
-- by triggers on them. As the foreign keys did, each referenced row is
-- locked FOR KEY SHARE until commit, so it cannot vanish under a new code,
-- and a violation is SQLSTATE 23503 with the foreign key's old name.

ALTER TABLE promo_codes
    DROP CONSTRAINT promo_codes_currency_fkey,
    DROP CONSTRAINT promo_codes_group_id_fkey,
    DROP CONSTRAINT promo_codes_campaign_id_fkey,
    DROP CONSTRAINT promo_codes_partner_id_fkey,
    DROP CONSTRAINT promo_codes_created_by_fkey,
    DROP CONSTRAINT promo_codes_owner_id_fkey;

-- Refuses a reference to a row that is not there, in the foreign key's words.
CREATE FUNCTION promo_codes_reference_missing(constraint_name text, col text, parent text, val text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE foreign_key_violation USING
        MESSAGE = format('insert or update on table "promo_codes" violates foreign key constraint "%s"', constraint_name),
        DETAIL = format('Key (%s)=(%s) is not present in table "%s".', col, val, parent),
        CONSTRAINT = constraint_name,
        TABLE = 'promo_codes',
        COLUMN = col;
END $$;

-- Locks every referenced row (each array holds distinct, non-null keys) and
-- refuses the first key that has no row. A row deleted by a transaction
-- that committed meanwhile is not locked, so it counts as missing.
CREATE FUNCTION promo_codes_lock_references(
    currency_keys text[], group_keys bigint[], campaign_keys bigint[],
    partner_keys bigint[], admin_keys bigint[], owner_keys bigint[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    missing text;
BEGIN
    IF cardinality(currency_keys) > 0 AND cardinality(currency_keys) >
       (SELECT count(*) FROM (SELECT 1 FROM currencies WHERE code = ANY (currency_keys) FOR KEY SHARE) locked) THEN
        SELECT k INTO missing FROM unnest(currency_keys) k
         WHERE NOT EXISTS (SELECT 1 FROM currencies WHERE code = k) LIMIT 1;
        PERFORM promo_codes_reference_missing('promo_codes_currency_fkey', 'currency', 'currencies', missing);
    END IF;
    IF cardinality(group_keys) > 0 AND cardinality(group_keys) >
       (SELECT count(*) FROM (SELECT 1 FROM code_groups WHERE id = ANY (group_keys) FOR KEY SHARE) locked) THEN
        SELECT k INTO missing FROM unnest(group_keys) k
         WHERE NOT EXISTS (SELECT 1 FROM code_groups WHERE id = k) LIMIT 1;
        PERFORM promo_codes_reference_missing('promo_codes_group_id_fkey', 'group_id', 'code_groups', missing);
    END IF;
    IF cardinality(campaign_keys) > 0 AND cardinality(campaign_keys) >
       (SELECT count(*) FROM (SELECT 1 FROM campaigns WHERE id = ANY (campaign_keys) FOR KEY SHARE) locked) THEN
        SELECT k INTO missing FROM unnest(campaign_keys) k
         WHERE NOT EXISTS (SELECT 1 FROM campaigns WHERE id = k) LIMIT 1;
        PERFORM promo_codes_reference_missing('promo_codes_campaign_id_fkey', 'campaign_id', 'campaigns', missing);
    END IF;
    IF cardinality(partner_keys) > 0 AND cardinality(partner_keys) >
       (SELECT count(*) FROM (SELECT 1 FROM partners WHERE id = ANY (partner_keys) FOR KEY SHARE) locked) THEN
        SELECT k INTO missing FROM unnest(partner_keys) k
         WHERE NOT EXISTS (SELECT 1 FROM partners WHERE id = k) LIMIT 1;
        PERFORM promo_codes_reference_missing('promo_codes_partner_id_fkey', 'partner_id', 'partners', missing);
    END IF;
    IF cardinality(admin_keys) > 0 AND cardinality(admin_keys) >
       (SELECT count(*) FROM (SELECT 1 FROM admins WHERE id = ANY (admin_keys) FOR KEY SHARE) locked) THEN
        SELECT k INTO missing FROM unnest(admin_keys) k
         WHERE NOT EXISTS (SELECT 1 FROM admins WHERE id = k) LIMIT 1;
        PERFORM promo_codes_reference_missing('promo_codes_created_by_fkey', 'created_by', 'admins', missing);
    END IF;
    IF cardinality(owner_keys) > 0 AND cardinality(owner_keys) >
       (SELECT count(*) FROM (SELECT 1 FROM players WHERE id = ANY (owner_keys) FOR KEY SHARE) locked) THEN
        SELECT k INTO missing FROM unnest(owner_keys) k
         WHERE NOT EXISTS (SELECT 1 FROM players WHERE id = k) LIMIT 1;
        PERFORM promo_codes_reference_missing('promo_codes_owner_id_fkey', 'owner_id', 'players', missing);
    END IF;
END $$;

-- The codes one statement inserted: one pass over them, then one locking
-- query per referenced table.
CREATE FUNCTION promo_codes_references_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    keys record;
BEGIN
    SELECT array_agg(DISTINCT currency) AS currencies,
           array_agg(DISTINCT group_id) FILTER (WHERE group_id IS NOT NULL) AS groups,
           array_agg(DISTINCT campaign_id) FILTER (WHERE campaign_id IS NOT NULL) AS campaigns,
           array_agg(DISTINCT partner_id) FILTER (WHERE partner_id IS NOT NULL) AS partners,
           array_agg(DISTINCT created_by) FILTER (WHERE created_by IS NOT NULL) AS admins,
           array_agg(DISTINCT owner_id) FILTER (WHERE owner_id IS NOT NULL) AS owners
      INTO keys
      FROM inserted_codes;
    PERFORM promo_codes_lock_references(keys.currencies, keys.groups, keys.campaigns,
                                        keys.partners, keys.admins, keys.owners);
    RETURN NULL;
END $$;

CREATE TRIGGER promo_codes_references_insert AFTER INSERT ON promo_codes
    REFERENCING NEW TABLE AS inserted_codes
    FOR EACH STATEMENT EXECUTE FUNCTION promo_codes_references_inserted();

-- A code whose references changed (an edit; activations change none, and
-- the WHEN below keeps them from calling anything).
CREATE FUNCTION promo_codes_references_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM promo_codes_lock_references(
        CASE WHEN NEW.currency IS DISTINCT FROM OLD.currency THEN ARRAY[NEW.currency] END,
        CASE WHEN NEW.group_id IS DISTINCT FROM OLD.group_id THEN array_remove(ARRAY[NEW.group_id], NULL) END,
        CASE WHEN NEW.campaign_id IS DISTINCT FROM OLD.campaign_id THEN array_remove(ARRAY[NEW.campaign_id], NULL) END,
        CASE WHEN NEW.partner_id IS DISTINCT FROM OLD.partner_id THEN array_remove(ARRAY[NEW.partner_id], NULL) END,
        CASE WHEN NEW.created_by IS DISTINCT FROM OLD.created_by THEN array_remove(ARRAY[NEW.created_by], NULL) END,
        CASE WHEN NEW.owner_id IS DISTINCT FROM OLD.owner_id THEN array_remove(ARRAY[NEW.owner_id], NULL) END);
    RETURN NULL;
END $$;

CREATE TRIGGER promo_codes_references_update AFTER UPDATE ON promo_codes
    FOR EACH ROW
    WHEN (NEW.currency IS DISTINCT FROM OLD.currency
          OR NEW.group_id IS DISTINCT FROM OLD.group_id
          OR NEW.campaign_id IS DISTINCT FROM OLD.campaign_id
          OR NEW.partner_id IS DISTINCT FROM OLD.partner_id
          OR NEW.created_by IS DISTINCT FROM OLD.created_by
          OR NEW.owner_id IS DISTINCT FROM OLD.owner_id)
    EXECUTE FUNCTION promo_codes_references_updated();

-- The referenced tables' side. Arguments: the column of promo_codes that
-- points here, this table's key, the foreign key's name, and what a delete
-- does ('set null', or 'no action': refused while a code points here). A
-- changed key is refused while a code points at the old one.
CREATE FUNCTION promo_codes_referenced_row_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    col text := TG_ARGV[0];
    key_col text := TG_ARGV[1];
    constraint_name text := TG_ARGV[2];
    on_delete text := TG_ARGV[3];
    old_key text;
    referenced boolean;
BEGIN
    IF TG_OP = 'DELETE' AND on_delete = 'set null' THEN
        EXECUTE format('UPDATE promo_codes SET %I = NULL WHERE %I = ($1).%I', col, col, key_col) USING OLD;
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT ($1).%I::text, EXISTS (SELECT 1 FROM promo_codes WHERE %I = ($1).%I)', key_col, col, key_col)
       INTO old_key, referenced USING OLD;
    IF referenced THEN
        RAISE foreign_key_violation USING
            MESSAGE = format('update or delete on table "%s" violates foreign key constraint "%s" on table "promo_codes"',
                             TG_TABLE_NAME, constraint_name),
            DETAIL = format('Key (%s)=(%s) is still referenced from table "promo_codes".', key_col, old_key),
            CONSTRAINT = constraint_name,
            TABLE = TG_TABLE_NAME;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER promo_codes_currency_delete AFTER DELETE ON currencies
    FOR EACH ROW EXECUTE FUNCTION promo_codes_referenced_row_changed('currency', 'code', 'promo_codes_currency_fkey', 'no action');
CREATE TRIGGER promo_codes_currency_rekey AFTER UPDATE OF code ON currencies
    FOR EACH ROW WHEN (NEW.code IS DISTINCT FROM OLD.code)
    EXECUTE FUNCTION promo_codes_referenced_row_changed('currency', 'code', 'promo_codes_currency_fkey', 'no action');

CREATE TRIGGER promo_codes_group_delete AFTER DELETE ON code_groups
    FOR EACH ROW EXECUTE FUNCTION promo_codes_referenced_row_changed('group_id', 'id', 'promo_codes_group_id_fkey', 'set null');
CREATE TRIGGER promo_codes_group_rekey AFTER UPDATE OF id ON code_groups
    FOR EACH ROW WHEN (NEW.id IS DISTINCT FROM OLD.id)
    EXECUTE FUNCTION promo_codes_referenced_row_changed('group_id', 'id', 'promo_codes_group_id_fkey', 'no action');

CREATE TRIGGER promo_codes_campaign_delete AFTER DELETE ON campaigns
    FOR EACH ROW EXECUTE FUNCTION promo_codes_referenced_row_changed('campaign_id', 'id', 'promo_codes_campaign_id_fkey', 'set null');
CREATE TRIGGER promo_codes_campaign_rekey AFTER UPDATE OF id ON campaigns
    FOR EACH ROW WHEN (NEW.id IS DISTINCT FROM OLD.id)
    EXECUTE FUNCTION promo_codes_referenced_row_changed('campaign_id', 'id', 'promo_codes_campaign_id_fkey', 'no action');

CREATE TRIGGER promo_codes_partner_delete AFTER DELETE ON partners
    FOR EACH ROW EXECUTE FUNCTION promo_codes_referenced_row_changed('partner_id', 'id', 'promo_codes_partner_id_fkey', 'set null');
CREATE TRIGGER promo_codes_partner_rekey AFTER UPDATE OF id ON partners
    FOR EACH ROW WHEN (NEW.id IS DISTINCT FROM OLD.id)
    EXECUTE FUNCTION promo_codes_referenced_row_changed('partner_id', 'id', 'promo_codes_partner_id_fkey', 'no action');

CREATE TRIGGER promo_codes_admin_delete AFTER DELETE ON admins
    FOR EACH ROW EXECUTE FUNCTION promo_codes_referenced_row_changed('created_by', 'id', 'promo_codes_created_by_fkey', 'set null');
CREATE TRIGGER promo_codes_admin_rekey AFTER UPDATE OF id ON admins
    FOR EACH ROW WHEN (NEW.id IS DISTINCT FROM OLD.id)
    EXECUTE FUNCTION promo_codes_referenced_row_changed('created_by', 'id', 'promo_codes_created_by_fkey', 'no action');

CREATE TRIGGER promo_codes_owner_delete AFTER DELETE ON players
    FOR EACH ROW EXECUTE FUNCTION promo_codes_referenced_row_changed('owner_id', 'id', 'promo_codes_owner_id_fkey', 'no action');
CREATE TRIGGER promo_codes_owner_rekey AFTER UPDATE OF id ON players
    FOR EACH ROW WHEN (NEW.id IS DISTINCT FROM OLD.id)
    EXECUTE FUNCTION promo_codes_referenced_row_changed('owner_id', 'id', 'promo_codes_owner_id_fkey', 'no action');

