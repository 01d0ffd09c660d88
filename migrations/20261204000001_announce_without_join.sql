-- promo_codes_announce compared a statement's old and new rows with a join of
-- its two transition tables. They carry no statistics, so the planner chose a
-- nested loop: an UPDATE of 90,000 codes ran for over ten minutes in the
-- trigger alone, and every batch of promo_claim_many paid n² comparisons for
-- its n codes. The changed rows are now found with EXCEPT (hashed, linear):
-- a row whose announced fields changed leaves its old fields in one
-- difference and its new ones in the other, so the keys are the same as before.
CREATE OR REPLACE FUNCTION promo_codes_announce() RETURNS trigger
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
            SELECT k FROM (
                SELECT unnest(ARRAY['n:' || d.normalized, 'e:' || d.egg_slug]) AS k
                  FROM ((SELECT n.id, n.normalized, n.name, n.egg_slug, n.enabled, n.starts_at, n.ends_at FROM new_rows n
                         EXCEPT SELECT o.id, o.normalized, o.name, o.egg_slug, o.enabled, o.starts_at, o.ends_at FROM old_rows o)
                        UNION ALL
                        (SELECT o.id, o.normalized, o.name, o.egg_slug, o.enabled, o.starts_at, o.ends_at FROM old_rows o
                         EXCEPT SELECT n.id, n.normalized, n.name, n.egg_slug, n.enabled, n.starts_at, n.ends_at FROM new_rows n)) d
            ) u WHERE k IS NOT NULL
            LIMIT 402) s;
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
