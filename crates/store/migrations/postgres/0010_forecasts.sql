-- What the customer-base model and the rhythm said about each customer in a snapshot, so the
-- server can show P(alive) over time and the reason for a status.
ALTER TABLE score_snapshots ADD COLUMN status_reason TEXT;
ALTER TABLE score_snapshots ADD COLUMN p_alive DOUBLE PRECISION;
ALTER TABLE score_snapshots ADD COLUMN expected_purchases DOUBLE PRECISION;
ALTER TABLE score_snapshots ADD COLUMN clv DOUBLE PRECISION;
ALTER TABLE score_snapshots ADD COLUMN next_purchase INTEGER;
ALTER TABLE score_snapshots ADD COLUMN days_late INTEGER;
