-- The express self-assessment (issue 28 item 3): checklists a company adds beside the shipped
-- ones (TOML, as `clientele assess list --toml` prints them), and the answers several people
-- give, kept as history. Keep in step with ../postgres/0081_assess.sql.

CREATE TABLE assess_checklists (
    id       INTEGER PRIMARY KEY,
    key      TEXT    NOT NULL UNIQUE,
    toml     TEXT    NOT NULL,
    saved_at INTEGER NOT NULL,
    saved_by TEXT    NOT NULL
);

-- One person's answers to one checklist on one day; answering again the same day replaces them.
CREATE TABLE assess_responses (
    id          INTEGER PRIMARY KEY,
    checklist   TEXT    NOT NULL,
    respondent  TEXT    NOT NULL,
    day         INTEGER NOT NULL,
    answered_at INTEGER NOT NULL,
    UNIQUE (checklist, respondent, day)
);

CREATE TABLE assess_answers (
    response_id INTEGER NOT NULL REFERENCES assess_responses (id) ON DELETE CASCADE,
    question    TEXT    NOT NULL,
    yes         INTEGER NOT NULL CHECK (yes IN (0, 1)),
    PRIMARY KEY (response_id, question)
);
