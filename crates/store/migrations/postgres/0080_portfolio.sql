-- The product portfolio (issue 28): what a products file says about each product besides its
-- sales — the launch date (the life-cycle rule starts the product's series there), the unit
-- cost (margin for order lines that carry a quantity but no cost) and the partner of a bundle
-- or service sold with one. Keep in step with ../sqlite/0080_portfolio.sql.
ALTER TABLE products ADD COLUMN launch_day BIGINT;
ALTER TABLE products ADD COLUMN unit_cost BIGINT;
ALTER TABLE products ADD COLUMN partner TEXT;
ALTER TABLE products ADD COLUMN updated_at BIGINT;
