-- The customer list's search (dashboard::dashboard_customers): trigram GIN indexes on the
-- lowercased searched columns, so `lower(..) LIKE '%text%'` reads the index instead of scanning
-- every customer. Keep in step with ../sqlite/0021_search.sql.
--
-- lower() is taken under the ICU root collation so that it folds Cyrillic (and the rest of
-- Unicode) whatever locale the cluster was initialised with: under the "C" locale PostgreSQL's
-- lower() folds ASCII only. The query must use the very same expressions to use the indexes.
-- pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX customers_search_external_id
    ON customers USING gin (lower(external_id COLLATE "und-x-icu") gin_trgm_ops);
CREATE INDEX customers_search_name
    ON customers USING gin (lower(name COLLATE "und-x-icu") gin_trgm_ops);
