-- One customer search for the API and the dashboard (`customers/list.rs`), treating ё as е as
-- well as ignoring case: "Семенов" finds "Семёнов" and the reverse. The trigram indexes are on
-- the lowercased text (under the ICU root collation, which folds Cyrillic whatever the cluster's
-- locale) with ё replaced by е; the query uses the very same expressions
-- (`dialect::PG_TRIGRAM_LIKE`) and folds its text the same way. Keep in step with
-- ../sqlite/0046_search_fold.sql.

DROP INDEX customers_search_external_id;
DROP INDEX customers_search_name;

CREATE INDEX customers_search_external_id
    ON customers USING gin (replace(lower(external_id COLLATE "und-x-icu"), 'ё', 'е') gin_trgm_ops);
CREATE INDEX customers_search_name
    ON customers USING gin (replace(lower(name COLLATE "und-x-icu"), 'ё', 'е') gin_trgm_ops);
