-- Clientele's data model (SQLite). Keep in step with ../postgres/0001_schema.sql: same tables,
-- columns, constraints and meaning.
-- Conventions: days are INTEGER days since 1970-01-01 (clientele_core::Day); money is INTEGER
-- ten-thousandths of the currency unit (clientele_core::Money); instants are INTEGER Unix seconds;
-- booleans are INTEGER 0/1.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'analyst', 'manager')),
    password_hash TEXT,                       -- argon2 PHC string; NULL until a password is set
    created_at    INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_sha256 TEXT    NOT NULL UNIQUE,     -- hex SHA-256 of the token; the token is never stored
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);

CREATE TABLE sessions (
    id_sha256  TEXT    PRIMARY KEY,           -- hex SHA-256 of the session cookie value
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE customers (
    id                INTEGER PRIMARY KEY,
    external_id       TEXT    NOT NULL UNIQUE,  -- the id the company's exports use
    kind              TEXT    NOT NULL DEFAULT 'person' CHECK (kind IN ('person', 'company')),
    name              TEXT,
    preferred_channel TEXT    CHECK (preferred_channel IN ('email', 'phone', 'sms', 'messenger', 'post', 'visit')),
    manager           TEXT,                     -- the manager's name as the source gives it
    manager_user_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    referrer_id       INTEGER REFERENCES customers (id) ON DELETE SET NULL,
    image_client      INTEGER NOT NULL DEFAULT 0 CHECK (image_client IN (0, 1)),
    created_at        INTEGER NOT NULL,
    erased_at         INTEGER                   -- set when personal data was erased on request
);
CREATE INDEX customers_manager_user ON customers (manager_user_id);

CREATE TABLE customer_contacts (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    channel     TEXT    NOT NULL CHECK (channel IN ('email', 'phone', 'sms', 'messenger', 'post', 'visit')),
    value       TEXT    NOT NULL,
    UNIQUE (customer_id, channel, value)
);

-- Consent history: the latest row per (customer, channel) is in force.
CREATE TABLE consents (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    channel     TEXT    NOT NULL CHECK (channel IN ('email', 'phone', 'sms', 'messenger', 'post', 'visit')),
    granted     INTEGER NOT NULL CHECK (granted IN (0, 1)),
    day         INTEGER NOT NULL,
    source      TEXT    NOT NULL                -- where it was given: web form, paper, call...
);
CREATE INDEX consents_customer ON consents (customer_id, channel, day);

CREATE TABLE customer_tags (
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    tag         TEXT    NOT NULL,
    PRIMARY KEY (customer_id, tag)
);

-- Dates to remember. rule: 'once' (year, month, day), 'yearly' (month, day; year = first year,
-- e.g. of birth), 'nth_weekday' (month, weekday 1 = Monday .. 7, nth 1..5 or -1 = last),
-- 'easter' / 'orthodox_easter' (offset_days from Western / Orthodox Easter Sunday).
CREATE TABLE personal_dates (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    label       TEXT    NOT NULL,
    rule        TEXT    NOT NULL CHECK (rule IN ('once', 'yearly', 'nth_weekday', 'easter', 'orthodox_easter')),
    year        INTEGER,
    month       INTEGER CHECK (month BETWEEN 1 AND 12),
    day         INTEGER CHECK (day BETWEEN 1 AND 31),
    weekday     INTEGER CHECK (weekday BETWEEN 1 AND 7),
    nth         INTEGER CHECK (nth BETWEEN -1 AND 5 AND nth <> 0),
    offset_days INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX personal_dates_customer ON personal_dates (customer_id);

-- The dossier.
CREATE TABLE notes (
    id             INTEGER PRIMARY KEY,
    customer_id    INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    author_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    author         TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    body           TEXT    NOT NULL
);
CREATE INDEX notes_customer ON notes (customer_id, created_at);

-- Contacts without a purchase: inquiries, visits, leads (prospects and visitors live on these).
CREATE TABLE touches (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    day         INTEGER NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('inquiry', 'visit', 'lead', 'other')),
    channel     TEXT,
    note        TEXT
);
CREATE INDEX touches_customer ON touches (customer_id, day);

CREATE TABLE products (
    id         INTEGER PRIMARY KEY,
    sku        TEXT    NOT NULL UNIQUE,         -- the product id or name the exports use
    name       TEXT,
    category   TEXT,
    list_price INTEGER
);

-- One row per imported file.
CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    file        TEXT    NOT NULL,
    imported_at INTEGER NOT NULL,
    rows        INTEGER NOT NULL,
    inserted    INTEGER NOT NULL,
    unchanged   INTEGER NOT NULL,
    rejected    INTEGER NOT NULL
);

