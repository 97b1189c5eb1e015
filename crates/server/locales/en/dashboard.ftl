# Clientele dashboard: English. Every id here must also be in ru.ftl (tests/web.rs checks).

## Frame
nav-label = Pages
nav-overview = Overview
nav-flows = Flows
nav-today = Today
nav-lost = Lost customers
nav-customers = Customers
nav-value = Value
nav-dates = Upcoming dates
language-label = Language
logout = Log out
signed-in-as = Signed in as { $user } ({ $role })
role-admin = administrator
role-analyst = analyst
role-manager = manager
none = —
as-of = Snapshot of { $date }
no-snapshot = No snapshot yet: run “clientele score” to fill the dashboard.
list-total = In the list: { $count }
page-next = Next
page-prev = Previous
pagination = Pages

## Page titles
page-overview = Overview
page-flows = Flows
page-today = Today
page-lost = Lost customers
page-customers = Customers
page-value = Value
page-dates = Upcoming dates
page-login = Sign in
page-error = Something went wrong

## Login
login-name = Name
login-password = Password
login-submit = Sign in
login-failed = Wrong name or password.

## Words of the model
rung-prospect = Prospect
rung-visitor = Visitor
rung-newcomer = Newcomer
rung-regular = Regular
rung-advocate = Advocate
status-active = Active
status-slipping = Slipping
status-lost = Lost
status-returners = Returners
subgroup-profitable = Profitable
subgroup-middling = Middling
subgroup-unprofitable = Low-profit
subgroup-loss-making = Loss-making
strategy-attract = Attract
strategy-engage = Engage
strategy-retain = Retain
strategy-cherish = Cherish
strategy-win-back = Win back
action-attract = Turn the touch into a first purchase: a trial offer or a low-risk entry product.
action-engage = Thank them for the first purchase and make the second one easy.
action-retain = Keep the rhythm: remind them before their usual next purchase.
action-cherish = Personal attention: a call from the manager, greetings on personal dates.
action-win-back = Find out why they left: a short personal call or letter.
channel-email = E-mail
channel-phone = Phone
channel-sms = SMS
channel-messenger = Messenger
channel-post = Post
channel-visit = Visit
movement-up = Moved up
movement-down = Moved down
movement-out = Lost or gone
movement-back = Came back
movement-same = Stayed
movement-new = New

## Counts
customers-count = { $n ->
    [one] { $count } customer
   *[other] { $count } customers
}
days-count = { $n ->
    [one] { $count } day
   *[other] { $count } days
}
years-count = { $n ->
    [one] { $count } year
   *[other] { $count } years
}

## Status reasons
reason-within = buys every { $every } ± { $spread } days, last purchase { $days ->
    [one] { $days } day
   *[other] { $days } days
} ago
reason-late = buys every { $every } ± { $spread } days, { $late ->
    [one] { $late } day
   *[other] { $late } days
} late
reason-far-beyond = buys every { $every } ± { $spread } days, silent for { $days ->
    [one] { $days } day
   *[other] { $days } days
} (lost after { $limit })
reason-recent = last purchase { $days ->
    [one] { $days } day
   *[other] { $days } days
} ago (slipping after { $limit })
reason-quiet = no purchase for { $days ->
    [one] { $days } day
   *[other] { $days } days
} (lost after { $limit })
reason-gone = no purchase for { $days ->
    [one] { $days } day
   *[other] { $days } days
} (more than { $limit })
reason-doubtful = chance the customer is still with us { $p }, below { $limit }
reason-probably-gone = chance the customer is still with us { $p }, below the lost limit { $limit }

## Table columns
col-customer = Customer
col-rung = Rung
col-status = Status
col-subgroup = Sub-group
col-customers = Customers
col-revenue = Revenue
col-profit = Profit
col-strategy = Strategy
col-change = Change
col-manager = Manager
col-segment = Segment
col-value-at-stake = Value at stake
col-reason = Why
col-action = Recommended action
col-channel = Channel
col-value-lost = Value lost
col-since-last = Since last purchase
col-date = Date
col-what = What
col-in-days = In
col-share = Share
col-from = From
col-to = To
col-at-risk = At risk
col-churned = Lost
col-churn-rate = Churn rate
col-as-of = Snapshot
col-p-alive = Still with us (chance)
col-order = Order
col-amount = Amount
col-lines = Lines
col-label = Date
col-next = Next
col-consent = Consent
col-source = Source
col-day = Day
col-external-id = Number in your system
col-name = Name
col-clv = Lifetime value
col-number = Number
col-abc = ABC class
col-rfm = RFM cell

## Overview
overview-ladder = The ladder
overview-subgroups = Rungs by profit sub-group
overview-status = Status of buyers
overview-pareto-title = Concentration
overview-pareto = The top { $top } of buyers bring { $share } of revenue.
overview-changes = What changed since { $date }
overview-first = This is the first snapshot: changes show after the next one.
ladder-chart-title = The loyalty ladder
ladder-chart-desc = One step per rung, from prospect to advocate; the shaded part is the rung’s share of { $total }.

