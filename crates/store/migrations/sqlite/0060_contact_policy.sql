-- The contact policy's storage (issue 26). Keep in step with ../postgres/0060_contact_policy.sql.
--
-- Consents: who recorded each grant or withdrawal and when (the day says when it was given;
-- `source` where: import, api, card, or the file's own words). Withdrawals stay as rows: the
-- history is never rewritten, the latest row per channel is in force.
ALTER TABLE consents ADD COLUMN recorded_at INTEGER;
ALTER TABLE consents ADD COLUMN recorded_by TEXT;

-- A customer's time zone (IANA name) and own quiet hours (minutes after local midnight; start
-- later than end crosses midnight; both NULL: the company's default).
CREATE TABLE contact_preferences (
    customer_id INTEGER PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    time_zone   TEXT,
    quiet_start INTEGER CHECK (quiet_start BETWEEN 0 AND 1439),
    quiet_end   INTEGER CHECK (quiet_end BETWEEN 0 AND 1439),
    updated_at  INTEGER NOT NULL,
    CHECK ((quiet_start IS NULL) = (quiet_end IS NULL))
);

-- Frequency caps per rung ('default' for customers without a rung or a row of their own); NULL
-- is no limit. No row at all: the core's default (2 a week, 6 a month).
CREATE TABLE contact_caps (
    rung      TEXT PRIMARY KEY CHECK (rung IN ('default', 'prospect', 'visitor', 'newcomer', 'regular', 'advocate')),
    per_week  INTEGER CHECK (per_week BETWEEN 0 AND 1000),
    per_month INTEGER CHECK (per_month BETWEEN 0 AND 1000)
);

-- The contact log records what was planned, sent or exported, when (`at`: when the row was
-- written; `planned_for`: when the policy allows it to go out), why (`subject`, `reason`), by
-- whom (`user_id`, `author`) and for which module. Rows written before this migration, and rows
-- written without these columns, are contacts made (`state` 'sent') of an unknown kind, which
-- count toward the caps.
ALTER TABLE contact_log ADD COLUMN kind TEXT CHECK (kind IS NULL OR kind IN ('offer', 'reminder', 'survey', 'greeting', 'notice', 'win_back', 'service_notice'));
ALTER TABLE contact_log ADD COLUMN module TEXT CHECK (module IS NULL OR module IN ('queue', 'calendar', 'surveys', 'notices', 'campaigns', 'win_back', 'events', 'manual'));
ALTER TABLE contact_log ADD COLUMN state TEXT NOT NULL DEFAULT 'sent' CHECK (state IN ('planned', 'sent', 'exported', 'cancelled'));
ALTER TABLE contact_log ADD COLUMN planned_for INTEGER;
ALTER TABLE contact_log ADD COLUMN reason TEXT;
ALTER TABLE contact_log ADD COLUMN author TEXT;
CREATE INDEX contact_log_state ON contact_log (state, planned_for);