-- Order lines. A line is identified by (customer, order id, product, return or not), the same
-- identity the file path deduplicates by; rows of exports without order ids get a synthesised
-- order_ref (keyed = 0) from their day, amount and line number. Orders are the view below.
CREATE TABLE order_lines (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    keyed       INTEGER NOT NULL CHECK (keyed IN (0, 1)),
    order_ref   TEXT    NOT NULL,
    product     TEXT    NOT NULL DEFAULT '',
    is_return   INTEGER NOT NULL CHECK (is_return IN (0, 1)),
    day         INTEGER NOT NULL,
    amount      INTEGER NOT NULL,
    cost        INTEGER,
    quantity    REAL,
    price       INTEGER,
    list_price  INTEGER,
    category    TEXT,
    full_price  INTEGER CHECK (full_price IN (0, 1)),
    import_id   INTEGER REFERENCES imports (id),
    UNIQUE (customer_id, keyed, order_ref, product, is_return)
);

CREATE VIEW orders AS
SELECT customer_id, order_ref, MIN(day) AS day, COUNT(*) AS lines, SUM(amount) AS amount
FROM order_lines
WHERE keyed = 1
GROUP BY customer_id, order_ref;

CREATE TABLE survey_responses (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    day         INTEGER NOT NULL,
    nps         INTEGER CHECK (nps BETWEEN 0 AND 10),
    comment     TEXT,
    source      TEXT    NOT NULL DEFAULT 'survey'
);
CREATE INDEX survey_responses_customer ON survey_responses (customer_id, day);

CREATE TABLE feedback (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER REFERENCES customers (id) ON DELETE CASCADE,
    day         INTEGER NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('complaint', 'praise', 'suggestion', 'question')),
    body        TEXT    NOT NULL,
    resolved_at INTEGER
);
CREATE INDEX feedback_customer ON feedback (customer_id);

CREATE TABLE contact_log (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    channel     TEXT    NOT NULL,
    direction   TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
    user_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    subject     TEXT,
    outcome     TEXT
);
CREATE INDEX contact_log_customer ON contact_log (customer_id, at);

-- Dated score snapshots: one row per customer per as-of day.
CREATE TABLE score_snapshots (
    as_of         INTEGER NOT NULL,
    customer_id   INTEGER NOT NULL REFERENCES customers (id),
    rung          TEXT    NOT NULL CHECK (rung IN ('prospect', 'visitor', 'newcomer', 'regular', 'advocate')),
    status        TEXT    CHECK (status IN ('active', 'slipping', 'lost')),
    subgroup      TEXT    CHECK (subgroup IN ('profitable', 'middling', 'unprofitable')),
    turn          INTEGER NOT NULL,
    previous_rung TEXT,
    orders        INTEGER NOT NULL,
    purchase_days INTEGER NOT NULL,
    revenue       INTEGER NOT NULL,
    profit        INTEGER NOT NULL,
    abc           TEXT,
    rfm           TEXT,
    stability     REAL,
    scored_at     INTEGER NOT NULL,
    PRIMARY KEY (as_of, customer_id)
);

-- Who viewed or changed which customer. No foreign keys: entries outlive what they name.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    customer_id INTEGER,
    detail      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_customer ON audit_log (customer_id, at);
