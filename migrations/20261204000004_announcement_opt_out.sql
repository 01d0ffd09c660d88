-- Players may turn announcements of new codes off (issue 15); the fan-out
-- skips them. On by default: announcements are what the service is for.
ALTER TABLE players ADD COLUMN announcements boolean NOT NULL DEFAULT true;
