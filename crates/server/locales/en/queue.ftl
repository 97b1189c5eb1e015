# The daily queue page (issue 27).
nav-queue = Queue
page-queue = Today's queue
queue-intro = The customers to act on, by value at stake: each with the playbook's action and offer, why, and the channel the contact policy allows. Mark each item done with what came of it (it goes to the contact log) or snooze it.
queue-col-day = Day
queue-col-manager = Manager
queue-manager-any = everyone
queue-show = Show
queue-day = Queue for { $date }
queue-as-of = from the snapshot of { $date }
queue-playbook-version = playbook version { $version }
queue-playbook-defaults = the playbook's defaults
queue-summary = { $shown ->
    [one] One item shown
   *[other] { $shown } items shown
    } of { $candidates } to act on; { $snoozed ->
    [0] none snoozed
    [one] one snoozed
   *[other] { $snoozed } snoozed
    }.
queue-empty = Nothing to do today: no customer of this queue needs an action under the playbook, or every one is snoozed or resting after a recent contact.
queue-col-action = Action
queue-col-offer = Offer
queue-col-blocked = Why it may not be sent
queue-col-horizon = Horizon, days
queue-col-cost = Cost
queue-col-suggestions = Similar customers also buy
queue-col-outcome = Outcome
queue-mark-done = Done
queue-snooze = Snooze
queue-snooze-until = Until
queue-snoozed-until = Snoozed until { $date }
queue-done-with = Done: { $outcome } ({ $channel })
queue-flash-done = Marked done; the outcome is in the contact log.
queue-flash-snoozed = Snoozed: the customer is out of the queue until that day.
queue-analyst-reads = Analysts read the queue; managers and admins record outcomes.
queue-newcomer-rule = newcomer rule: { $decision } ({ $figures })
queue-newcomer-develop = develop
queue-newcomer-keep_minimal = keep at minimal cost
queue-newcomer-let_go = let go
queue-newcomer-expected = expected purchases { $n }
queue-newcomer-no-forecast = no forecast
queue-newcomer-order = order { $ratio }× the newcomers' median
queue-newcomer-profit = profit { $profit }
queue-clv = CLV { $clv }
queue-blocked-no_consented_channel = No channel with consent in force: do not send.
queue-blocked-no_contact_details = Consent is in force, but no address or number for that channel.
queue-blocked-past_deadline = Too late today to send within the contact hours.
queue-blocked-weekly_cap_reached = This week's contact limit for the customer is reached.
queue-blocked-monthly_cap_reached = This month's contact limit for the customer is reached.
queue-blocked-unknown_customer = The customer is not in the store.
queue-blocked-budget_spent = The customer's budget for this period is spent.
queue-action-first_purchase_offer = First-purchase offer
queue-action-second_purchase_offer = Second-purchase offer
queue-action-thank_you_note = Thank-you note
queue-action-first_buyer_win_back = Win back a first-time buyer
queue-action-rhythm_reminder_call = Reminder call
queue-action-win_back_call = Win-back call
queue-action-loyalty_bonus = Loyalty bonus
queue-action-rhythm_reminder_email = Reminder e-mail
queue-action-rhythm_reminder = Reminder
queue-action-win_back_message = Win-back message
queue-action-personal_call = Personal call
queue-action-win_back_visit = Win-back visit
queue-action-vip_offer = VIP offer
queue-offer-trial = A trial offer or a low-risk entry product
queue-offer-win-back = A personal contact: ask why they left and make an offer that fits the reason
queue-offer-second-purchase = A second-purchase offer: a discount on the next order
queue-offer-thank-you = A thank-you note with the catalogue, no discount
queue-offer-first-buyer = Ask what disappointed in the first order; a second-purchase offer
queue-offer-rhythm-call = A call before their usual next purchase, with a bonus on it
queue-offer-loyalty = Bonus points or an extra service for their loyalty
queue-offer-reminder-email = A reminder by e-mail, no discount
queue-offer-rhythm-reminder = A reminder before their usual next purchase, with bonus points
queue-offer-loyalty-points = Bonus points for their loyalty
queue-offer-personal-call = A personal call from their manager: how are things, what do they need
queue-offer-vip = A unique offer or VIP service: early access, a gift, an invitation
queue-already-recorded = This item already has an outcome today: reload the queue to see it.
