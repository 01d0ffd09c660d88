-- Changes made through the platform API are audited with the API key that
-- made them (issue 13): an audit entry names an admin or a key, not both.
ALTER TABLE audit_log
    ADD COLUMN api_key_id bigint REFERENCES api_keys (id) ON DELETE SET NULL;

-- A series started through the API names its key like one an admin started.
ALTER TABLE series_jobs
    ADD COLUMN api_key_id bigint REFERENCES api_keys (id) ON DELETE SET NULL;
