# The express self-assessment pages (issue 28).
nav-assess = Self-assessment
page-assess = Express self-assessment
assess-intro = Answer plainly: "yes (are you sure?)" or "no, alas". Several people answering the same checklist show where the company agrees with itself — and where it does not.
assess-own = A company adds its own checklist in the same TOML format: clientele assess add FILE.
assess-col-checklist = Checklist
assess-col-questions = Questions
assess-col-respondents = Respondents
assess-col-score = Share of "yes"
assess-all = All checklists
assess-respondents = { $n ->
    [0] Nobody has answered yet
    [one] { $count } respondent (the latest answers of each count)
   *[other] { $count } respondents (the latest answers of each count)
}
assess-empty = Answer the questions below: each area is scored by the share of "yes", and every "no" brings a recommendation.
assess-history = History: share of "yes" per area, by month
assess-spread = Respondents differ by { $spread } (from the lowest to the highest share of "yes"): disagreement is a finding.
assess-tally = { $yes } yes / { $no } no
assess-who = Yes: { $yes }. No: { $no }.
assess-evidence-nps = customer NPS
assess-evidence-response-time = response time
assess-evidence-winback-rate = win-back rate
assess-evidence-consent-coverage = consent coverage
assess-evidence-value = What the product measures: { $what } { $value }
assess-evidence-none = What the product measures: { $what } — not measured yet
assess-yes = Yes
assess-no = No
assess-submit = Save my answers
assess-flash-answered = Your answers are saved; the report below includes them.
assess-nothing-answered = No question was answered: choose yes or no for at least one.
