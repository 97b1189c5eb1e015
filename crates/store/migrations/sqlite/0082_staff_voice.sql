-- Staff voice (issue 28 item 1): employee NPS and satisfaction, anonymous by construction.
-- Keep in step with ../postgres/0082_staff_voice.sql.
--
-- Nothing here links an answer to a person: codes are handed out per department (only their
-- SHA-256 is kept, and it is deleted when the code is used), an answer row holds the survey, the
-- department and the scores and no person, no code and no time, and answers wait in
-- staff_pending until a batch of the survey's size is complete, then move to staff_answers in a
-- shuffled order, so neither the time nor the order of an answer tells who gave it.

CREATE TABLE staff_surveys (
    id         INTEGER PRIMARY KEY,
    title      TEXT    NOT NULL,
    -- The day the survey is held: its month or quarter is the answers' period.
    day        INTEGER NOT NULL,
    batch_size INTEGER NOT NULL CHECK (batch_size BETWEEN 3 AND 100),
    created_at INTEGER NOT NULL,
    created_by TEXT    NOT NULL,
    closed_at  INTEGER
);

-- Unused one-time codes: the hash only, deleted on use or when the survey closes.
CREATE TABLE staff_codes (
    code_sha256 TEXT    PRIMARY KEY,
    survey_id   INTEGER NOT NULL REFERENCES staff_surveys (id) ON DELETE CASCADE,
    department  TEXT    NOT NULL
);

-- How many codes each department was handed (the response rate's denominator).
CREATE TABLE staff_departments (
    survey_id  INTEGER NOT NULL REFERENCES staff_surveys (id) ON DELETE CASCADE,
    department TEXT    NOT NULL,
    issued     INTEGER NOT NULL,
    PRIMARY KEY (survey_id, department)
);

-- Answers waiting for their batch to fill (not read by any report).
CREATE TABLE staff_pending (
    survey_id  INTEGER NOT NULL REFERENCES staff_surveys (id) ON DELETE CASCADE,
    department TEXT    NOT NULL,
    nps        INTEGER NOT NULL CHECK (nps BETWEEN 0 AND 10),
    s_work     INTEGER CHECK (s_work BETWEEN 1 AND 5),
    s_manager  INTEGER CHECK (s_manager BETWEEN 1 AND 5),
    s_team     INTEGER CHECK (s_team BETWEEN 1 AND 5),
    s_pay      INTEGER CHECK (s_pay BETWEEN 1 AND 5),
    s_growth   INTEGER CHECK (s_growth BETWEEN 1 AND 5),
    s_tools    INTEGER CHECK (s_tools BETWEEN 1 AND 5)
);
CREATE INDEX staff_pending_group ON staff_pending (survey_id, department);

-- Released answers, batch by batch.
CREATE TABLE staff_answers (
    survey_id  INTEGER NOT NULL REFERENCES staff_surveys (id) ON DELETE CASCADE,
    department TEXT    NOT NULL,
    batch      INTEGER NOT NULL,
    nps        INTEGER NOT NULL CHECK (nps BETWEEN 0 AND 10),
    s_work     INTEGER CHECK (s_work BETWEEN 1 AND 5),
    s_manager  INTEGER CHECK (s_manager BETWEEN 1 AND 5),
    s_team     INTEGER CHECK (s_team BETWEEN 1 AND 5),
    s_pay      INTEGER CHECK (s_pay BETWEEN 1 AND 5),
    s_growth   INTEGER CHECK (s_growth BETWEEN 1 AND 5),
    s_tools    INTEGER CHECK (s_tools BETWEEN 1 AND 5)
);
CREATE INDEX staff_answers_survey ON staff_answers (survey_id, department);
