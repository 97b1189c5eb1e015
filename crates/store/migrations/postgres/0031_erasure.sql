-- Erasure that sticks (issue 23, item 6). Keep in step with ../sqlite/0031_erasure.sql, which
-- explains the tombstones and where their key is kept.

CREATE TABLE store_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE erased_customers (
    id_hmac   TEXT   PRIMARY KEY,
    erased_at BIGINT NOT NULL
);
