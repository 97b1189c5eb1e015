-- One customer search for the API and the dashboard (`customers/list.rs`), treating ё as е as
-- well as ignoring case: "Семенов" finds "Семёнов" and the reverse. The trigram tokenizer folds
-- case but keeps ё apart from е, so the index holds the texts with ё written as е (the query
-- folds its text the same way, `dialect::fold_search`). The index is now contentless (its
-- text is no longer the table's), with contentless_delete so the triggers can remove a row.
-- Keep in step with ../postgres/0046_search_fold.sql.

DROP TRIGGER customer_search_insert;
DROP TRIGGER customer_search_delete;
DROP TRIGGER customer_search_update;
DROP TABLE customer_search;

CREATE VIRTUAL TABLE customer_search USING fts5 (
    external_id,
    name,
    content = '',
    contentless_delete = 1,
    tokenize = 'trigram'
);

INSERT INTO customer_search (rowid, external_id, name)
SELECT id,
       replace(replace(external_id, 'ё', 'е'), 'Ё', 'Е'),
       replace(replace(name, 'ё', 'е'), 'Ё', 'Е')
FROM customers;

CREATE TRIGGER customer_search_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customer_search (rowid, external_id, name)
    VALUES (new.id,
            replace(replace(new.external_id, 'ё', 'е'), 'Ё', 'Е'),
            replace(replace(new.name, 'ё', 'е'), 'Ё', 'Е'));
END;

CREATE TRIGGER customer_search_delete AFTER DELETE ON customers BEGIN
    DELETE FROM customer_search WHERE rowid = old.id;
END;

-- Only the indexed columns matter: edits of the manager or channel leave the index alone.
CREATE TRIGGER customer_search_update AFTER UPDATE OF external_id, name ON customers BEGIN
    DELETE FROM customer_search WHERE rowid = old.id;
    INSERT INTO customer_search (rowid, external_id, name)
    VALUES (new.id,
            replace(replace(new.external_id, 'ё', 'е'), 'Ё', 'Е'),
            replace(replace(new.name, 'ё', 'е'), 'Ё', 'Е'));
END;
