-- Indexes the server's reads need: the customer card's snapshot history, the sweep of expired
-- sessions and the audit log by actor.
CREATE INDEX score_snapshots_customer ON score_snapshots (customer_id, as_of);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX audit_log_actor ON audit_log (actor, at);
