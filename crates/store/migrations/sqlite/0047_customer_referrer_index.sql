-- The card lists whom a customer referred and counts them (issue 24, item 6): without an index
-- each card scanned the whole customers table (27-40 ms of CPU at 1M customers).
CREATE INDEX customers_referrer ON customers (referrer_id);
