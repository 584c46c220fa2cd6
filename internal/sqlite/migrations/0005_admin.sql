-- 0005: the admin API (SPEC §5). A disabled staff user cannot log in and their sessions stop
-- working; NULL while the user is enabled.
ALTER TABLE staff_users ADD COLUMN disabled_at INTEGER;
