-- Issue 23, item 8: reads of personal data are audited, and an admin filters the log by action
-- and by time, newest first (by actor is `audit_log_actor` of 0002).
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_at ON audit_log (at);
