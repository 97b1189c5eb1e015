-- The day of each customer's last purchase as of the snapshot (issue 27, item 6), written with
-- the snapshot by scoring. The daily queue takes a lost customer only while recently lost and
-- read that day with a subquery per lost row (a quarter of a million index walks over the order
-- lines at 1M customers); it now reads the column, and keeps the subquery only for snapshots
-- written before this migration (NULL here). Keep in step with ../sqlite/0071_snapshot_last_purchase.sql.

ALTER TABLE score_snapshots ADD COLUMN last_purchase BIGINT;
