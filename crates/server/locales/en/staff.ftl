# Staff voice pages (issue 28 item 1).
nav-staff = Staff voice
page-staff = Staff voice: employee NPS and satisfaction
page-staff-codes = One-time codes
staff-intro = Anonymous by construction: employees answer with one-time codes handed out per department, nothing links an answer to a person, answers appear a batch at a time, and small departments are not shown.
staff-managers = The staff results are for admins and analysts.
staff-admins = Only admins open and close staff surveys and make codes.
staff-period = Period
staff-period-quarter = Quarter
staff-period-month = Month
staff-min-group = Smallest group shown
staff-show = Show
staff-report = Results by department
staff-empty = No answers released yet. Open a survey, hand out codes per department, and results appear here once a department's first batch of answers is complete (or the survey is closed).
staff-col-department = Department
staff-col-answers = Answers
staff-col-nps = eNPS ± margin
staff-col-change = Change from the period before
staff-whole-company = Whole company
staff-nps = { $nps } ± { $margin }
staff-too-few-for-score = too few answers for a score
staff-change-significant = { $delta } points, beyond chance
staff-change-noise = { $delta } points, within chance
staff-hidden = { $n ->
    [one] { $n } department is not shown: it has fewer than { $min } answers, or showing it would let the total give a small one away.
   *[other] { $n } departments are not shown: they have fewer than { $min } answers, or showing them would let the total give a small one away.
}
staff-scale-note = eNPS in points (−100 to 100) with the 95% margin; satisfaction is the mean of 1 (very dissatisfied) to 5 (very satisfied). Intervals from few answers are a little too narrow.
staff-surveys = Surveys
staff-no-surveys = No staff survey yet. Open one below, then make codes for each department and hand them out so that nobody records who got which.
staff-col-title = Survey
staff-col-date = Held on
staff-col-codes = Codes handed out
staff-col-released = Answers released
staff-col-state = State
staff-state-open = Open
staff-state-closed = Closed
staff-department = Department
staff-count = Codes
staff-make-codes = Make codes
staff-close = Close and release the rest
staff-title = Title
staff-date = Held on
staff-batch = Batch size
staff-open = Open a survey
staff-answer-where = Employees answer at
staff-flash-opened = The survey is open: make codes for each department.
staff-flash-closed = The survey is closed: the waiting answers are released and unused codes no longer work.
staff-codes-made = { $n ->
    [one] { $count } code for { $department }
   *[other] { $count } codes for { $department }
}
staff-codes-once = Print or copy them now: they are shown this once and only their fingerprints are kept. Hand them out so that nobody notes who got which.
staff-back = Back to staff voice
staff-q-work = How satisfied are you with your work itself?
staff-q-manager = … with your manager?
staff-q-team = … with your team?
staff-q-pay = … with your pay?
staff-q-growth = … with your chances to learn and grow?
staff-q-tools = … with the tools and conditions you work with?
staff-q-work-short = Work
staff-q-manager-short = Manager
staff-q-team-short = Team
staff-q-pay-short = Pay
staff-q-growth-short = Growth
staff-q-tools-short = Tools
staff-answer-title = Staff survey
staff-answer-anonymous = Your answer is anonymous: the code only says which department it came from, it works once, and answers are shown only in batches and for groups large enough that nobody can be picked out.
staff-answer-code = Your one-time code
staff-answer-nps = How likely are you to recommend working here to a friend?
staff-answer-satisfaction = From 1 (very dissatisfied) to 5 (very satisfied); skip any you like.
staff-answer-submit = Send my answer
staff-answer-taken = Thank you: your answer is taken and the code is used up.
staff-answer-unknown-code = This code is unknown, already used, or its survey is closed.
staff-answer-bad-nps = Choose how likely you are to recommend us, from 0 to 10.
staff-answer-bad-satisfaction = Each satisfaction answer is a number from 1 to 5, or left empty.