## Flows
flows-chart-title = Movements between rungs
flows-chart-desc = Customers on each rung at { $from } (left) and where they stood at { $to } (right); band width is the number of customers.
flows-before = { $date }
flows-after = { $date }
flows-new = New
flows-gone = Gone
flow-band = { $from } → { $to }: { $count }
flows-movements = Movements in the last period
flows-returners = Came back in the last period: { $count }
flows-churn = Churn rate per rung
flows-churn-note = Share of customers who were active or slipping on a rung at one snapshot and lost or gone at the next, over { $periods ->
    [one] one period
   *[other] { $periods } periods
}.
flows-none = Movements need two snapshots; score again later.

## Lists
today-intro = Slipping regulars and advocates, the most valuable first.
lost-intro = Lost customers, the most valuable first.
lost-start = Win the customer back
lost-case-note = Win-back case started.

## Customers
filter-search = Search
filter-search-hint = A name or id; 1–2 characters find an exact id
filter-any = Any
filter-apply = Apply
filter-segment-hint = A, B, C or an RFM cell such as 555
export-csv = Export CSV
export-xlsx = Download for Excel (.xlsx)

## Card
card-summary = Summary
card-reason = Why this status
card-history = Rung history
card-palive = Chance the customer is still with us, over time
card-palive-title = Probability the customer is still with us
card-palive-desc = The chance the customer is still with us (P(alive)) at each snapshot, from the customer-base model.
card-palive-x = Days since the first snapshot shown
card-timeline = Purchases
card-dates = Personal dates
card-consents = Consents and channel
card-channel = Preferred channel
card-manager = Manager
card-unassigned = Not assigned
card-contacts = Contacts
card-tags = Tags
card-notes = Notes
card-no-notes = No notes yet.
card-note-add = Add a note
card-note-submit = Save note
card-granted = granted
card-withdrawn = withdrawn
card-erased = Personal data of this customer was erased on request.
note-empty = The note is empty: write something first.

## Value
value-pareto-title = Pareto curve
value-pareto-desc = Share of revenue brought by the top share of buyers, best first; the dashed line is equal shares.
value-x = Share of buyers, %
value-y = Share of revenue, %
value-curve = Buyers by revenue
value-equal = Equal shares
value-abc = ABC classes
value-rfm = RFM cells (largest first)

currency-set = Amounts are in { $code }, as set with “clientele settings currency”.
currency-phones = Amounts are in { $code }: { $count } of { $of } phone numbers have its country code (set another with “clientele settings currency CODE”).
currency-names = Amounts are in { $code }: { $count } of { $of } names are written in Cyrillic (set another with “clientele settings currency CODE”).
currency-unknown = The currency of the amounts is not known: set it with “clientele settings currency CODE”.

## Dates
dates-intro = From { $from } to { $to }.
date-anniversary = First purchase, { $years }
dates-none = No dates in the next 30 days.
in-days = { $n ->
    [0] today
    [1] tomorrow
    [one] in { $count } day
   *[other] in { $count } days
}
date-birthday = Birthday
holiday-new-year = New Year
holiday-orthodox-christmas = Orthodox Christmas
holiday-defender-day = Defender of the Fatherland Day
holiday-womens-day = International Women’s Day
holiday-orthodox-easter = Orthodox Easter
holiday-easter = Easter
holiday-mothers-day = Mother’s Day
holiday-mothers-day-russia = Mother’s Day (Russia)
holiday-christmas = Christmas
consent-source-demo-form = sign-up form (demo)

## Errors
error-not-found = Not found: { $what }.
error-forbidden = You may not do this.
error-csrf = The form has expired or came from elsewhere: reload the page and try again.
error-invalid = { $field }: { $reason }
error-internal = The server failed; the cause is in its log.
what-customer = customer { $key }
what-snapshot = snapshot { $key }
what-user = user { $key }
what-thing = { $key }
error-not-one-of = { $field }: “{ $value }” is none of { $choices }.
error-no-page = There is no page at “{ $path }”.
error-bad-address = This address is not valid: “{ $path }”.

## Why a customer is on their rung (stored as RungReason::code)
rung-reason-no_touch = known contact, no purchase and no recorded touch
rung-reason-touch_only = touched us (last on { $last_touch }) but has not bought
rung-reason-only_returns = only returns in the data, no purchase
rung-reason-first_purchases = { $purchase_days ->
    [one] first purchase
   *[other] { $purchase_days } purchase days in this turn
}
rung-reason-too_few_periods = { $purchase_days } purchase days, but within { $periods } { $period ->
    [week] { $periods ->
    [one] week
   *[other] weeks
}
    [month] { $periods ->
    [one] month
   *[other] months
}
    [quarter] { $periods ->
    [one] quarter
   *[other] quarters
}
   *[year] { $periods ->
    [one] year
   *[other] years
}
}; a regular buys in at least { $min_periods }
rung-reason-regular = { $purchase_days } purchase days over { $periods } { $period ->
    [week] { $periods ->
    [one] week
   *[other] weeks
}
    [month] { $periods ->
    [one] month
   *[other] months
}
    [quarter] { $periods ->
    [one] quarter
   *[other] quarters
}
   *[year] { $periods ->
    [one] year
   *[other] years
}
}
rung-reason-promoter = regular ({ $purchase_days } purchase days) and an NPS promoter ({ $nps }/10)
rung-reason-referrer = regular ({ $purchase_days } purchase days) who referred { $referrals ->
    [one] one customer
   *[other] { $referrals } customers
}
rung-reason-full_price = regular ({ $purchase_days } purchase days), buying { $share } at full price
card-rung-reason = Why this rung
