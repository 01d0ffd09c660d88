-- Every constraint the application tells apart has a name that says what it
-- holds (PostgreSQL numbered the unnamed CHECKs: promo_codes_check4 was the
-- end-after-start rule, not the limit). And the rules written more than once
-- become SQL functions beside promo_player_eligible.

ALTER TABLE promo_codes RENAME CONSTRAINT promo_codes_check TO promo_codes_min_within_initial;
ALTER TABLE promo_codes RENAME CONSTRAINT promo_codes_check1 TO promo_codes_current_within_bounds;
ALTER TABLE promo_codes RENAME CONSTRAINT promo_codes_check2 TO promo_codes_step_within_initial;
ALTER TABLE promo_codes RENAME CONSTRAINT promo_codes_check3 TO promo_codes_count_within_limit;
ALTER TABLE promo_codes RENAME CONSTRAINT promo_codes_check4 TO promo_codes_ends_after_starts;
ALTER TABLE campaigns RENAME CONSTRAINT campaigns_check TO campaigns_ends_after_starts;
ALTER TABLE ledger_entries RENAME CONSTRAINT ledger_entries_check TO ledger_entries_source_matches_activation;
ALTER TABLE input_blocks RENAME CONSTRAINT input_blocks_check TO input_blocks_until_after_created;

-- A code anyone could activate now (eligibility aside): enabled, started,
-- not ended, not used up. The claim, the dashboard and the list use it.
CREATE FUNCTION promo_code_active(c promo_codes) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT c.enabled
       AND (c.starts_at IS NULL OR c.starts_at <= now())
       AND (c.ends_at IS NULL OR now() < c.ends_at)
       AND (c.activation_limit IS NULL OR c.activation_count < c.activation_limit)
$$;

-- What the dashboard calls a code's state, the first that applies.
CREATE FUNCTION promo_code_status(c promo_codes) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN NOT c.enabled THEN 'disabled'
                WHEN c.activation_limit IS NOT NULL AND c.activation_count >= c.activation_limit THEN 'exhausted'
                WHEN c.ends_at IS NOT NULL AND c.ends_at <= now() THEN 'expired'
                WHEN c.starts_at IS NOT NULL AND c.starts_at > now() THEN 'scheduled'
                ELSE 'active' END
$$;
