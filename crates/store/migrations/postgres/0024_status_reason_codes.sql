-- Status reasons as codes with arguments, like rung reasons (0023): `StatusReason::code` in
-- clientele-core (`codes.rs`), e.g. `late_by_rhythm every=30 spread=4 late=19`, the numbers as
-- the reason shows them; the dashboard words them from its catalogue. Snapshots written before
-- hold the English sentence of `StatusReason`'s Display: each of its eight shapes is rewritten
-- to the code of the same reason. The numbers are copied as written (the sentences wrote them
-- as the codes do), and no number contains a literal piece of a sentence, so replacing the
-- pieces leaves exactly the code. Text of any other shape is left as it is (shown as stored).
-- Keep in step with ../sqlite/0024_status_reason_codes.sql (the same statements).

UPDATE score_snapshots
SET status_reason = REPLACE(REPLACE(REPLACE(REPLACE(status_reason,
        'buys every ', 'within_rhythm every='),
        ' ± ', ' spread='),
        ' days; last purchase ', ' days='),
        ' days ago', '')
WHERE status_reason LIKE 'buys every % ± % days; last purchase % days ago';

UPDATE score_snapshots
SET status_reason = REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(status_reason,
        'buys every ', 'far_beyond_rhythm every='),
        ' ± ', ' spread='),
        ' days; silent for ', ' days='),
        ' days (lost after ', ' lost_after='),
        ')', '')
WHERE status_reason LIKE 'buys every % ± % days; silent for % days (lost after %)';

UPDATE score_snapshots
SET status_reason = REPLACE(REPLACE(REPLACE(REPLACE(status_reason,
        'buys every ', 'late_by_rhythm every='),
        ' ± ', ' spread='),
        ' days; ', ' late='),
        ' days late', '')
WHERE status_reason LIKE 'buys every % ± % days; % days late';

UPDATE score_snapshots
SET status_reason = REPLACE(REPLACE(REPLACE(status_reason,
        'last purchase ', 'recent days='),
        ' days ago (slipping after ', ' limit='),
        ')', '')
WHERE status_reason LIKE 'last purchase % days ago (slipping after %)';

UPDATE score_snapshots
SET status_reason = REPLACE(REPLACE(REPLACE(status_reason,
        'no purchase for ', 'quiet days='),
        ' days (lost after ', ' limit='),
        ')', '')
WHERE status_reason LIKE 'no purchase for % days (lost after %)';

UPDATE score_snapshots
SET status_reason = REPLACE(REPLACE(REPLACE(status_reason,
        'no purchase for ', 'gone days='),
        ' days (more than ', ' limit='),
        ')', '')
WHERE status_reason LIKE 'no purchase for % days (more than %)';

-- The longer shape first: 'P(alive) %, below %' matches both.
UPDATE score_snapshots
SET status_reason = REPLACE(REPLACE(status_reason,
        'P(alive) ', 'probably_gone p_alive='),
        ', below the lost limit ', ' limit=')
WHERE status_reason LIKE 'P(alive) %, below the lost limit %';

UPDATE score_snapshots
SET status_reason = REPLACE(REPLACE(status_reason,
        'P(alive) ', 'doubtful p_alive='),
        ', below ', ' limit=')
WHERE status_reason LIKE 'P(alive) %, below %';
