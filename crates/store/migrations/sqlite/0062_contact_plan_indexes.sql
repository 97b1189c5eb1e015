-- Planning a day's contacts for a whole base in one pass per table (issue 26, item 8). Keep in
-- step with ../postgres/0062_contact_plan_indexes.sql.
--
-- The consent in force is folded from the history read in (customer, channel, day, id) order:
-- this index gives that order and holds the grant, so the read never visits the table. It
-- starts with the columns of consents_customer, which it replaces.
DROP INDEX consents_customer;
CREATE INDEX consents_in_force ON consents (customer_id, channel, day, id, granted);

-- The contacts that count toward the caps (outgoing, not cancelled, not a service notice), by
-- their time: the planner reads the last 30 days of them without scanning the whole log.
-- The WHERE clause is the one in crates/store/src/contacts/plan_inputs.rs (COUNTED_SQL), word
-- for word, so that SQLite uses the partial index.
CREATE INDEX contact_log_counted ON contact_log (COALESCE(planned_for, at), customer_id)
    WHERE direction = 'out' AND state <> 'cancelled'
      AND (kind IS NULL OR kind <> 'service_notice');
