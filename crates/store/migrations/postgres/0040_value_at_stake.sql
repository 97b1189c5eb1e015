-- One meaning of value at stake (issue 24, item 2): the CLV a customer is expected to be lost
-- over the snapshot's horizon (`snapshot_horizons`, written with the snapshot), computed by
-- `clientele_core::winback::value_at_stake` from the CLV and P(alive) when the snapshot is
-- written. Today's list, the lost list and their API twins rank by it, highest first, the
-- customers without one (no model fitted) last, ties by revenue then id. It replaces the ranking by past revenue.
-- Keep in step with ../sqlite/0040_value_at_stake.sql.

ALTER TABLE score_snapshots ADD COLUMN value_at_stake DOUBLE PRECISION;

DROP INDEX IF EXISTS score_snapshots_status_value;
CREATE INDEX score_snapshots_status_stake
    ON score_snapshots (as_of, status, value_at_stake DESC NULLS LAST, revenue DESC, customer_id);
