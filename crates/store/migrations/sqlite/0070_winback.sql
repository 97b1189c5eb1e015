-- Winning customers back (issue 27): playbooks, the daily queue's outcomes, win-back cases with
-- their attempts, saved filters, campaigns with their control groups, and the CLV horizon of
-- each snapshot. Keep in step with ../postgres/0070_winback.sql: same tables, columns,
-- constraints and meaning.

-- The playbook an admin saved (TOML, as `clientele playbook` prints the defaults); the latest
-- row is in force, none means the defaults. Earlier versions are kept as the history.
CREATE TABLE winback_playbooks (
    id       INTEGER PRIMARY KEY,
    toml     TEXT    NOT NULL,
    saved_at INTEGER NOT NULL,
    saved_by TEXT    NOT NULL
);

-- The horizon (in days) over which a snapshot's CLV was forecast, written by scoring.
CREATE TABLE snapshot_horizons (
    as_of            INTEGER PRIMARY KEY,
    clv_horizon_days INTEGER NOT NULL CHECK (clv_horizon_days > 0)
);

-- What came of the daily queue's items: one row per customer and queue day (a second mark of
-- the same item is refused), written with its contact-log entry in one transaction. `cost`
-- counts toward the customer's budget; a snooze costs nothing and keeps the customer out of
-- the queue until `snooze_until`.
CREATE TABLE queue_outcomes (
    id             INTEGER PRIMARY KEY,
    day            INTEGER NOT NULL,
    customer_id    INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    action         TEXT    NOT NULL,
    channel        TEXT    CHECK (channel IN ('email', 'phone', 'sms', 'messenger', 'post', 'visit')),
    outcome        TEXT    NOT NULL CHECK (outcome IN ('no_answer', 'answered', 'promised', 'declined', 'wrong_contact', 'snoozed')),
    cost           INTEGER NOT NULL CHECK (cost >= 0),
    snooze_until   INTEGER,
    note           TEXT,
    user_id        INTEGER REFERENCES users (id) ON DELETE SET NULL,
    at             INTEGER NOT NULL,
    contact_log_id INTEGER REFERENCES contact_log (id) ON DELETE SET NULL,
    UNIQUE (day, customer_id)
);
CREATE INDEX queue_outcomes_customer ON queue_outcomes (customer_id, day);

-- Win-back cases: a customer taken on to be won back, why they left, the offer and channel,
-- and how it ended (`state` is settled from the orders: returned when they bought within
-- `window_days` of opening, not_returned once the window is over). One open case per customer.
CREATE TABLE winback_cases (
    id             INTEGER PRIMARY KEY,
    customer_id    INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    opened_day     INTEGER NOT NULL,
    opened_at      INTEGER NOT NULL,
    opened_by      TEXT    NOT NULL,
    user_id        INTEGER REFERENCES users (id) ON DELETE SET NULL,
    source         TEXT    NOT NULL CHECK (source IN ('lost_list', 'slipping_list', 'queue', 'manual')),
    status_at_open TEXT    CHECK (status_at_open IN ('active', 'slipping', 'lost')),
    reason         TEXT    CHECK (reason IN ('price', 'quality', 'service', 'competitor', 'moved', 'no_longer_needed', 'other')),
    reason_text    TEXT,
    offer          TEXT,
    channel        TEXT    CHECK (channel IN ('email', 'phone', 'sms', 'messenger', 'post', 'visit')),
    window_days    INTEGER NOT NULL CHECK (window_days > 0),
    state          TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'returned', 'not_returned')),
    returned_day   INTEGER,
    settled_at     INTEGER
);
CREATE INDEX winback_cases_customer ON winback_cases (customer_id, opened_day);
CREATE UNIQUE INDEX winback_cases_one_open ON winback_cases (customer_id) WHERE state = 'open';

-- Each attempt to reach a case's customer, with its outcome (also in the contact log).
CREATE TABLE winback_attempts (
    id             INTEGER PRIMARY KEY,
    case_id        INTEGER NOT NULL REFERENCES winback_cases (id) ON DELETE CASCADE,
    day            INTEGER NOT NULL,
    at             INTEGER NOT NULL,
    channel        TEXT    NOT NULL CHECK (channel IN ('email', 'phone', 'sms', 'messenger', 'post', 'visit')),
    outcome        TEXT    NOT NULL CHECK (outcome IN ('no_answer', 'answered', 'promised', 'declined', 'wrong_contact')),
    note           TEXT,
    author         TEXT    NOT NULL,
    user_id        INTEGER REFERENCES users (id) ON DELETE SET NULL,
    contact_log_id INTEGER REFERENCES contact_log (id) ON DELETE SET NULL
);
CREATE INDEX winback_attempts_case ON winback_attempts (case_id, day);

-- Filters campaigns select their customers with: space-separated codes of statuses, rungs and
-- RFM segments ('' is any).
CREATE TABLE saved_filters (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    statuses   TEXT    NOT NULL DEFAULT '',
    rungs      TEXT    NOT NULL DEFAULT '',
    segments   TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    created_by TEXT    NOT NULL
);

-- Campaigns with a control group. `seed` is the assignment's 64-bit seed stored as its two's
-- complement (read back as the same unsigned number), `control_share` in millionths; the arms
-- are in campaign_members, so the report never depends on redrawing them.
CREATE TABLE campaigns (
    id               INTEGER PRIMARY KEY,
    name             TEXT    NOT NULL UNIQUE,
    kind             TEXT    NOT NULL CHECK (kind IN ('win_back', 'reminder', 'offer')),
    filter_id        INTEGER NOT NULL REFERENCES saved_filters (id),
    snapshot_as_of   INTEGER NOT NULL,
    start_day        INTEGER NOT NULL,
    window_days      INTEGER NOT NULL CHECK (window_days > 0),
    control_share    INTEGER NOT NULL CHECK (control_share BETWEEN 0 AND 1000000),
    seed             INTEGER NOT NULL,
    method           TEXT    NOT NULL CHECK (method IN ('exact_per_stratum', 'stable_threshold')),
    cost_per_contact INTEGER NOT NULL CHECK (cost_per_contact >= 0),
    treated          INTEGER NOT NULL,
    control          INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    created_by       TEXT    NOT NULL
);

CREATE TABLE campaign_members (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    stratum     TEXT    NOT NULL,
    in_control  INTEGER NOT NULL CHECK (in_control IN (0, 1)),
    PRIMARY KEY (campaign_id, customer_id)
);
