-- The client calendar's greeting drafts (issue 26). Keep in step with
-- ../postgres/0061_greeting_drafts.sql.
--
-- One draft per customer, occasion and day: written from the dossier when the occasion is first
-- listed, editable until it is sent. `occasion` is the key customers of one occasion share (a
-- holiday's code, 'birthday', 'name_day', 'founding_day', 'first_purchase', a custom label in
-- lower case): no two drafts of one occasion and day carry the same text. `variant` is the
-- phrasing the core chose (NULL once edited, or when the customer's reference had to be added);
-- `contact_log_id` is the contact-log row written when it was sent through the policy.
CREATE TABLE greeting_drafts (
    id             INTEGER PRIMARY KEY,
    customer_id    INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    occasion       TEXT    NOT NULL,
    label          TEXT    NOT NULL,
    day            INTEGER NOT NULL,
    language       TEXT    NOT NULL CHECK (language IN ('en', 'ru')),
    body           TEXT    NOT NULL,
    variant        INTEGER,
    created_at     INTEGER NOT NULL,
    edited_at      INTEGER,
    edited_by      TEXT,
    sent_at        INTEGER,
    sent_by        TEXT,
    contact_log_id INTEGER REFERENCES contact_log (id) ON DELETE SET NULL,
    UNIQUE (customer_id, occasion, day)
);
CREATE INDEX greeting_drafts_occasion ON greeting_drafts (occasion, day);
