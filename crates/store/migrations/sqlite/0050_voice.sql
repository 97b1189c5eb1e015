-- The voice of the customer (issue 25): surveys and their invitation links, answers from links,
-- the API and imports (in the existing survey_responses), follow-up tasks of the closed loop,
-- complaints and wishes with response targets (in the existing feedback), the improvement log,
-- and the domain's settings. Keep in step with ../postgres/0050_voice.sql.

-- A survey: one question (NPS on 0-10 or 1-10, or CSAT on 1-5) asked through invitation links.
CREATE TABLE surveys (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    kind       TEXT    NOT NULL CHECK (kind IN ('nps', 'csat')),
    scale      TEXT    NOT NULL CHECK (scale IN ('0-10', '1-10', '1-5')),
    touchpoint TEXT,                      -- what the question is about: purchase, delivery, support...
    link_days  INTEGER NOT NULL CHECK (link_days BETWEEN 1 AND 365),  -- how long a link stays open
    closes_at  INTEGER,                   -- no answer is taken or changed after this instant
    created_at INTEGER NOT NULL,
    created_by TEXT    NOT NULL
);

-- One invitation: a customer, the survey, and the SHA-256 of the link's secret (the link itself
-- is shown once, when the invitation is made). The contact policy chose the channel and time.
CREATE TABLE survey_invitations (
    id           INTEGER PRIMARY KEY,
    survey_id    INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    customer_id  INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    token_sha256 TEXT    NOT NULL UNIQUE,
    channel      TEXT    NOT NULL,
    send_at      INTEGER NOT NULL,
    invited_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX survey_invitations_customer ON survey_invitations (customer_id, invited_at);
CREATE INDEX survey_invitations_survey ON survey_invitations (survey_id, invited_at);

-- Answers: NPS in `nps` (on `scale` 0-10 or 1-10), CSAT in `csat` (1-5). Rows from customers
-- files keep kind 'nps', scale '0-10' and no answered_at (their day is the import day).
ALTER TABLE survey_responses ADD COLUMN kind TEXT NOT NULL DEFAULT 'nps' CHECK (kind IN ('nps', 'csat'));
ALTER TABLE survey_responses ADD COLUMN scale TEXT NOT NULL DEFAULT '0-10' CHECK (scale IN ('0-10', '1-10', '1-5'));
ALTER TABLE survey_responses ADD COLUMN csat INTEGER CHECK (csat BETWEEN 1 AND 5);
-- The sender's id of an answer (API batches, imports): the same id again changes nothing.
ALTER TABLE survey_responses ADD COLUMN answer_id TEXT;
ALTER TABLE survey_responses ADD COLUMN survey_id INTEGER REFERENCES surveys (id) ON DELETE SET NULL;
-- One answer per invitation: a second submit of a link updates it.
ALTER TABLE survey_responses ADD COLUMN invitation_id INTEGER REFERENCES survey_invitations (id) ON DELETE SET NULL;
ALTER TABLE survey_responses ADD COLUMN channel TEXT;
ALTER TABLE survey_responses ADD COLUMN touchpoint TEXT;
ALTER TABLE survey_responses ADD COLUMN answered_at INTEGER;
CREATE UNIQUE INDEX survey_responses_answer_id ON survey_responses (answer_id);
CREATE UNIQUE INDEX survey_responses_invitation ON survey_responses (invitation_id);
CREATE INDEX survey_responses_kind_day ON survey_responses (kind, day);

-- The closed loop: a task per detractor (or passive) answer, for the customer's manager when the
-- answer came (NULL: the queue of unassigned customers), due by the response target.
CREATE TABLE followup_tasks (
    id              INTEGER PRIMARY KEY,
    response_id     INTEGER NOT NULL UNIQUE REFERENCES survey_responses (id) ON DELETE CASCADE,
    customer_id     INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL CHECK (kind IN ('detractor', 'passive')),
    manager_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    opened_at       INTEGER NOT NULL,
    due_at          INTEGER NOT NULL,
    taken_at        INTEGER,
    taken_by        TEXT,
    snoozed_until   INTEGER,
    answered_at     INTEGER,
    answered_by     TEXT,
    outcome         TEXT,
    closed_at       INTEGER,
    closed_by       TEXT
);
CREATE INDEX followup_tasks_open ON followup_tasks (closed_at, due_at);
CREATE INDEX followup_tasks_manager ON followup_tasks (manager_user_id, opened_at);
CREATE INDEX followup_tasks_customer ON followup_tasks (customer_id);

-- Complaints and wishes: the log's fields and the response targets in force when each arrived.
ALTER TABLE feedback ADD COLUMN entry_id TEXT;
ALTER TABLE feedback ADD COLUMN channel TEXT;
ALTER TABLE feedback ADD COLUMN category TEXT;
ALTER TABLE feedback ADD COLUMN touchpoint TEXT;
ALTER TABLE feedback ADD COLUMN severity TEXT NOT NULL DEFAULT 'normal' CHECK (severity IN ('low', 'normal', 'high', 'critical'));
ALTER TABLE feedback ADD COLUMN received_at INTEGER;
ALTER TABLE feedback ADD COLUMN first_response_due INTEGER;
ALTER TABLE feedback ADD COLUMN resolution_due INTEGER;
ALTER TABLE feedback ADD COLUMN first_response_at INTEGER;
ALTER TABLE feedback ADD COLUMN first_response_by TEXT;
ALTER TABLE feedback ADD COLUMN first_response TEXT;
ALTER TABLE feedback ADD COLUMN resolved_by TEXT;
ALTER TABLE feedback ADD COLUMN resolution TEXT;
ALTER TABLE feedback ADD COLUMN source TEXT NOT NULL DEFAULT 'form';
UPDATE feedback SET received_at = day * 86400 WHERE received_at IS NULL;
CREATE UNIQUE INDEX feedback_entry_id ON feedback (entry_id);
CREATE INDEX feedback_kind_day ON feedback (kind, day);
CREATE INDEX feedback_open ON feedback (resolved_at, resolution_due);

-- The improvement log (plan-do-check-act): an action, its hypothesis, the group it targets and
-- the dates its before/after check compares.
CREATE TABLE improvements (
    id            INTEGER PRIMARY KEY,
    title         TEXT    NOT NULL,
    owner         TEXT    NOT NULL,
    hypothesis    TEXT    NOT NULL,
    target_kind   TEXT    NOT NULL CHECK (target_kind IN ('all', 'touchpoint', 'category', 'rung')),
    target        TEXT    NOT NULL DEFAULT '',
    start_day     INTEGER NOT NULL,
    check_day     INTEGER NOT NULL CHECK (check_day > start_day),
    decision      TEXT    CHECK (decision IN ('adopt', 'adjust', 'abandon')),
    decision_note TEXT,
    decided_at    INTEGER,
    decided_by    TEXT,
    created_at    INTEGER NOT NULL,
    created_by    TEXT    NOT NULL
);

-- The domain's settings, one integer each (NULL: off). Defaults as documented in
-- clientele_core::closed_loop.
CREATE TABLE voice_settings (
    name  TEXT PRIMARY KEY,
    value INTEGER
);
INSERT INTO voice_settings (name, value) VALUES
    ('invite_period_days', 90),
    ('min_answers', 30),
    ('detractor_target_hours', 48),
    ('passive_target_hours', 168),
    ('complaint_low_first_hours', 72),
    ('complaint_low_resolution_hours', 336),
    ('complaint_normal_first_hours', 48),
    ('complaint_normal_resolution_hours', 168),
    ('complaint_high_first_hours', 24),
    ('complaint_high_resolution_hours', 72),
    ('complaint_critical_first_hours', 4),
    ('complaint_critical_resolution_hours', 24);
