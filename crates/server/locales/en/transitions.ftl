# The transition matrix page (issue 24 item 5): who moved from rung to rung between two snapshots.
nav-transitions = Transitions
page-transitions = Transitions between rungs
transitions-period = From { $from } to { $to }
transitions-explain = Rows: where customers stood on the earlier date (or new since); columns: where they stand on the later date (or gone). Each count opens the list of its customers.
transitions-corner = earlier ↓ / later →
transitions-empty = Transitions need two snapshots: score the store on two days (clientele score --as-of DATE), then come back.
transitions-bad-date = not a date as YYYY-MM-DD
transitions-to-after-from = the later date must come after the earlier one
transitions-no-cell = name a rung on at least one side
transitions-drill-title = { $from } → { $to }
transitions-drill-count = { $n ->
    [one] { $count } customer
   *[other] { $count } customers
}
transitions-drill-first = the first { $shown } of { $total }, by revenue in the period
transitions-drill-empty = No customer of yours moved so.
transitions-col-customer = Customer
transitions-col-before = Status before
transitions-col-after = Status after
transitions-col-revenue = Revenue in the period
