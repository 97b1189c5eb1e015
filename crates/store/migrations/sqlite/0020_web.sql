-- The dashboard (crates/server/src/web): each user's language, and small per-snapshot aggregate
-- tables written by scoring in the same transaction as the snapshot, so pages never aggregate a
-- million snapshot rows per request. Keep in step with ../postgres/0020_web.sql.
--
-- `scope` is 0 for every customer, else the id of the manager user the customers were assigned
-- to when the snapshot was written. Absent values (no status, no sub-group, not in a snapshot)
-- are stored as '' so they can be part of a primary key.

ALTER TABLE users ADD COLUMN language TEXT CHECK (language IN ('en', 'ru'));

-- Customers, returners (turn > 1), revenue and profit per rung x sub-group x status.
CREATE TABLE dash_ladder (
    as_of     INTEGER NOT NULL,
    scope     INTEGER NOT NULL,
    rung      TEXT    NOT NULL,
    subgroup  TEXT    NOT NULL,
    status    TEXT    NOT NULL,
    customers INTEGER NOT NULL,
    returners INTEGER NOT NULL,
    revenue   INTEGER NOT NULL,
    profit    INTEGER NOT NULL,
    PRIMARY KEY (as_of, scope, rung, subgroup, status)
);

-- Points of the Pareto curve: the top `rank` of `customers` (by revenue, negatives as 0) bring
-- `cumulative_revenue` of `total_revenue`; at most one point per percent of customers.
CREATE TABLE dash_pareto (
    as_of              INTEGER NOT NULL,
    scope              INTEGER NOT NULL,
    rank               INTEGER NOT NULL,
    customers          INTEGER NOT NULL,
    cumulative_revenue INTEGER NOT NULL,
    total_revenue      INTEGER NOT NULL,
    PRIMARY KEY (as_of, scope, rank)
);

-- Customers and revenue per ABC class (kind 'abc') and RFM cell (kind 'rfm').
CREATE TABLE dash_segments (
    as_of     INTEGER NOT NULL,
    scope     INTEGER NOT NULL,
    kind      TEXT    NOT NULL CHECK (kind IN ('abc', 'rfm')),
    segment   TEXT    NOT NULL,
    customers INTEGER NOT NULL,
    revenue   INTEGER NOT NULL,
    PRIMARY KEY (as_of, scope, kind, segment)
);

-- Movements from the previous snapshot to this one (clientele_store::classify's rules):
-- movement is up, down, out, back, same or new; at_risk counts those on from_rung with a status
-- other than lost, churned those of them lost or gone at as_of.
CREATE TABLE dash_movements (
    as_of          INTEGER NOT NULL,
    scope          INTEGER NOT NULL,
    previous_as_of INTEGER NOT NULL,
    from_rung      TEXT    NOT NULL,
    to_rung        TEXT    NOT NULL,
    movement       TEXT    NOT NULL,
    customers      INTEGER NOT NULL,
    at_risk        INTEGER NOT NULL,
    churned        INTEGER NOT NULL,
    revenue        INTEGER NOT NULL,
    PRIMARY KEY (as_of, scope, from_rung, to_rung, movement)
);
-- Churn over the whole history reads one scope's movements of every snapshot.
CREATE INDEX dash_movements_scope ON dash_movements (scope, as_of);

-- Each customer's first purchase day and its month * 100 + day, for anniversaries.
CREATE TABLE dash_first_purchase (
    customer_id INTEGER PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    day         INTEGER NOT NULL,
    month_day   INTEGER NOT NULL
);
CREATE INDEX dash_first_purchase_month_day ON dash_first_purchase (month_day);

-- The today and lost lists read a snapshot by status in value order.
CREATE INDEX score_snapshots_status_value ON score_snapshots (as_of, status, revenue, customer_id);
-- Upcoming dates read yearly rules by month and day, the other rules by kind.
CREATE INDEX personal_dates_month_day ON personal_dates (month, day);
CREATE INDEX personal_dates_rule ON personal_dates (rule, month);
