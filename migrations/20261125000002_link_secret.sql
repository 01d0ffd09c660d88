-- Secrets the server generates for itself when none is configured (e.g. the
-- HMAC key of sign-in links), shared by every instance on this database.
CREATE TABLE app_secrets (
    name        text PRIMARY KEY,
    value       bytea NOT NULL CHECK (length(value) >= 32),
    created_at  timestamptz NOT NULL DEFAULT now()
);
