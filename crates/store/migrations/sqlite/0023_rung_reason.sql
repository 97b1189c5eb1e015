-- Why the customer is on their rung, in the language-free form of `RungReason::code`
-- (`regular purchase_days=5 periods=3 period=quarter`); the dashboard words it from its
-- catalogue. Empty for snapshots written before this column.
ALTER TABLE score_snapshots ADD COLUMN rung_reason TEXT;
