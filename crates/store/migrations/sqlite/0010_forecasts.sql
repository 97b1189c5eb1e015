-- What the customer-base model and the rhythm said about each customer in a snapshot, so the
-- server can show P(alive) over time and the reason for a status.
ALTER TABLE score_snapshots ADD COLUMN status_reason TEXT;
ALTER TABLE score_snapshots ADD COLUMN p_alive REAL;
ALTER TABLE score_snapshots ADD COLUMN expected_purchases REAL;
ALTER TABLE score_snapshots ADD COLUMN clv REAL;
ALTER TABLE score_snapshots ADD COLUMN next_purchase INTEGER;
ALTER TABLE score_snapshots ADD COLUMN days_late INTEGER;
