-- Issue 23, item 5: a user can be disabled (no token, session or password lets them in, until
-- enabled again) without removing them and what they wrote.
ALTER TABLE users ADD COLUMN disabled_at BIGINT;
