# Win-back cases (issue 27).
nav-winback = Win-back
page-winback = Win-back cases
winback-intro = Customers taken on to be won back: why they left, the offer, each attempt, and who came back. A case closes as returned when the customer buys within its window.
winback-as-of = Settled from the orders as of { $date }
winback-results = What came of it
winback-no-cases-yet = No cases yet: open one with the button on the lost customers' list.
winback-funnel-title = The returners' funnel
winback-funnel-desc = { $cases ->
    [one] One case
   *[other] { $cases } cases
    }, of which { $returned } returned.
winback-funnel-x = Stage
winback-funnel-y = Cases
winback-funnel-series = Cases
winback-stage-lost = Taken on
winback-stage-contacted = Contacted
winback-stage-answered = Answered
winback-stage-returned = Returned
winback-stage-still-buying = Still buying after 90 days
winback-rate-none = Win-back rate: no lost consumers yet.
winback-rate-met = Consumers: { $returned ->
    [one] one returned
   *[other] { $returned } returned
    } of { $lost } lost ({ $rate }, 95% interval { $low } to { $high }); the method's mark of at least 1% is met.
winback-rate-not-met = Consumers: { $returned ->
    [one] one returned
   *[other] { $returned } returned
    } of { $lost } lost ({ $rate }, 95% interval { $low } to { $high }); below the method's mark of 1%.
winback-companies = Business clients: { $returned ->
    [one] one returned
   *[other] { $returned } returned
    } of { $lost } lost — each one counts.
winback-regained = Regained from { $n ->
    [one] one returned customer
   *[other] { $n } returned customers
    } over { $days } days after the return: revenue { $revenue }, profit { $profit }.
winback-by-reason = By reason for leaving
winback-by-offer = By offer
winback-by-channel = By channel
winback-by-manager = By manager
winback-col-group = Group
winback-col-rate = Return rate
winback-cases = Cases
winback-col-state = State
winback-col-manager = Manager
winback-col-opened = Opened
winback-col-reason = Reason
winback-col-offer = Offer
winback-col-attempts = Attempts
winback-col-last-outcome = Last outcome
winback-col-record = Record an attempt
winback-col-outcome = Outcome
winback-col-note = Note
winback-record = Record
winback-filter = Show
winback-empty = No cases here. Open one from the lost customers' list.
winback-state-any = Any
winback-state-open = Open
winback-state-returned = Returned
winback-state-not_returned = Not returned
winback-returned-on = Returned on { $date }
winback-reason-keep = (unchanged)
winback-reason-price = Price
winback-reason-quality = Quality
winback-reason-service = Service
winback-reason-competitor = Went to a competitor
winback-reason-moved = Moved away
winback-reason-no_longer_needed = No longer needed
winback-reason-other = Other
winback-outcome-no_answer = No answer
winback-outcome-answered = Answered
winback-outcome-promised = Promised to come back
winback-outcome-declined = Declined
winback-outcome-wrong_contact = Wrong contact
winback-flash-opened = Win-back case opened.
winback-flash-already-open = This customer already has an open win-back case.
winback-flash-attempt = Attempt recorded; it is in the contact log.
winback-export-case = Case
winback-export-source = Opened from
winback-export-returned = Returned on
winback-export-reason-text = Reason in words
winback-export-window = Window, days
winback-source-lost_list = The lost list
winback-source-slipping_list = The slipping list
winback-source-queue = The daily queue
winback-source-manual = By hand
