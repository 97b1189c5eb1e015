-- Erasure that sticks (issue 23, item 6). Keep in step with ../postgres/0031_erasure.sql.
--
-- A tombstone per erased customer: HMAC-SHA256 of the external id the customer had, under a key
-- kept in `store_secrets` (created on first use). Imports, the API and customers files refuse an
-- id with a tombstone, so an erased person is never created again from a re-imported export.
-- The key lives in the database, beside what it protects, on purpose: every process that imports
-- into this database (the CLI, the server, another host on PostgreSQL) must find the same key, or
-- an erased customer would silently come back; a key in a settings file could be missing or
-- differ. What the keying buys: the tombstones alone (a dump of this table, a log) do not let
-- anyone test a guessed id; with the whole database, the key is there too, and an id can be
-- tested, never read back.

CREATE TABLE store_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL             -- hex
);

CREATE TABLE erased_customers (
    id_hmac   TEXT    PRIMARY KEY, -- hex HMAC-SHA256 of the external id under store_secrets.tombstone_key
    erased_at INTEGER NOT NULL
);

-- The search index's own secure-delete (FTS5) is switched on by `Store::erase_customer` itself:
-- a later migration (0046) recreates the index, which would forget a setting made here.
