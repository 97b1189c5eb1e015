-- Settings of the whole database that the CLI and the server both read (`settings.rs`): for now
-- the currency amounts are shown in (`currency`, an ISO 4217 code). A missing key means "not
-- set": the reader falls back to its documented default (for the currency, detection from the
-- data). Keep in step with ../postgres/0045_settings.sql.

CREATE TABLE settings (
    key        TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);
