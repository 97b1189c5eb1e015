-- Movable personal dates (nth weekday of a month, Easter-relative) are few beside the yearly
-- ones, but a planner that only knows the average rows per rule reads `rule = 'easter'` as a
-- large share of the table and scans it (40 ms at 200k dates). A partial index over just the
-- movable rules is small and is used whenever a query repeats its condition.
CREATE INDEX personal_dates_movable ON personal_dates (rule, month, offset_days)
    WHERE rule NOT IN ('yearly', 'once');

-- The upcoming-dates page reads yearly dates by (month, day) and then customer: with the
-- customer in the index that order needs no sort, so a page stops after its rows.
CREATE INDEX personal_dates_month_day_customer ON personal_dates (month, day, customer_id);
