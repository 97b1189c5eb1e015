-- Imports in bounded chunks (issue 23, item 3). Keep in step with ../postgres/0030_import_staging.sql.
--
-- An import first stages its file's lines here, a few thousand per short transaction, so other
-- writers (the audit log, sign-ins, notes) get the write lock between chunks. Nothing staged is
-- visible: readers never look at these tables. When the whole file is in (and not refused), the
-- import is *published*: an `imports` row is created and the staged lines are moved into
-- `order_lines` chunk by chunk, still hidden from readers (`orders::VISIBLE_LINE`: lines of an
-- import that is still in `staged_imports` are not read), then one short transaction records the
-- counts and deletes the `staged_imports` row, and all the file's lines become visible at once.
--
-- A crash while staging leaves rows here that nothing reads; the next import discards them once
-- the import's heartbeat is older than two minutes. A crash while publishing is finished by the
-- next import (publishing is a roll-forward: the file was accepted whole, and moving a line twice
-- changes nothing, since lines are identified).

-- AUTOINCREMENT: an id is never given twice, so the owner of a discarded import can never take
-- a later import's row for its own.
CREATE TABLE staged_imports (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    source              TEXT    NOT NULL,                -- the file's name, or who sent the orders
    state               TEXT    NOT NULL CHECK (state IN ('staging', 'publishing')),
    import_id           INTEGER REFERENCES imports (id), -- the imports row, once publishing
    started_at          INTEGER NOT NULL,
    heartbeat_at        INTEGER NOT NULL,                -- refreshed while the import is alive
    rows                INTEGER NOT NULL DEFAULT 0,      -- the reader's counts, set when publishing
    rejected            INTEGER NOT NULL DEFAULT 0,
    inserted            INTEGER NOT NULL DEFAULT 0,      -- moved so far
    unchanged           INTEGER NOT NULL DEFAULT 0,
    new_customers       INTEGER NOT NULL DEFAULT 0,
    magnitude           INTEGER NOT NULL DEFAULT 0,      -- sum of |amount| + |cost| staged (reserved)
    inserted_magnitude  INTEGER NOT NULL DEFAULT 0       -- the same over the lines actually inserted
);

-- Lines waiting to be published, in file order (id). `customer` is the external id: customers are
-- created only when the import is published, so a refused or crashed import creates none.
CREATE TABLE import_staging (
    id               INTEGER PRIMARY KEY,
    staged_import_id INTEGER NOT NULL,
    customer         TEXT    NOT NULL,
    keyed            INTEGER NOT NULL CHECK (keyed IN (0, 1)),
    order_ref        TEXT    NOT NULL,
    product          TEXT    NOT NULL,
    is_return        INTEGER NOT NULL CHECK (is_return IN (0, 1)),
    day              INTEGER NOT NULL,
    amount           INTEGER NOT NULL,
    cost             INTEGER,
    quantity         REAL,
    price            INTEGER,
    list_price       INTEGER,
    category         TEXT,
    full_price       INTEGER CHECK (full_price IN (0, 1))
);
CREATE INDEX import_staging_import ON import_staging (staged_import_id, id);

-- The sum of |amount| + |cost| over every stored line (issue 23, item 4), kept at most the
-- largest 64-bit integer: an import that would pass it is refused, so no sum of stored amounts
-- or costs (a customer's, a rung's, the company's) can overflow, in SQL or in scoring. Lines
-- already stored are counted here in floating point, clamped (they were accepted before the
-- bound existed).
CREATE TABLE store_totals (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    line_magnitude INTEGER NOT NULL
);
INSERT INTO store_totals (id, line_magnitude)
SELECT 1, CASE WHEN t >= 9.2e18 THEN 9223372036854775807 ELSE CAST(t AS INTEGER) END
FROM (SELECT TOTAL(ABS(CAST(amount AS REAL))) + TOTAL(ABS(CAST(COALESCE(cost, 0) AS REAL))) AS t
      FROM order_lines);

-- Lines of exports without order ids are identified by their content (customer, product, day,
-- amount, direction) and how many identical rows came before them in the file
-- (`clientele_ingest::rows::OrderRow::occurrence`), no longer by their line number: a line added
-- at the top of a re-export moved every line and counted them all twice (issue 23, item 7).
-- Stored lines get the same reference, numbering identical lines in the order they were stored.
UPDATE order_lines
SET order_ref = '~' || (r.n - 1) || '@' || order_lines.day || '/' || order_lines.amount
FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY customer_id, product, is_return, day, amount
                                     ORDER BY id) AS n
      FROM order_lines WHERE keyed = 0) AS r
WHERE r.id = order_lines.id;

-- Lines of an import still publishing are not read; the orders view reads as every reader does.
DROP VIEW orders;
CREATE VIEW orders AS
SELECT customer_id, order_ref, MIN(day) AS day, COUNT(*) AS lines, SUM(amount) AS amount
FROM order_lines
WHERE keyed = 1
  AND COALESCE(import_id, 0) NOT IN (SELECT import_id FROM staged_imports WHERE import_id IS NOT NULL)
GROUP BY customer_id, order_ref;
