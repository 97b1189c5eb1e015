# The voice of the customer: the NPS page.
nav-nps = NPS
page-nps = Net Promoter Score
nps-filter-from = From
nps-filter-to = To
nps-filter-by = Split by
nps-filter-period = Trend by
nps-filter-touchpoint = Touchpoint
nps-filter-min_answers = Minimum answers
nps-bad-filter = The filter “{ $field }” has a value that cannot be used; correct it and apply again.
nps-apply = Apply
nps-period-month = month
nps-period-quarter = quarter
nps-by-none = no split
nps-by-rung = rung
nps-by-subgroup = profit sub-group
nps-by-manager = manager
nps-by-channel = channel
nps-by-touchpoint = touchpoint
nps-by-segment = RFM segment
nps-by-status = status
nps-empty = No survey answers in this range yet.
nps-empty-help = Answers arrive by import (clientele surveys import FILE), by the API (POST /api/v1/survey-answers) and through invitation links. Widen the dates if you expected answers here.
nps-headline = NPS { $nps } ± { $moe } points, from { $n ->
    [one] { $count } respondent
   *[other] { $count } respondents
}.
nps-headline-not-enough = Not enough answers for a score: { $n ->
    [one] { $count } respondent
   *[other] { $count } respondents
}, a score needs { $min }.
nps-band-favourite = Above 50: among the customers' favourites.
nps-band-known_must_improve = From 10 to 50: known, but customer focus must improve.
nps-band-not_valued = Below 10: customers do not value the company.
nps-band-unsettled = The 95% interval reaches into a neighbouring band, so the band is not certain.
nps-note = Only the latest answer of each respondent counts ({ $n ->
    [one] { $count } answer read
   *[other] { $count } answers read
}, { $one_to_ten } of them on a 1–10 scale, classified with the same cut points).
nps-not-enough = not enough answers
nps-interval = { $lo } to { $hi }
nps-change-significant = { $delta } (p = { $p }): a real change
nps-change-noise = { $delta } (p = { $p }): could be noise
nps-no-group = (no group)
nps-all = All answers
nps-trend = Trend
nps-trend-empty = No period has enough answers for a score yet, so there is no line to draw; the table shows the counts.
nps-chart-title = NPS by period with its 95% interval
nps-chart-desc = The line is the NPS of each period with enough answers; the shaded band is its 95% interval. Gaps are periods with too few answers.
nps-chart-caption = Shaded: the 95% interval. Where bands of two periods overlap widely, the change may be noise; the table says whether it is significant.
nps-groups = Split
nps-download-csv = Download as CSV
nps-col-kind = Row
nps-col-label = Name
nps-col-n = Respondents
nps-col-promoters = Promoters
nps-col-passives = Passives
nps-col-detractors = Detractors
nps-col-nps = NPS
nps-col-interval = 95% interval
nps-col-lo = Interval from
nps-col-hi = Interval to
nps-col-change = Change from the period before
nps-col-vs-rest = Against the rest
nps-col-delta = Change, points
nps-col-p = p-value
nps-col-period = Period
nps-col-group = Group
# The follow-up task list.
nav-followups = Follow-ups
page-followups = Follow-up calls
task-count = { $n ->
    [one] { $count } open task
   *[other] { $count } open tasks
}
tasks-empty = No open follow-up tasks. Each detractor answer (and, more gently, each passive one) opens a task for the customer's manager here.
task-kind-detractor = detractor
task-kind-passive = passive
task-queue = (unassigned)
task-overdue = overdue
task-col-customer = Customer
task-col-kind = Answer
task-col-score = Score
task-col-comment = Comment
task-col-due = Answer by
task-col-manager = Manager
task-col-outcome = Outcome
task-outcome-label = What came of the call
task-answer = Record
task-answered = Task { $id } is answered and left the list.
task-outcome-empty = Write what came of the call before recording it.
# CSAT beside the NPS.
nps-csat = CSAT: mean { $mean } of 5 (95% interval { $mean_lo } to { $mean_hi }); { $satisfied } satisfied (4–5, 95% interval { $lo } to { $hi }), from { $n ->
    [one] { $count } respondent
   *[other] { $count } respondents
}.
nps-csat-not-enough = CSAT: { $n ->
    [one] { $count } respondent
   *[other] { $count } respondents
}, not enough for an interval.
nps-csat-none = CSAT: no answers in this range.
